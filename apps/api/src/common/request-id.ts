import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

/** Echoes a client's `x-request-id` when it is 1–128 visible ASCII characters, else makes one. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const sent = req.headers['x-request-id'];
  const id = typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
  req.ctx = { requestId: id };
  res.setHeader('x-request-id', id);
  next();
}
