import type { AddMemberBody, CreateOrgBody, UpdateOrgBody } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  insufficientPermissions,
  invalidApiKey,
  invitationNotFound,
  lastSuperAdmin,
  limitReached,
  memberNotFound,
  orgAccessDenied,
} from '../../common/errors.js';
import { type Principal, ROLE_RANK, actsForWholeUser, hasRole, rankIn, readableOrgIds } from '../../common/rights.js';
import type { Quotas } from '../../config.js';
import { markUpdated } from '../../db/base.entity.js';
import type { User } from '../user/user.entity.js';
import { ensureUser, findUserByEmail, lockUser } from '../user/user.repository.js';
import type { Org, OrgMember, Role } from './org.entity.js';
import {
  countMembers,
  countOrgsOfUser,
  countPendingInvitations,
  countSuperAdmins,
  createOrgWithOwner,
  deleteOrgWithContents,
  findMember,
  findMembersWithEmail,
  findOrgById,
  findOrgPage,
  lockOrg,
  upsertMember,
} from './org.repository.js';
import type { UseCase } from '../../common/request-context.js';
import type { BundleStorage } from '../../storage/storage.js';
import { removeQueuedFiles } from '../bundle/file-removal.js';

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

/** Removing or demoting a super_admin must leave the org another one (an invited one does not count). */
async function assertNotLastSuperAdmin(tx: EntityManager, member: OrgMember, newRole?: Role): Promise<void> {
  if (member.pending || member.role !== 'super_admin' || newRole === 'super_admin') return;
  if ((await countSuperAdmins(tx, member.orgId)) <= 1) throw lastSuperAdmin();
}

/**
 * The caller as of now, read under the org lock: a role changed or removed by a request that
 * committed meanwhile counts, so a just-demoted admin cannot go on granting roles.
 */
async function withCurrentRole(tx: EntityManager, principal: Principal, orgId: string): Promise<Principal> {
  const membership = await findMember(tx, orgId, principal.userId);
  return { ...principal, roles: new Map(membership && !membership.pending ? [[orgId, membership.role]] : []) };
}

/** Under the user lock: one more organization must fit in MAX_ORGS_PER_USER. */
async function assertOrgFits(tx: EntityManager, userId: string, quotas: Quotas): Promise<void> {
  if ((await countOrgsOfUser(tx, userId)) >= quotas.MAX_ORGS_PER_USER) {
    throw limitReached('orgs_per_user', quotas.MAX_ORGS_PER_USER, 'organizations per user');
  }
}

/** Under the org lock: one more member (or invitation) must fit in the org's caps. */
async function assertMemberFits(tx: EntityManager, orgId: string, invitation: boolean, quotas: Quotas): Promise<void> {
  if ((await countMembers(tx, orgId)) >= quotas.MAX_MEMBERS_PER_ORG) {
    throw limitReached('members_per_org', quotas.MAX_MEMBERS_PER_ORG, 'members per organization');
  }
  if (invitation && (await countPendingInvitations(tx, orgId)) >= quotas.MAX_PENDING_INVITATIONS_PER_ORG) {
    throw limitReached(
      'pending_invitations_per_org',
      quotas.MAX_PENDING_INVITATIONS_PER_ORG,
      'pending invitations per organization',
    );
  }
}

export function listOrgs({ em, principal, page, limit }: UseCase & { page: number; limit: number }) {
  return findOrgPage(em, readableOrgIds(principal), { offset: page * limit, limit });
}

export async function getOrg({ em, principal, orgId }: UseCase & { orgId: string }): Promise<Org> {
  authorize(principal, orgId, 'read');
  const org = await findOrgById(em, orgId);
  if (!org) throw orgAccessDenied();
  return org;
}

/** The caller becomes super_admin of a new org, so only a key acting for its whole user may do it. */
export async function createOrg({
  em,
  principal,
  body,
  quotas,
}: UseCase & { body: CreateOrgBody; quotas: Quotas }): Promise<Org> {
  if (!actsForWholeUser(principal) || principal.limitedToApps.length > 0) throw insufficientPermissions();
  return em.transactional(async (tx) => {
    const caller = await lockUser(tx, principal.userId);
    // Deleting a user deletes their keys: a key whose user is gone is an unknown key.
    if (!caller) throw invalidApiKey();
    await assertOrgFits(tx, caller.id, quotas);
    const org = createOrgWithOwner(tx, {
      name: body.name,
      managementEmail: body.email ?? caller.email,
      ownerId: caller.id,
    });
    await tx.flush();
    return org;
  });
}

export async function updateOrg({ em, principal, body }: UseCase & { body: UpdateOrgBody }): Promise<Org> {
  authorizeChange(principal, body.orgId, 'admin');
  const org = await findOrgById(em, body.orgId);
  if (!org) throw orgAccessDenied();

  if (body.name !== undefined) org.name = body.name;
  if (body.logo !== undefined) org.logo = body.logo;
  if (body.management_email !== undefined) org.managementEmail = body.management_email;
  markUpdated(org);
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
 * Adds a new user with the role at once, invites an existing user, or changes the role of a
 * member or invitee. Nobody grants above their own rank, or touches a member ranked above them.
 * An existing account is never made a member by someone else: it gets a pending invitation that
 * grants nothing until the user accepts it with a key of their own (`acceptInvitation`).
 */
export async function addMember({ em, principal, body, quotas }: UseCase & { body: AddMemberBody; quotas: Quotas }) {
  authorizeChange(principal, body.orgId, 'admin');

  return em.transactional(async (tx) => {
    if (!(await lockOrg(tx, body.orgId))) throw orgAccessDenied();
    const caller = await withCurrentRole(tx, principal, body.orgId);
    authorizeChange(caller, body.orgId, 'admin');
    const callerRank = rankIn(caller, body.orgId);
    if (ROLE_RANK[body.invite_type] > callerRank) throw insufficientPermissions();

    const { user, created } = await putMember(tx, body.orgId, body.email, body.invite_type, {
      mayChange: (existing) => {
        if (ROLE_RANK[existing.role] > callerRank) throw insufficientPermissions();
      },
      mayAdd: (known) => assertMemberFits(tx, body.orgId, known, quotas),
      inviteExisting: true,
    });
    return { member: { userId: user.id, email: user.email, role: body.invite_type }, created };
  });
}

/**
 * What the caller of putMember may allow: the API checks ranks and caps and only invites existing
 * accounts; the admin CLI (the operator) adds directly, uncapped.
 */
export interface PutMemberRules {
  /** May refuse to touch an existing membership or invitation. */
  mayChange?: (existing: OrgMember) => void;
  /** May refuse a new membership or invitation; `known` says the user already has an account. */
  mayAdd?: (known: boolean) => Promise<void>;
  /** An existing account gets a pending invitation rather than a membership. */
  inviteExisting?: boolean;
}

/**
 * The one way a membership is added or changed, for the API and the admin CLI alike; run it in a
 * transaction that holds the org lock (lockOrg). The user is created when new; the org always keeps
 * a super_admin.
 */
export async function putMember(
  tx: EntityManager,
  orgId: string,
  email: string,
  role: Role,
  rules: PutMemberRules = {},
): Promise<{ user: User; created: boolean }> {
  const known = await findUserByEmail(tx, email);
  const existing = known && (await findMember(tx, orgId, known.id));
  if (existing) {
    rules.mayChange?.(existing);
    await assertNotLastSuperAdmin(tx, existing, role);
  } else {
    await rules.mayAdd?.(known !== null);
  }
  const user = known ?? (await ensureUser(tx, email));
  await upsertMember(tx, orgId, user.id, role, rules.inviteExisting === true && known !== null);
  await tx.flush();
  return { user, created: !existing };
}

/**
 * The invitee turns a pending invitation into a membership, with a key acting for their whole
 * user (mode `all`, no `limited_to_orgs`, no `limited_to_apps`): joining an org widens every key
 * of theirs, so a narrower key may not decide it.
 */
export async function acceptInvitation({ em, principal, orgId, quotas }: UseCase & { orgId: string; quotas: Quotas }) {
  if (!actsForWholeUser(principal) || principal.limitedToApps.length > 0) throw insufficientPermissions();
  return em.transactional(async (tx) => {
    if (!(await lockOrg(tx, orgId))) throw invitationNotFound();
    const user = await lockUser(tx, principal.userId);
    if (!user) throw invalidApiKey();
    const invitation = await findMember(tx, orgId, user.id);
    if (!invitation?.pending) throw invitationNotFound();
    await assertOrgFits(tx, user.id, quotas);
    invitation.pending = false;
    await tx.flush();
    return { userId: user.id, email: user.email, role: invitation.role };
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
