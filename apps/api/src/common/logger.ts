import type { NextFunction, Request, Response } from 'express';
import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * JSON logs on stdout. Headers are never logged (they carry keys); as a second guard any
 * field that could hold one is redacted.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: {
      paths: ['key', 'apiKey', 'api_key', 'secret', '*.authorization', '*.capgkey', '*["x-api-key"]'],
      censor: '[redacted]',
    },
  });
}

/**
 * One line per request: method, path, status, duration and request id; no headers, no body.
 * Below `info` (production runs at `warn`) it adds nothing to a request: no clock read, no listener.
 */
export function accessLog(logger: Logger) {
  if (!logger.isLevelEnabled('info')) return (_req: Request, _res: Response, next: NextFunction) => next();
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info({
        request_id: req.ctx.requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
