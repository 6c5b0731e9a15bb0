import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Org, OrgMember, type Role } from './org.entity.js';

export function findOrgById(em: EntityManager, id: string): Promise<Org | null> {
  return em.findOne(Org, { id });
}

/** A new org (unflushed) whose creator is its first super_admin. */
export function createOrgWithOwner(
  em: EntityManager,
  input: { name: string; managementEmail: string; ownerId: string },
): Org {
  const org = em.create(Org, {
    id: randomUUID(),
    name: input.name,
    managementEmail: input.managementEmail,
    logo: null,
    createdBy: input.ownerId,
  } as Org);
  em.create(OrgMember, { orgId: org.id, userId: input.ownerId, role: 'super_admin' } as OrgMember);
  return org;
}

/** Adds the membership, or changes the role of an existing one (unflushed). */
export async function upsertMember(em: EntityManager, orgId: string, userId: string, role: Role): Promise<OrgMember> {
  const existing = await em.findOne(OrgMember, { orgId, userId });
  if (existing) {
    existing.role = role;
    return existing;
  }
  return em.create(OrgMember, { orgId, userId, role } as OrgMember);
}
