import { describe, expect, it } from 'vitest';
import { call, createAppVia } from './support/client.js';
import { addMembership, createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();
const INVALID = 'Invalid app configuration';

async function tenantWithApps(count: number) {
  const t = await createTenant(h.em());
  const apps = [];
  for (let i = 0; i < count; i++) {
    apps.push(await createAppVia(h, t.key, { name: `App ${i}`, app_id: uniqueAppId(), owner_org: t.orgId }));
  }
  return { t, apps };
}

/** Newest first, then app_id ascending in byte order. */
const expectedOrder = (apps: { app_id: string; created_at: unknown }[]) =>
  [...apps]
    .sort((a, b) =>
      a.created_at === b.created_at
        ? Buffer.compare(Buffer.from(a.app_id), Buffer.from(b.app_id))
        : String(b.created_at).localeCompare(String(a.created_at)),
    )
    .map((app) => app.app_id);

describe('GET /app/:app_id', () => {
  it('finds an app by either spelling of its app_id', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, {
      name: 'Mixed',
      app_id: uniqueAppId('com.Mixed.Case'),
      owner_org: t.orgId,
    });
    for (const spelling of [app.app_id, app.app_id.toLowerCase(), app.app_id.toUpperCase()]) {
      const res = await call(h, 'get', `/app/${spelling}`, { key: t.key });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(app);
    }
  });

  it('answers a missing app and a foreign app with the same 404 body', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const foreign = await createAppVia(h, b.key, { name: 'B', app_id: uniqueAppId(), owner_org: b.orgId });
    for (const appId of [foreign.app_id, uniqueAppId()]) {
      const res = await call(h, 'get', `/app/${appId}`, { key: a.key });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
    }
  });

  it.each(['nodots', 'com..x', '-com.x', 'com.x%20y', 'com.%C3%A9.x'])(
    'answers the malformed app_id %s with 400',
    async (appId) => {
      const t = await createTenant(h.em());
      const res = await call(h, 'get', `/app/${appId}`, { key: t.key });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorEnvelope('invalid_parameters', INVALID, res.rid, {
          issues: [{ path: 'app_id', message: expect.stringContaining('reverse-domain') }],
        }),
      );
    },
  );

  it('hides apps outside a key limited_to_apps', async () => {
    const { t, apps } = await tenantWithApps(2);
    const limited = await createKeyFor(h.em(), t.userId, { limitedToApps: [apps[0]?.app_id.toUpperCase() ?? ''] });
    expect((await call(h, 'get', `/app/${apps[0]?.app_id}`, { key: limited.key })).status).toBe(200);
    const hidden = await call(h, 'get', `/app/${apps[1]?.app_id}`, { key: limited.key });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual(errorEnvelope('app_not_found', 'App not found', hidden.rid));
  });
});

describe('GET /app', () => {
  it('lists the apps of every org of the key, newest first, with page, limit and total', async () => {
    const { t, apps } = await tenantWithApps(3);
    // The tenant's user is also a reader of a second org, which has one app.
    const second = await createTenant(h.em());
    const secondApp = await createAppVia(h, second.key, {
      name: 'Second org app',
      app_id: uniqueAppId(),
      owner_org: second.orgId,
    });
    await addMembership(h.em(), second.orgId, t.userId, 'read');
    // An org the user is not in stays out of the list.
    const stranger = await createTenant(h.em());
    await createAppVia(h, stranger.key, { name: 'Not mine', app_id: uniqueAppId(), owner_org: stranger.orgId });

    const res = await call(h, 'get', '/app', { key: t.key });
    expect(res.status).toBe(200);
    const all = [...apps, secondApp];
    expect(res.body).toEqual({
      data: expectedOrder(all).map((id) => all.find((a) => a.app_id === id)),
      page: 0,
      limit: 50,
      total: 4,
    });
  });

  it('pages with a 0-based page, stable and complete across pages', async () => {
    const { t, apps } = await tenantWithApps(5);
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const res = await call(h, 'get', `/app?limit=2&page=${page}`, { key: t.key });
      expect(res.status).toBe(200);
      expect(res.body.page).toBe(page);
      expect(res.body.limit).toBe(2);
      expect(res.body.total).toBe(5);
      seen.push(...res.body.data.map((a: { app_id: string }) => a.app_id));
    }
    expect(seen).toEqual(expectedOrder(apps));
    const beyond = await call(h, 'get', '/app?limit=2&page=3', { key: t.key });
    expect(beyond.body).toEqual({ data: [], page: 3, limit: 2, total: 5 });
  });

  it('filters by org_id', async () => {
    const { t, apps } = await tenantWithApps(2);
    const res = await call(h, 'get', `/app/?org_id=${t.orgId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body.data.map((a: { app_id: string }) => a.app_id)).toEqual(expectedOrder(apps));
    expect(res.body.total).toBe(2);
  });

  it('answers 403 for an org_id the key may not read, existing or not', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const limitedToA = await createKeyFor(h.em(), a.userId, { limitedToOrgs: [a.orgId] });
    for (const [key, orgId] of [
      [a.key, b.orgId],
      [a.key, '00000000-0000-4000-8000-000000000000'],
      [limitedToA.key, b.orgId],
    ] as const) {
      const res = await call(h, 'get', `/app?org_id=${orgId}`, { key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('org_access_denied', 'You do not have access to this organization', res.rid),
      );
    }
  });

  it('narrows the list to a key limited_to_apps and limited_to_orgs', async () => {
    const { t, apps } = await tenantWithApps(3);
    const limited = await createKeyFor(h.em(), t.userId, { limitedToApps: [apps[1]?.app_id ?? ''] });
    const res = await call(h, 'get', '/app', { key: limited.key });
    expect(res.body).toEqual({ data: [apps[1]], page: 0, limit: 50, total: 1 });

    const second = await createTenant(h.em());
    const orgLimited = await createKeyFor(h.em(), second.userId, { limitedToOrgs: [t.orgId] });
    const none = await call(h, 'get', '/app', { key: orgLimited.key });
    expect(none.body).toEqual({ data: [], page: 0, limit: 50, total: 0 });
  });

  it.each([
    ['limit=0', [{ path: 'limit', message: 'Must be at least 1' }]],
    ['limit=1001', [{ path: 'limit', message: 'Must be at most 1000' }]],
    ['page=-1', [{ path: 'page', message: 'Must be at least 0' }]],
    ['page=1000001', [{ path: 'page', message: 'Must be at most 1000000' }]],
    [
      'page=abc&limit=2.5',
      [
        { path: 'page', message: 'Expected an integer' },
        { path: 'limit', message: 'Expected an integer' },
      ],
    ],
    ['org_id=123', [{ path: 'org_id', message: 'Must be a UUID' }]],
  ])('rejects %s with 400, never clamping', async (query, issues) => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', `/app?${query}`, { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues }));
  });

  it('accepts the extreme page and limit', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', '/app?page=1000000&limit=1000', { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], page: 1000000, limit: 1000, total: 0 });
  });
});
