import type { EntityManager } from '@mikro-orm/postgresql';
import { type Statement, queryRows, toDateOrNull } from '../../db/raw.js';
import type { Role } from '../org/org.entity.js';
import { ApiKey, type KeyMode } from './apikey.entity.js';

/** What authentication needs of a key, with every role its owner holds. */
export interface KeyGrant {
  id: string;
  userId: string;
  mode: KeyMode;
  limitedToOrgs: string[];
  limitedToApps: string[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  /** org id → the owner's role there. */
  roles: Map<string, Role>;
}

interface KeyGrantRow {
  id: string;
  user_id: string;
  mode: KeyMode;
  limited_to_orgs: string[];
  limited_to_apps: string[];
  expires_at: string | null;
  last_used_at: string | null;
  roles: [string, Role][];
}

const KEY_GRANT_BY_HASH: Statement = {
  name: 'key_grant_by_hash',
  text: `select k.id, k.user_id, k.mode, k.limited_to_orgs, k.limited_to_apps, k.expires_at, k.last_used_at,
           coalesce((select json_agg(json_build_array(m.org_id, m.role)) from org_members m where m.user_id = k.user_id and not m.pending),
                    '[]'::json) as roles
         from api_keys k where k.key_hash = $1`,
};

/**
 * The key with that hash and its owner's roles, in one statement and without hydrating entities:
 * this runs on every authenticated request. Read afresh each time (nothing is cached), so a revoked
 * key or a changed role counts from the very next request.
 */
export async function findKeyGrantByHash(em: EntityManager, keyHash: string): Promise<KeyGrant | null> {
  const [row] = await queryRows<KeyGrantRow>(em, KEY_GRANT_BY_HASH, [keyHash]);
  if (!row) return null;
  return {
    id: row.id,
    userId: row.user_id,
    mode: row.mode,
    limitedToOrgs: row.limited_to_orgs,
    limitedToApps: row.limited_to_apps,
    expiresAt: toDateOrNull(em, row.expires_at),
    lastUsedAt: toDateOrNull(em, row.last_used_at),
    roles: new Map(row.roles),
  };
}

/**
 * Records use at minute granularity: one write a minute per key instead of one per request, so
 * reads stay reads under load. `last_used_at` is therefore at most a minute behind.
 */
export async function touchLastUsed(
  em: EntityManager,
  key: Pick<ApiKey, 'id' | 'lastUsedAt'>,
  now: Date,
): Promise<void> {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < 60_000) return;
  await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: now });
}

// `refresh`: the calling key's row sits in this request's identity map since authentication,
// with the last_used_at it had before this request.

/** The user's keys, newest first. */
export function findKeysOfUser(em: EntityManager, userId: string): Promise<ApiKey[]> {
  return em.find(ApiKey, { userId }, { orderBy: { createdAt: 'desc', id: 'asc' }, refresh: true });
}

/** One of the user's keys; null for an unknown id or another user's key alike. */
export function findKeyOfUser(em: EntityManager, userId: string, id: string): Promise<ApiKey | null> {
  return em.findOne(ApiKey, { id, userId }, { refresh: true });
}

/** Deletes one of the user's keys; false when there was none. */
export async function deleteKeyOfUser(em: EntityManager, userId: string, id: string): Promise<boolean> {
  return (await em.nativeDelete(ApiKey, { id, userId })) > 0;
}

export function countKeysOfUser(em: EntityManager, userId: string): Promise<number> {
  return em.count(ApiKey, { userId });
}
