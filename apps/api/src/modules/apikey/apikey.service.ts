import { randomUUID } from 'node:crypto';
import type { CreateApiKeyBody, UpdateApiKeyBody } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  apiKeyNotFound,
  insufficientPermissions,
  invalidApiKey,
  limitReached,
  orgAccessDenied,
} from '../../common/errors.js';
import { type KeyPower, type Principal, actsForWholeUser, hasRole, isWithin } from '../../common/rights.js';
import type { Quotas } from '../../config.js';
import { lockUser } from '../user/user.repository.js';
import { ApiKey, type KeyMode } from './apikey.entity.js';
import { countKeysOfUser, deleteKeyOfUser, findKeyOfUser, findKeysOfUser } from './apikey.repository.js';
import { generateSecret, hashSecret, hintFor } from './apikey.secret.js';
import type { UseCase } from '../../common/request-context.js';

export interface NewKey {
  userId: string;
  name: string;
  mode: KeyMode;
  limitedToOrgs?: string[];
  limitedToApps?: string[];
  expiresAt?: Date | null;
}

/** Persists (on the next flush) a new key; the secret is returned once and never stored. */
export function issueKey(em: EntityManager, input: NewKey): { key: ApiKey; secret: string } {
  const secret = generateSecret();
  const key = em.create(ApiKey, {
    id: randomUUID(),
    userId: input.userId,
    name: input.name,
    keyHash: hashSecret(secret),
    hint: hintFor(secret),
    mode: input.mode,
    limitedToOrgs: input.limitedToOrgs ?? [],
    limitedToApps: (input.limitedToApps ?? []).map((appId) => appId.toLowerCase()),
    expiresAt: input.expiresAt ?? null,
    lastUsedAt: null,
  } as ApiKey);
  return { key, secret };
}

function assertMayManageKeys(principal: Principal): void {
  if (!actsForWholeUser(principal)) throw insufficientPermissions();
}

const unique = (values: string[]) => [...new Set(values)];
const toDate = (value: string | null) => (value === null ? null : new Date(value));

/**
 * A key may confine another only to orgs it can read itself, and may never produce a key more
 * powerful than itself: this is also what stops a key from lifting its own limits.
 */
function assertGrantable(principal: Principal, power: KeyPower, orgsSent: string[]): void {
  if (!orgsSent.every((orgId) => hasRole(principal, orgId, 'read'))) throw orgAccessDenied();
  if (!isWithin(power, principal)) throw insufficientPermissions();
}

/**
 * A key sees and touches only keys no more powerful than itself, so a key confined to some
 * apps can neither revoke nor cripple the unrestricted key of its owner.
 */
const isManageableBy = (principal: Principal) => (key: ApiKey) =>
  isWithin(
    {
      mode: key.mode,
      limitedToOrgs: key.limitedToOrgs,
      limitedToApps: key.limitedToApps,
      expiresAt: key.expiresAt ?? null,
    },
    principal,
  );

export async function listApiKeys({ em, principal }: UseCase): Promise<ApiKey[]> {
  assertMayManageKeys(principal);
  return (await findKeysOfUser(em, principal.userId)).filter(isManageableBy(principal));
}

export async function getApiKey({ em, principal, id }: UseCase & { id: string }): Promise<ApiKey> {
  assertMayManageKeys(principal);
  const key = await findKeyOfUser(em, principal.userId, id);
  if (!key) throw apiKeyNotFound();
  if (!isManageableBy(principal)(key)) throw insufficientPermissions();
  return key;
}

export async function createApiKey({
  em,
  principal,
  body,
  quotas,
}: UseCase & { body: CreateApiKeyBody; quotas: Quotas }) {
  assertMayManageKeys(principal);
  const power: KeyPower = {
    mode: body.mode,
    limitedToOrgs: unique(body.limited_to_orgs ?? []),
    limitedToApps: unique((body.limited_to_apps ?? []).map((appId) => appId.toLowerCase())),
    expiresAt: toDate(body.expires_at ?? null),
  };
  assertGrantable(principal, power, power.limitedToOrgs);

  return em.transactional(async (tx) => {
    // Deleting a user deletes their keys: a key whose user is gone is an unknown key.
    if (!(await lockUser(tx, principal.userId))) throw invalidApiKey();
    if ((await countKeysOfUser(tx, principal.userId)) >= quotas.MAX_KEYS_PER_USER) {
      throw limitReached('keys_per_user', quotas.MAX_KEYS_PER_USER, 'API keys per user');
    }
    const issued = issueKey(tx, { userId: principal.userId, name: body.name, ...power });
    await tx.flush();
    return issued;
  });
}

/** Fields left out keep their value; the key as a whole, after the change, must be grantable. */
export async function updateApiKey({ em, principal, id, body }: UseCase & { id: string; body: UpdateApiKeyBody }) {
  const key = await getApiKey({ em, principal, id });
  const power: KeyPower = {
    mode: body.mode ?? key.mode,
    limitedToOrgs: body.limited_to_orgs ? unique(body.limited_to_orgs) : key.limitedToOrgs,
    limitedToApps: body.limited_to_apps
      ? unique(body.limited_to_apps.map((appId) => appId.toLowerCase()))
      : key.limitedToApps,
    expiresAt: body.expires_at !== undefined ? toDate(body.expires_at) : (key.expiresAt ?? null),
  };
  assertGrantable(principal, power, body.limited_to_orgs ?? []);

  if (body.name !== undefined) key.name = body.name;
  Object.assign(key, power);
  await em.flush();
  return key;
}

/** Deletes the key: from this moment on it is an unknown key (401 invalid_apikey). */
export async function revokeApiKey({ em, principal, id }: UseCase & { id: string }): Promise<void> {
  await getApiKey({ em, principal, id });
  if (!(await deleteKeyOfUser(em, principal.userId, id))) throw apiKeyNotFound();
}
