import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, type KeyMode } from '../apikey/apikey.entity.js';
import { issueKey } from '../apikey/apikey.service.js';
import type { Role } from '../org/org.entity.js';
import { createOrgWithOwner, findOrgById, upsertMember } from '../org/org.repository.js';
import { findOrCreateUser, findUserByEmail } from '../user/user.repository.js';
import { User } from '../user/user.entity.js';

/** An operator's request that cannot be carried out; the CLI prints the message. */
export class AdminError extends Error {}

/** A user (created if new), a new org with that user as super_admin, and an `all` key. */
export function bootstrap(em: EntityManager, input: { email: string; orgName: string }) {
  return em.transactional(async (tx) => {
    const user = await findOrCreateUser(tx, input.email);
    const org = createOrgWithOwner(tx, { name: input.orgName, managementEmail: user.email, ownerId: user.id });
    const { secret } = issueKey(tx, { userId: user.id, name: 'bootstrap', mode: 'all' });
    await tx.flush();
    return { user_id: user.id, org_id: org.id, api_key: secret };
  });
}

export function addMember(em: EntityManager, input: { orgId: string; email: string; role: Role }) {
  return em.transactional(async (tx) => {
    const org = await findOrgById(tx, input.orgId);
    if (!org) throw new AdminError(`No organization with id ${input.orgId}`);
    const user = await findOrCreateUser(tx, input.email);
    await upsertMember(tx, org.id, user.id, input.role);
    await tx.flush();
    return { user_id: user.id, org_id: org.id, role: input.role };
  });
}

export function createKey(
  em: EntityManager,
  input: {
    email: string;
    mode: KeyMode;
    name?: string;
    limitedToOrgs?: string[];
    limitedToApps?: string[];
    expiresAt?: Date;
  },
) {
  return em.transactional(async (tx) => {
    const user = await findUserByEmail(tx, input.email);
    if (!user) throw new AdminError(`No user with e-mail ${input.email}`);
    const { key, secret } = issueKey(tx, {
      userId: user.id,
      name: input.name ?? `${input.mode} key`,
      mode: input.mode,
      limitedToOrgs: input.limitedToOrgs,
      limitedToApps: input.limitedToApps,
      expiresAt: input.expiresAt,
    });
    await tx.flush();
    return { id: key.id, api_key: secret };
  });
}

/** Deletes the key: from this moment on it is an unknown key (401 invalid_apikey). */
export async function revokeKey(em: EntityManager, input: { id: string }) {
  const deleted = await em.nativeDelete(ApiKey, { id: input.id });
  if (deleted === 0) throw new AdminError(`No API key with id ${input.id}`);
  return { id: input.id, revoked: true as const };
}

export const FIRST_START_EMAIL = 'admin@localhost';
export const FIRST_START_ORG = 'Default organization';

/** On an empty database: the same as `bootstrap`, for the zero-setup first start. Else undefined. */
export async function bootstrapIfEmpty(em: EntityManager) {
  if ((await em.count(User, {})) > 0) return undefined;
  return bootstrap(em, { email: FIRST_START_EMAIL, orgName: FIRST_START_ORG });
}
