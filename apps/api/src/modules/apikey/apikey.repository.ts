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
