import cors from 'cors';
import type { RequestHandler } from 'express';
import helmet, { contentSecurityPolicy } from 'helmet';

type CspDirectives = Record<string, string[]>;

/** JSON needs nothing loaded, framed or submitted: the strictest policy. */
export const API_CSP: CspDirectives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * helmet's headers with the API's CSP, plus `Cache-Control: no-store` (responses carry tenant data
 * and must not sit in shared caches). A route that serves pages sets its own policy with
 * `withContentSecurityPolicy`, mounted after this, which replaces the header.
 */
export function securityHeaders(): RequestHandler[] {
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
  return [
    helmet({ contentSecurityPolicy: { useDefaults: false, directives: API_CSP }, frameguard: { action: 'deny' } }),
    noStore,
  ];
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
