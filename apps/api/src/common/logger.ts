import type { IncomingMessage, ServerResponse } from 'node:http';
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

type Next = () => void;
type LoggedRequest = IncomingMessage & { ctx: { requestId: string } };

/**
 * One line per request: method, path, status, duration and request id; no headers, no body.
 * Below `info` (production runs at `warn`) it adds nothing to a request: no clock read, no listener.
 * Plain node objects, so the device fast path (modules/plugin/plugin.fast-path.ts) logs the same way.
 */
export function accessLog(logger: Logger) {
  if (!logger.isLevelEnabled('info')) return (_req: IncomingMessage, _res: ServerResponse, next: Next) => next();
  return (req: IncomingMessage, res: ServerResponse, next: Next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info({
        request_id: (req as LoggedRequest).ctx.requestId,
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    next();
  };
}
