import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AugmentedRequest, ipKeyGenerator, type Options, rateLimit } from 'express-rate-limit';
import { DomainError, rateLimited } from './errors.js';
import type { Logger } from './logger.js';
import { PostgresRateLimitStore } from './rate-limit-store.js';
import { type Runtime, principalOf } from './request-context.js';

const MINUTE_MS = 60_000;
const FAILED_AUTH_WINDOW_MS = 15 * MINUTE_MS;
/** Clients remembered as over the failed-authentication limit, at most; expired ones go first. */
const MAX_BLOCKED_CLIENTS = 10_000;

const passThrough: RequestHandler = (_req, _res, next) => next();

/** Settings every limiter shares: IETF draft-8 `RateLimit`/`RateLimit-Policy` headers, 429 through the one error mapper. */
function commonOptions(logger: Logger): Partial<Options> {
  return {
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req: Request, _res: Response, next: NextFunction) => next(rateLimited()),
    logger: {
      error: (error, message) => logger.error({ err: error }, message ?? 'rate limiter error'),
      warn: (error, message) => logger.warn({ err: error }, message ?? 'rate limiter warning'),
    },
  };
}

/**
 * `perMinute` requests a minute for each API key, counted in PostgreSQL so the limit holds across
 * replicas: one statement per request. Runs after authentication; 0 turns it off.
 */
export function perKeyRateLimit(runtime: Runtime, logger: Logger, perMinute: number): RequestHandler {
  if (perMinute === 0) return passThrough;
  return rateLimit({
    ...commonOptions(logger),
    windowMs: MINUTE_MS,
    limit: perMinute,
    identifier: 'api-key',
    keyGenerator: (req) => principalOf(req).keyId,
    store: new PostgresRateLimitStore(runtime, 'key:'),
  });
}

const clientKey = (req: Request) => ipKeyGenerator(req.ip ?? '');

/**
 * Wraps `authenticate` with a limit of `per15Minutes` requests carrying an unknown, revoked or
 * expired key per client IP (IPv6 by /56) in 15 minutes; 0 turns it off. Only failures touch the
 * database, so the hot path pays nothing. Once the shared count is over the limit, a replica
 * remembers the client until the window ends and refuses it even a valid key, so a list of stolen
 * keys cannot be tested through the limit; each replica learns this from the first failure of
 * that client it answers.
 */
export function failedAuthRateLimit(
  runtime: Runtime,
  logger: Logger,
  per15Minutes: number,
): (authenticate: RequestHandler) => RequestHandler {
  if (per15Minutes === 0) return (authenticate) => authenticate;

  const blockedUntil = new Map<string, number>();
  const block = (key: string, until: number) => {
    if (blockedUntil.size >= MAX_BLOCKED_CLIENTS) {
      const now = Date.now();
      for (const [client, end] of blockedUntil) if (end <= now) blockedUntil.delete(client);
      if (blockedUntil.size >= MAX_BLOCKED_CLIENTS) blockedUntil.delete(blockedUntil.keys().next().value as string);
    }
    blockedUntil.set(key, until);
  };
  const isBlocked = (key: string) => (blockedUntil.get(key) ?? 0) > Date.now();

  const limiter = rateLimit({
    ...commonOptions(logger),
    windowMs: FAILED_AUTH_WINDOW_MS,
    limit: per15Minutes,
    identifier: 'failed-auth',
    keyGenerator: clientKey,
    store: new PostgresRateLimitStore(runtime, 'auth:'),
    handler: (req, _res, next) => {
      const resetTime = (req as AugmentedRequest).rateLimit?.resetTime;
      block(clientKey(req), resetTime?.getTime() ?? Date.now() + FAILED_AUTH_WINDOW_MS);
      next(rateLimited());
    },
  });

  return (authenticate) => (req, res, next) => {
    const key = clientKey(req);
    if (isBlocked(key)) {
      // Counted as one more attempt; answered 429 with the limiter's headers.
      return limiter(req, res, (error?: unknown) => {
        if (error !== undefined) return next(error);
        blockedUntil.delete(key); // the shared window was reset meanwhile
        authenticate(req, res, next);
      });
    }
    authenticate(req, res, (error?: unknown) => {
      const failed = error instanceof DomainError && error.code === 'invalid_apikey';
      if (!failed) return next(error);
      limiter(req, res, (limiterError?: unknown) => next(limiterError ?? error));
    });
  };
}
