import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey, type KeyMode } from '../../src/modules/apikey/apikey.entity.js';
import { issueKey } from '../../src/modules/apikey/apikey.service.js';
import type { Role } from '../../src/modules/org/org.entity.js';
import { createOrgWithOwner, upsertMember } from '../../src/modules/org/org.repository.js';
import { ensureUser } from '../../src/modules/user/user.repository.js';
import { uniqueEmail } from './harness.js';

export interface Tenant {
  userId: string;
  email: string;
  orgId: string;
  /** An `all` key of the org's super_admin. */
  key: string;
  keyId: string;
}

/** A fresh user who owns a fresh org, with an `all` key: what `admin bootstrap` makes. */
export async function createTenant(em: EntityManager): Promise<Tenant> {
  const email = uniqueEmail();
  const user = await ensureUser(em, email);
  const org = createOrgWithOwner(em, {
    name: `Org ${randomUUID().slice(0, 8)}`,
    managementEmail: email,
    ownerId: user.id,
  });
  const { key, secret } = issueKey(em, { userId: user.id, name: 'owner key', mode: 'all' });
  await em.flush();
  return { userId: user.id, email, orgId: org.id, key: secret, keyId: key.id };
}

export interface KeyOptions {
  mode?: KeyMode;
  limitedToOrgs?: string[];
  limitedToApps?: string[];
  expiresAt?: Date | null;
}

/** A new member of `orgId` with `role`, and a key of theirs. */
export async function createMember(
  em: EntityManager,
  orgId: string,
  role: Role,
  options: KeyOptions = {},
): Promise<{ userId: string; key: string; keyId: string }> {
  const user = await ensureUser(em, uniqueEmail());
  await upsertMember(em, orgId, user.id, role);
  const { key, secret } = issueKey(em, {
    userId: user.id,
    name: `${role} key`,
    mode: options.mode ?? 'all',
    ...options,
  });
  await em.flush();
  return { userId: user.id, key: secret, keyId: key.id };
}

/** Makes an existing user a member of `orgId`. */
export async function addMembership(em: EntityManager, orgId: string, userId: string, role: Role) {
  await upsertMember(em, orgId, userId, role);
  await em.flush();
}

/** Another key of an existing user. */
export async function createKeyFor(em: EntityManager, userId: string, options: KeyOptions = {}) {
  const { key, secret } = issueKey(em, { userId, name: 'extra key', mode: options.mode ?? 'all', ...options });
  await em.flush();
  return { key: secret, keyId: key.id };
}

export async function keyRow(em: EntityManager, keyId: string) {
  return em.findOneOrFail(ApiKey, { id: keyId });
}
