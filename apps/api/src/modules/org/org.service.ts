import type { AddMemberBody, CreateOrgBody, UpdateOrgBody } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  insufficientPermissions,
  invalidApiKey,
  lastSuperAdmin,
  memberNotFound,
  orgAccessDenied,
} from '../../common/errors.js';
import { type Principal, ROLE_RANK, actsForWholeUser, hasRole, rankIn, readableOrgIds } from '../../common/rights.js';
import { nextUpdatedAt } from '../../db/base.entity.js';
import { ensureUser, findUserByEmail, findUserById } from '../user/user.repository.js';
import type { Org, OrgMember, Role } from './org.entity.js';
import {
  countSuperAdmins,
  createOrgWithOwner,
  deleteOrgWithContents,
  findMember,
  findMembersWithEmail,
  findOrgById,
  findOrgsByIds,
  lockOrg,
  upsertMember,
} from './org.repository.js';
import type { BundleStorage } from '../../storage/storage.js';
import { removeQueuedFiles } from '../bundle/file-removal.js';

interface UseCase {
  em: EntityManager;
  principal: Principal;
}

/** 403 org_access_denied when the key cannot even read the org, 403 insufficient_permissions when it can but not enough. */
function authorize(principal: Principal, orgId: string, needed: Role): void {
  if (!hasRole(principal, orgId, 'read')) throw orgAccessDenied();
  if (!hasRole(principal, orgId, needed)) throw insufficientPermissions();
}

/** As `authorize`, for changes: a key confined to some apps changes nothing at org level. */
function authorizeChange(principal: Principal, orgId: string, needed: Role): void {
  authorize(principal, orgId, needed);
  if (principal.limitedToApps.length > 0) throw insufficientPermissions();
}

/** Removing or demoting a super_admin must leave the org another one. */
async function assertNotLastSuperAdmin(tx: EntityManager, member: OrgMember, newRole?: Role): Promise<void> {
  if (member.role !== 'super_admin' || newRole === 'super_admin') return;
  if ((await countSuperAdmins(tx, member.orgId)) <= 1) throw lastSuperAdmin();
}

/**
 * The caller as of now, read under the org lock: a role changed or removed by a request that
 * committed meanwhile counts, so a just-demoted admin cannot go on granting roles.
 */
async function withCurrentRole(tx: EntityManager, principal: Principal, orgId: string): Promise<Principal> {
  const membership = await findMember(tx, orgId, principal.userId);
  return { ...principal, roles: new Map(membership ? [[orgId, membership.role]] : []) };
}

export function listOrgs({ em, principal }: UseCase): Promise<Org[]> {
  return findOrgsByIds(em, readableOrgIds(principal));
}

export async function getOrg({ em, principal, orgId }: UseCase & { orgId: string }): Promise<Org> {
  authorize(principal, orgId, 'read');
  const org = await findOrgById(em, orgId);
  if (!org) throw orgAccessDenied();
  return org;
}

/** The caller becomes super_admin of a new org, so only a key acting for its whole user may do it. */
export async function createOrg({ em, principal, body }: UseCase & { body: CreateOrgBody }): Promise<Org> {
  if (!actsForWholeUser(principal) || principal.limitedToApps.length > 0) throw insufficientPermissions();
  const caller = await findUserById(em, principal.userId);
  // Deleting a user deletes their keys: a key whose user is gone is an unknown key.
  if (!caller) throw invalidApiKey();
  const org = createOrgWithOwner(em, {
    name: body.name,
    managementEmail: body.email ?? caller.email,
    ownerId: caller.id,
  });
  await em.flush();
  return org;
}

export async function updateOrg({ em, principal, body }: UseCase & { body: UpdateOrgBody }): Promise<Org> {
  authorizeChange(principal, body.orgId, 'admin');
  const org = await findOrgById(em, body.orgId);
  if (!org) throw orgAccessDenied();

  if (body.name !== undefined) org.name = body.name;
  if (body.logo !== undefined) org.logo = body.logo;
  if (body.management_email !== undefined) org.managementEmail = body.management_email;
  // Every update advances updated_at, even one that changes no value.
  org.updatedAt = nextUpdatedAt(org.updatedAt);
  await em.flush();
  return org;
}

export async function deleteOrg({
  em,
  principal,
  storage,
  orgId,
}: UseCase & { storage: BundleStorage; orgId: string }): Promise<void> {
  authorizeChange(principal, orgId, 'super_admin');
  const keys = await em.transactional(async (tx) => {
    if (!(await lockOrg(tx, orgId))) throw orgAccessDenied();
    authorizeChange(await withCurrentRole(tx, principal, orgId), orgId, 'super_admin');
    return deleteOrgWithContents(tx, orgId);
  });
  await removeQueuedFiles(em, storage, keys);
}

export async function listMembers({ em, principal, orgId }: UseCase & { orgId: string }) {
  authorize(principal, orgId, 'read');
  return findMembersWithEmail(em, orgId);
}

/**
 * Adds the user with the role, or changes the role of a member. Nobody grants above their own
 * rank, or touches a member ranked above them.
 */
export async function addMember({ em, principal, body }: UseCase & { body: AddMemberBody }) {
  authorizeChange(principal, body.orgId, 'admin');

  return em.transactional(async (tx) => {
    if (!(await lockOrg(tx, body.orgId))) throw orgAccessDenied();
    const caller = await withCurrentRole(tx, principal, body.orgId);
    authorizeChange(caller, body.orgId, 'admin');
    const callerRank = rankIn(caller, body.orgId);
    if (ROLE_RANK[body.invite_type] > callerRank) throw insufficientPermissions();

    const user = await ensureUser(tx, body.email);
    const existing = await findMember(tx, body.orgId, user.id);
    if (existing) {
      if (ROLE_RANK[existing.role] > callerRank) throw insufficientPermissions();
      await assertNotLastSuperAdmin(tx, existing, body.invite_type);
    }
    await upsertMember(tx, body.orgId, user.id, body.invite_type);
    await tx.flush();
    return { member: { userId: user.id, email: user.email, role: body.invite_type }, created: !existing };
  });
}

export async function removeMember({ em, principal, orgId, email }: UseCase & { orgId: string; email: string }) {
  authorizeChange(principal, orgId, 'admin');

  await em.transactional(async (tx) => {
    if (!(await lockOrg(tx, orgId))) throw orgAccessDenied();
    const caller = await withCurrentRole(tx, principal, orgId);
    authorizeChange(caller, orgId, 'admin');

    const user = await findUserByEmail(tx, email);
    const member = user && (await findMember(tx, orgId, user.id));
    if (!member) throw memberNotFound();
    if (ROLE_RANK[member.role] > rankIn(caller, orgId)) throw insufficientPermissions();
    await assertNotLastSuperAdmin(tx, member);
    tx.remove(member);
    await tx.flush();
  });
}
