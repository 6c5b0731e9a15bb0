import type { EntityManager } from '@mikro-orm/postgresql';
import { OrgMember, type Role } from '../org/org.entity.js';
import { ApiKey } from './apikey.entity.js';

export function findKeyByHash(em: EntityManager, keyHash: string): Promise<ApiKey | null> {
  return em.findOne(ApiKey, { keyHash });
}

export async function findRolesOfUser(em: EntityManager, userId: string): Promise<Map<string, Role>> {
  const memberships = await em.find(OrgMember, { userId });
  return new Map(memberships.map((membership) => [membership.orgId, membership.role]));
}

/**
 * Records use at minute granularity: one write a minute per key instead of one per request, so
 * reads stay reads under load. `last_used_at` is therefore at most a minute behind.
 */
export async function touchLastUsed(em: EntityManager, key: ApiKey, now: Date): Promise<void> {
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
