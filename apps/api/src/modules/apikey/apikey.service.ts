import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, type KeyMode } from './apikey.entity.js';
import { generateSecret, hashSecret, hintFor } from './apikey.secret.js';

export interface NewKey {
  userId: string;
  name: string;
  mode: KeyMode;
  limitedToOrgs?: string[];
  limitedToApps?: string[];
  expiresAt?: Date | null;
}

/** Persists (on the next flush) a new key; the secret is returned once and never stored. */
export function issueKey(em: EntityManager, input: NewKey): { key: ApiKey; secret: string } {
  const secret = generateSecret();
  const key = em.create(ApiKey, {
    id: randomUUID(),
    userId: input.userId,
    name: input.name,
    keyHash: hashSecret(secret),
    hint: hintFor(secret),
    mode: input.mode,
    limitedToOrgs: input.limitedToOrgs ?? [],
    limitedToApps: (input.limitedToApps ?? []).map((appId) => appId.toLowerCase()),
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
  } as ApiKey);
  return { key, secret };
}
