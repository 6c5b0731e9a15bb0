import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { DomainError, rateLimited } from './errors.js';
import { LeasedCounter, type Take } from './rate-limit-store.js';
import { type Runtime, principalOf } from './request-context.js';

const MINUTE_MS = 60_000;
const FAILED_AUTH_WINDOW_MS = 15 * MINUTE_MS;
/**
 * A replica leases this share of a per-minute limit at once: one statement per 40 requests of a key
 * at the default 2000 a minute, and replicas can strand at most 2.5% of a window each (never more
 * than the limit passes). Small limits lease one request at a time, so they stay exact.
 */
const LEASE_SHARE = 1 / 40;

const passThrough: RequestHandler = (_req, _res, next) => next();

/** One IETF draft-8 policy: its name in the headers and its counter. */
interface Policy {
  name: string;
  counter: LeasedCounter;
}

const partitionKeys = new Map<string, string>();
/** The `pk` of `RateLimit-Policy`: a short hash of the counted key, never the key itself. */
function partitionKey(key: string): string {
  let pk = partitionKeys.get(key);
  if (pk === undefined) {
    pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
    if (partitionKeys.size >= 100_000) partitionKeys.clear();
    partitionKeys.set(key, pk);
  }
  return pk;
}

/** `RateLimit` and `RateLimit-Policy` (IETF draft-8), plus `Retry-After` when refused. */
function setHeaders(res: Response, policy: Policy, key: string, take: Take): void {
  const resetSeconds = Math.max(0, Math.ceil((take.resetAt - Date.now()) / 1000));
  const windowSeconds = Math.ceil(policy.counter.windowMs / 1000);
  res.setHeader('RateLimit', `"${policy.name}"; r=${take.remaining}; t=${resetSeconds}`);
  res.setHeader(
    'RateLimit-Policy',
    `"${policy.name}"; q=${policy.counter.limit}; w=${windowSeconds}; pk=:${partitionKey(key)}:`,
  );
  if (!take.allowed) res.setHeader('Retry-After', String(resetSeconds));
}

/** A Take when memory answers, else the promise of one (awaiting a plain value would still cost a microtask turn). */
const takeOne = (policy: Policy, id: string): Take | Promise<Take> =>
  policy.counter.takeNow(id) ?? policy.counter.take(id);

function perMinutePolicy(runtime: Runtime, name: string, prefix: string, perMinute: number): Policy {
  const leaseSize = Math.max(1, Math.floor(perMinute * LEASE_SHARE));
  return { name, counter: new LeasedCounter(runtime, prefix, perMinute, MINUTE_MS, leaseSize) };
}

/**
 * `perKey` requests a minute for each API key and `perUser` for all of a user's keys together, so
 * minting keys does not multiply a user's limit; 0 turns either off. Runs after authentication.
 * Counts are shared by all replicas without a database statement per request (see LeasedCounter).
 * The headers describe the policy with fewer requests left (the key's on a tie); a request refused
 * by the key's limit is not counted against the user's.
 */
export function requestRateLimit(runtime: Runtime, perKey: number, perUser: number): RequestHandler {
  const key = perKey > 0 ? perMinutePolicy(runtime, 'api-key', 'key:', perKey) : undefined;
  const user = perUser > 0 ? perMinutePolicy(runtime, 'user', 'user:', perUser) : undefined;
  if (!key && !user) return passThrough;

  return async (req, res, next) => {
    try {
      const principal = principalOf(req);
      // Answered from memory, without a microtask turn, while this replica holds a lease (almost always).
      let keyTake = key && takeOne(key, principal.keyId);
      if (keyTake instanceof Promise) keyTake = await keyTake;
      let userTake = user && keyTake?.allowed !== false ? takeOne(user, principal.userId) : undefined;
      if (userTake instanceof Promise) userTake = await userTake;
      const byKey = key && keyTake && { policy: key, id: principal.keyId, take: keyTake };
      const byUser = user && userTake && { policy: user, id: principal.userId, take: userTake };
      const shown =
        byKey &&
        (!byUser || !byKey.take.allowed || (byUser.take.allowed && byKey.take.remaining <= byUser.take.remaining))
          ? byKey
          : (byUser as NonNullable<typeof byUser>);
      setHeaders(res, shown.policy, shown.id, shown.take);
      next(shown.take.allowed ? undefined : rateLimited());
    } catch (error) {
      next(error);
    }
  };
}

/** The client address (IPv6 by /56, so hopping inside one allocation does not help). */
const clientKey = (req: Request) => ipKeyGenerator(req.ip ?? '');

/**
 * Wraps `authenticate` with a limit of `per15Minutes` requests carrying an unknown, revoked or
 * expired key per client address in 15 minutes; 0 turns it off. Only failures are counted (one
 * statement each, exact across replicas), and only failures are refused: over the limit a bad key
 * gets 429 instead of 401, while a valid key from the same address keeps working, so one broken
 * client behind a NAT does not lock out everyone else there. Guessing keys through the limit is
 * hopeless anyway (≥ 238 random bits), and a stolen valid key works from any other address.
 */
export function failedAuthRateLimit(
  runtime: Runtime,
  per15Minutes: number,
): (authenticate: RequestHandler) => RequestHandler {
  if (per15Minutes === 0) return (authenticate) => authenticate;
  const policy: Policy = {
    name: 'failed-auth',
    counter: new LeasedCounter(runtime, 'auth:', per15Minutes, FAILED_AUTH_WINDOW_MS, 1),
  };

  return (authenticate) => (req: Request, res: Response, next: NextFunction) => {
    authenticate(req, res, (error?: unknown) => {
      const failed = error instanceof DomainError && error.code === 'invalid_apikey';
      if (!failed) return next(error);
      const client = clientKey(req);
      policy.counter.take(client).then(
        (take) => {
          setHeaders(res, policy, client, take);
          next(take.allowed ? error : rateLimited());
        },
        (limiterError: unknown) => next(limiterError),
      );
    });
  };
}
