import express, { type NextFunction, type Request, type Response } from 'express';
import { unsupportedMediaType } from './errors.js';

export const JSON_BODY_LIMIT = '100kb';

const parseJson = express.json({ limit: JSON_BODY_LIMIT, strict: true, type: () => true });
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Parses JSON bodies of at most 100 kB. A body in any other content type (or none) is a 415
 * rather than being silently ignored.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req)) next();
  else if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) next(unsupportedMediaType());
  else parseJson(req, res, next);
}
