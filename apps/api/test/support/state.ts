import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiKey } from '../../src/modules/apikey/apikey.entity.js';
import { App } from '../../src/modules/app/app.entity.js';
import { Org, OrgMember } from '../../src/modules/org/org.entity.js';

/** Everything an org holds, read from the database: for "nothing changed" assertions. */
export async function orgState(em: EntityManager, orgId: string) {
  const org = await em.findOne(Org, { id: orgId });
  const members = await em.find(OrgMember, { orgId }, { orderBy: { userId: 'asc' } });
  const apps = await em.find(App, { ownerOrg: orgId }, { orderBy: { appId: 'asc' } });
  return {
    org: org && {
      name: org.name,
      managementEmail: org.managementEmail,
      logo: org.logo,
      updatedAt: org.updatedAt.toISOString(),
    },
    members: members.map((member) => ({ userId: member.userId, role: member.role })),
    apps: apps.map((app) => ({ appId: app.appId, updatedAt: app.updatedAt.toISOString() })),
  };
}

/** A user's keys as stored (last use left out: reading through the API changes it). */
export async function keysState(em: EntityManager, userId: string) {
  const keys = await em.find(ApiKey, { userId }, { orderBy: { id: 'asc' } });
  return keys.map((key) => ({
    id: key.id,
    name: key.name,
    keyHash: key.keyHash,
    mode: key.mode,
    limitedToOrgs: key.limitedToOrgs,
    limitedToApps: key.limitedToApps,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  }));
}

export async function roleIn(em: EntityManager, orgId: string, userId: string) {
  return (await em.findOne(OrgMember, { orgId, userId }))?.role ?? null;
}
