import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { App } from '../app/app.entity.js';
import { queueRemovals, storageKeysOfApp } from '../bundle/bundle.repository.js';
import { User } from '../user/user.entity.js';
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

/** Orgs by id, oldest first. */
export function findOrgsByIds(em: EntityManager, ids: string[]): Promise<Org[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return em.find(Org, { id: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * Locks the org row until the transaction ends, so that membership changes and the deletion of
 * one org run one after the other (two super_admins demoting each other at once cannot leave
 * none). Null when the org is gone.
 */
export function lockOrg(tx: EntityManager, id: string): Promise<Org | null> {
  return tx.findOne(Org, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

/**
 * Read from the database, not the identity map: authentication loaded the caller's memberships
 * into it, and under the org lock only the committed state counts.
 */
export function findMember(em: EntityManager, orgId: string, userId: string): Promise<OrgMember | null> {
  return em.findOne(OrgMember, { orgId, userId }, { refresh: true });
}

export function countSuperAdmins(em: EntityManager, orgId: string): Promise<number> {
  return em.count(OrgMember, { orgId, role: 'super_admin' });
}

/** Members with their e-mail addresses, ordered by e-mail. */
export async function findMembersWithEmail(
  em: EntityManager,
  orgId: string,
): Promise<{ userId: string; email: string; role: Role }[]> {
  const members = await em.find(OrgMember, { orgId });
  const users = await em.find(User, { id: { $in: members.map((member) => member.userId) } });
  const emailOf = new Map(users.map((user) => [user.id, user.email]));
  return members
    .map((member) => ({ userId: member.userId, email: emailOf.get(member.userId) ?? '', role: member.role }))
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}

/**
 * Deletes the org with its apps (and what belongs to them) and its memberships, queueing the apps'
 * stored files for removal; returns their keys. Run it in a transaction.
 */
export async function deleteOrgWithContents(tx: EntityManager, id: string): Promise<string[]> {
  const apps = await tx.find(App, { ownerOrg: id }, { fields: ['id'] });
  const keys = (await Promise.all(apps.map((app) => storageKeysOfApp(tx, app.id)))).flat();
  await queueRemovals(tx, keys);
  await tx.nativeDelete(App, { ownerOrg: id });
  await tx.nativeDelete(OrgMember, { orgId: id });
  await tx.nativeDelete(Org, { id });
  return keys;
}
