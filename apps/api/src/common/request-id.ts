import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

const CLIENT_ID = /^[\x21-\x7e]{1,128}$/;

/** A client's `x-request-id` when it is 1–128 visible ASCII characters, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && CLIENT_ID.test(sent) ? sent : randomUUID();
}

/** Sets `req.ctx.requestId` and echoes it in the `x-request-id` header. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const id = requestIdOf(req);
  req.ctx = { requestId: id };
  res.setHeader('x-request-id', id);
  next();
}
