import express, { type NextFunction, type Request, type Response } from 'express';
import { invalidParameters, unsupportedMediaType } from './errors.js';
import { invalidMessageFor } from './http-errors.js';

export const JSON_BODY_LIMIT = '100kb';

const parseJson = express.json({ limit: JSON_BODY_LIMIT, strict: true, type: () => true });
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Dotted path of the first string (key or value) holding U+0000, if any. */
function nulPath(value: unknown, at: string[] = []): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? at.join('.') : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const path = [...at, key.replaceAll('\u0000', '\\u0000')];
    if (key.includes('\u0000')) return path.join('.');
    const found = nulPath(item, path);
    if (found !== undefined) return found;
  }
  return undefined;
}

function nulError(req: Request) {
  const at = nulPath(req.body);
  if (at === undefined) return undefined;
  return invalidParameters(
    [{ path: at, message: 'Must not contain the NUL character (U+0000)' }],
    invalidMessageFor(req),
  );
}

/**
 * Parses JSON bodies of at most 100 kB. A body in any other content type (or none) is a 415
 * rather than being silently ignored. PostgreSQL text cannot hold U+0000, so a string with one is
 * a 400 here rather than a failed insert later.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  if (!hasBody(req)) next();
  else if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) next(unsupportedMediaType());
  else parseJson(req, res, (error?: unknown) => next(error ?? nulError(req)));
}
