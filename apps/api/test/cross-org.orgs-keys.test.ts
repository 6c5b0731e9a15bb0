import { describe, expect, it } from 'vitest';
import { call, createAppVia } from './support/client.js';
import { type Tenant, createKeyFor, createMember, createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, uniqueEmail, useServer } from './support/harness.js';
import { keysState, orgState } from './support/state.js';

/*
 * Org A's key acting on org B's objects, for every /organization, /organization/members and
 * /apikey route: the documented 403 or 404, and org B, its members, apps and keys unchanged.
 */

const h = useServer();
const DENIED = errorEnvelope('org_access_denied', 'You do not have access to this organization', '');
const KEY_NOT_FOUND = errorEnvelope('apikey_not_found', 'API key not found', '');
const INSUFFICIENT = errorEnvelope('insufficient_permissions', 'Insufficient permissions', '');

type Method = 'get' | 'post' | 'put' | 'delete';
type Expected = { status: number; body: ReturnType<typeof errorEnvelope> };
type Route = [label: string, method: Method, path: (b: Tenant) => string, body: (b: Tenant, a: Tenant) => unknown];

const routes: Route[] = [
  ['get org B', 'get', (b) => `/organization?orgId=${b.orgId}`, () => undefined],
  ['update org B', 'put', () => '/organization', (b) => ({ orgId: b.orgId, name: 'Taken over' })],
  ['delete org B', 'delete', (b) => `/organization?orgId=${b.orgId}`, () => undefined],
  ['list members of B', 'get', (b) => `/organization/members?orgId=${b.orgId}`, () => undefined],
  [
    'invite into B',
    'post',
    () => '/organization/members',
    (b) => ({ orgId: b.orgId, email: uniqueEmail(), invite_type: 'read' }),
  ],
  [
    'add oneself to B as super_admin',
    'post',
    () => '/organization/members',
    (b, a) => ({ orgId: b.orgId, email: a.email, invite_type: 'super_admin' }),
  ],
  [
    "demote B's owner",
    'post',
    () => '/organization/members',
    (b) => ({ orgId: b.orgId, email: b.email, invite_type: 'read' }),
  ],
  [
    "remove B's owner",
    'delete',
    (b) => `/organization/members?orgId=${b.orgId}&email=${encodeURIComponent(b.email)}`,
    () => undefined,
  ],
  ["get B's key", 'get', (b) => `/apikey/${b.keyId}`, () => undefined],
  ["update B's key", 'put', (b) => `/apikey/${b.keyId}`, () => ({ name: 'mine now', limited_to_orgs: [] })],
  ["revoke B's key", 'delete', (b) => `/apikey/${b.keyId}`, () => undefined],
  ['create a key confined to B', 'post', () => '/apikey', (b) => ({ name: 'into B', limited_to_orgs: [b.orgId] })],
  ['confine own key to B', 'put', (_b) => '/apikey/__OWN__', (b) => ({ limited_to_orgs: [b.orgId] })],
];

const isKeyRoute = (label: string) => /key/.test(label);

/** Everything of B (and the acting user's keys) that the calls must leave as it was. */
async function snapshot(a: Tenant, b: Tenant) {
  return {
    org: await orgState(h.em(), b.orgId),
    keysOfB: await keysState(h.em(), b.userId),
    keysOfA: await keysState(h.em(), a.userId),
  };
}

async function orgsWithApps() {
  const a = await createTenant(h.em());
  const b = await createTenant(h.em());
  await createMember(h.em(), b.orgId, 'write');
  await createAppVia(h, b.key, { app_id: uniqueAppId(), name: 'B app', owner_org: b.orgId });
  return { a, b };
}

async function expectUnchanged(a: Tenant, b: Tenant, before: Awaited<ReturnType<typeof snapshot>>) {
  expect(await snapshot(a, b)).toEqual(before);
  expect((await call(h, 'get', `/organization?orgId=${b.orgId}`, { key: b.key })).status).toBe(200);
}

describe("another tenant's owner key (super_admin of org A, mode all)", () => {
  const expected = (label: string): Expected =>
    /^(get|update|revoke) B's key$/.test(label) ? { status: 404, body: KEY_NOT_FOUND } : { status: 403, body: DENIED };

  it.each(routes)('%s → documented 403/404, nothing changed', async (label, method, path, body) => {
    const { a, b } = await orgsWithApps();
    const before = await snapshot(a, b);
    const res = await call(h, method, path(b).replace('__OWN__', a.keyId), { key: a.key, body: body(b, a) });
    const want = expected(label);
    expect(res.status).toBe(want.status);
    expect(res.body).toEqual({ ...want.body, request_id: res.rid });
    await expectUnchanged(a, b, before);
  });

  it('never sees B in its lists', async () => {
    const { a, b } = await orgsWithApps();
    const orgs = await call(h, 'get', '/organization', { key: a.key });
    expect(orgs.body.data.map((org: { id: string }) => org.id)).toEqual([a.orgId]);
    const keys = await call(h, 'get', '/apikey', { key: a.key });
    expect(keys.body.data.map((key: { id: string }) => key.id)).toEqual([a.keyId]);
    expect((await call(h, 'get', '/app', { key: a.key })).body.total).toBe(0);
    expect(JSON.stringify([orgs.body, keys.body])).not.toContain(b.orgId);
  });
});

describe('a key confined to org A, of a user who is super_admin of both A and B', () => {
  it.each(routes)('%s → documented 403, nothing changed', async (label, method, path, body) => {
    const { a, b } = await orgsWithApps();
    // B's owner makes A's owner a super_admin of B too; A's key is then confined to A.
    await call(h, 'post', '/organization/members', {
      key: b.key,
      body: { orgId: b.orgId, email: a.email, invite_type: 'super_admin' },
    });
    const confined = await createKeyFor(h.em(), a.userId, { limitedToOrgs: [a.orgId] });
    const before = await snapshot(a, b);
    const res = await call(h, method, path(b).replace('__OWN__', confined.keyId), {
      key: confined.key,
      body: body(b, a),
    });
    // Keys can only be managed by keys without an org limit; everything of B is out of reach.
    const want = isKeyRoute(label) ? INSUFFICIENT : DENIED;
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ ...want, request_id: res.rid });
    await expectUnchanged(a, b, before);
  });
});
