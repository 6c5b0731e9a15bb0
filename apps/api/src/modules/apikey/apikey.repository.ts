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
           coalesce((select json_agg(json_build_array(m.org_id, m.role)) from org_members m where m.user_id = k.user_id),
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

/** Uses recorded and not yet written, per ORM (its connection object). */
interface PendingUses {
  em: EntityManager;
  at: Map<string, Date>;
  timer?: NodeJS.Timeout;
}

const pendingUses = new WeakMap<object, PendingUses>();

/** How long a recorded use waits for others to share its statement. */
const FLUSH_USES_AFTER_MS = 2_000;

const WRITE_USES: Statement = {
  name: 'api_keys_write_uses',
  text: `update "api_keys" k set "last_used_at" = u.at
         from unnest($1::uuid[], $2::timestamptz[]) as u(id, at)
         where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)`,
};

/**
 * Records use at minute granularity, written in the background: a read never waits for a write,
 * and one statement every FLUSH_USES_AFTER_MS carries all the keys used meanwhile. `last_used_at` is
 * therefore at most a minute (and a flush) behind; the key routes flush first, so they never show
 * an older value than the requests they answer have made.
 */
export function touchLastUsed(em: EntityManager, key: Pick<KeyGrant, 'id' | 'lastUsedAt'>, now: Date): void {
  if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() < 60_000) return;
  const connection = em.getConnection();
  let uses = pendingUses.get(connection);
  if (!uses) {
    uses = { em, at: new Map() };
    pendingUses.set(connection, uses);
  }
  uses.at.set(key.id, now);
  if (!uses.timer) {
    const scheduled = uses;
    uses.timer = setTimeout(() => {
      flushKeyUses(scheduled.em).catch(() => {}); // kept for the next flush
    }, FLUSH_USES_AFTER_MS);
    uses.timer.unref();
  }
}

/** Writes the uses recorded so far; on failure they stay pending. Shutdown calls it before closing the database. */
export async function flushKeyUses(em: EntityManager): Promise<void> {
  const uses = pendingUses.get(em.getConnection());
  if (!uses) return;
  clearTimeout(uses.timer);
  uses.timer = undefined;
  if (uses.at.size === 0) return;
  const batch = uses.at;
  uses.at = new Map();
  try {
    await queryRows(uses.em, WRITE_USES, [[...batch.keys()], [...batch.values()]]);
  } catch (error) {
    for (const [id, at] of batch) if (!uses.at.has(id)) uses.at.set(id, at);
    throw error;
  }
}

// `refresh`: the calling key's row sits in this request's identity map since authentication,
// with the last_used_at it had before this request.

/** The user's keys, newest first. */
export async function findKeysOfUser(em: EntityManager, userId: string): Promise<ApiKey[]> {
  await flushKeyUses(em);
  return em.find(ApiKey, { userId }, { orderBy: { createdAt: 'desc', id: 'asc' }, refresh: true });
}

/** One of the user's keys; null for an unknown id or another user's key alike. */
export async function findKeyOfUser(em: EntityManager, userId: string, id: string): Promise<ApiKey | null> {
  await flushKeyUses(em);
  return em.findOne(ApiKey, { id, userId }, { refresh: true });
}

/** Deletes one of the user's keys; false when there was none. */
export async function deleteKeyOfUser(em: EntityManager, userId: string, id: string): Promise<boolean> {
  return (await em.nativeDelete(ApiKey, { id, userId })) > 0;
}
