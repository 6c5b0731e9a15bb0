import cors from 'cors';
import type { Request, RequestHandler, Response } from 'express';
import helmet, { contentSecurityPolicy } from 'helmet';

type CspDirectives = Record<string, string[]>;

/** JSON needs nothing loaded, framed or submitted: the strictest policy. */
export const API_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** Records what middlewares set on a response that does not depend on the request. */
function recordHeaders(middlewares: RequestHandler[]): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string | number) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  } as unknown as Response;
  for (const middleware of middlewares) middleware({ headers: {}, method: 'GET' } as Request, recorder, () => {});
  return [...headers];
}

/**
 * helmet's headers with the API's CSP, plus `Cache-Control: no-store` (responses carry tenant data
 * and must not sit in shared caches). None depends on the request, so helmet runs once at start-up
 * and every response gets the recorded list from one middleware: helmet's twelve middlewares cost
 * 8.9 µs of CPU per request against 3.2 µs (bench/middleware-cost.ts). A route that serves pages sets its own
 * policy with `withContentSecurityPolicy`, mounted after this, which replaces the header.
 */
export interface SecurityHeaders {
  /** Header name (lower case) → value, for a response written without express (plugin.fast-path.ts). */
  headers: Record<string, string>;
  middleware: RequestHandler;
}

export function securityHeaders(): SecurityHeaders {
  const recorded = recordHeaders([
    helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP }, frameguard: { action: 'deny' } }),
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
  ]);
  return {
    headers: Object.fromEntries(recorded),
    middleware: (_req, res, next) => {
      for (const [name, value] of recorded) res.setHeader(name, value);
      next();
    },
  };
}

/** A per-route Content-Security-Policy, e.g. for an HTML page that loads its own local scripts. */
export function withContentSecurityPolicy(directives: CspDirectives): RequestHandler {
  return contentSecurityPolicy({ useDefaults: false, directives });
}

/**
 * CORS is closed unless `origins` is given (CORS_ORIGINS): then only those origins (or any, with
 * `*`) may call from a browser. Keys travel in headers, never cookies, so credentials stay off.
 */
export function corsPolicy(origins: string[] | undefined): RequestHandler {
  if (!origins) return (_req, _res, next) => next();
  return cors({
    origin: origins.join() === '*' ? '*' : origins,
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'capgkey', 'x-api-key', 'content-type', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'location', 'ratelimit', 'ratelimit-policy', 'retry-after'],
    maxAge: 600,
  });
}
