import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { findKeyGrantByHash, touchLastUsed } from '../modules/apikey/apikey.repository.js';
import { hashSecret } from '../modules/apikey/apikey.secret.js';
import { invalidApiKey, noKeyProvided } from './errors.js';
import { emOf } from './request-context.js';

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  const trimmed = first?.trim();
  return trimmed ? trimmed : undefined;
}

/** The key from `authorization` (raw or Bearer), else `capgkey`, else `x-api-key`. */
export function extractKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headerValue(headers.authorization)
    ?.replace(/^bearer(\s+|$)/i, '')
    .trim();
  return authorization || headerValue(headers.capgkey) || headerValue(headers['x-api-key']);
}

/**
 * Resolves the caller. Unknown, revoked and expired keys get the very same 401, so a key cannot
 * be probed; only the hash of what was sent is ever looked up.
 */
export async function authenticate(req: Request, _res: Response, next: NextFunction): Promise<void> {
  try {
    const secret = extractKey(req.headers);
    if (!secret) throw noKeyProvided();
    const em = emOf(req);
    const key = await findKeyGrantByHash(em, hashSecret(secret));
    const now = new Date();
    if (!key || (key.expiresAt && key.expiresAt <= now)) throw invalidApiKey();
    touchLastUsed(em, key, now);
    req.ctx.principal = {
      keyId: key.id,
      userId: key.userId,
      mode: key.mode,
      limitedToOrgs: key.limitedToOrgs,
      limitedToApps: key.limitedToApps,
      expiresAt: key.expiresAt,
      roles: key.roles,
    };
    next();
  } catch (error) {
    next(error);
  }
}
