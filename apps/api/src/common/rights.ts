import type { KeyMode, Role } from '@apps-api/contract';

/** Roles rank read < upload < write < admin < super_admin. */
export const ROLE_RANK: Record<Role, number> = { read: 0, upload: 1, write: 2, admin: 3, super_admin: 4 };
const MODE_CAP: Record<KeyMode, number> = { read: 0, upload: 1, write: 2, all: Number.POSITIVE_INFINITY };
const NONE = -1;

/** Who is calling: the key, its owner and what the owner holds. Built once per request. */
export interface Principal {
  keyId: string;
  userId: string;
  mode: KeyMode;
  limitedToOrgs: string[];
  /** Lower-cased. */
  limitedToApps: string[];
  expiresAt: Date | null;
  roles: ReadonlyMap<string, Role>;
}

/**
 * The key's effective right on an org (SPEC §3): the lower of the user's role there and the key's
 * mode, and nothing outside `limited_to_orgs`. -1 means no access at all.
 */
export function rankIn(principal: Principal, orgId: string): number {
  if (principal.limitedToOrgs.length > 0 && !principal.limitedToOrgs.includes(orgId)) return NONE;
  const role = principal.roles.get(orgId);
  if (!role) return NONE;
  return Math.min(ROLE_RANK[role], MODE_CAP[principal.mode]);
}

export function hasRole(principal: Principal, orgId: string, needed: Role): boolean {
  return rankIn(principal, orgId) >= ROLE_RANK[needed];
}

/** Orgs the key may read, narrowed by its org limit. */
export function readableOrgIds(principal: Principal): string[] {
  return [...principal.roles.keys()].filter((orgId) => hasRole(principal, orgId, 'read'));
}

export function isAppInScope(principal: Principal, appIdKey: string): boolean {
  return principal.limitedToApps.length === 0 || principal.limitedToApps.includes(appIdKey);
}

/**
 * A key that acts for its whole user: mode `all`, no org limit. Only such a key may manage keys
 * (a key confined to some orgs must not mint keys that reach the others) or create orgs.
 */
export function actsForWholeUser(principal: Principal): boolean {
  return principal.mode === 'all' && principal.limitedToOrgs.length === 0;
}

/** What a key may do, apart from its owner's roles. */
export interface KeyPower {
  mode: KeyMode;
  limitedToOrgs: string[];
  limitedToApps: string[];
  expiresAt: Date | null;
}

const isSubset = (inner: string[], outer: string[]) => inner.length > 0 && inner.every((item) => outer.includes(item));

/**
 * Whether `candidate` is no more powerful than `cap` in any respect: mode, org and app limits
 * (an empty list means no limit, so it only fits an unlimited cap) and expiry.
 */
export function isWithin(candidate: KeyPower, cap: KeyPower): boolean {
  if (MODE_CAP[candidate.mode] > MODE_CAP[cap.mode]) return false;
  if (cap.limitedToOrgs.length > 0 && !isSubset(candidate.limitedToOrgs, cap.limitedToOrgs)) return false;
  if (cap.limitedToApps.length > 0 && !isSubset(candidate.limitedToApps, cap.limitedToApps)) return false;
  if (cap.expiresAt && (!candidate.expiresAt || candidate.expiresAt > cap.expiresAt)) return false;
  return true;
}
