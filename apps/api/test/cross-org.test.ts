import { describe, expect, it } from 'vitest';
import { App } from '../src/modules/app/app.entity.js';
import { call, createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();

const ORG_DENIED = ['org_access_denied', 'You do not have access to this organization'] as const;
const NOT_FOUND = ['app_not_found', 'App not found'] as const;

/** Every /app route, called with org A's super_admin key on org B's objects. */
const routes = [
  { name: 'list B', method: 'get', path: (b: Target) => `/app?org_id=${b.orgId}`, expected: [403, ...ORG_DENIED] },
  { name: 'get B app', method: 'get', path: (b: Target) => `/app/${b.appId}`, expected: [404, ...NOT_FOUND] },
  {
    name: 'create in B',
    method: 'post',
    path: () => '/app',
    body: (b: Target) => ({ name: 'Intruder', app_id: uniqueAppId(), owner_org: b.orgId }),
    expected: [403, ...ORG_DENIED],
  },
  {
    name: 'update B app',
    method: 'put',
    path: (b: Target) => `/app/${b.appId}`,
    body: () => ({ name: 'Hijacked', retention: 0 }),
    expected: [404, ...NOT_FOUND],
  },
  { name: 'delete B app', method: 'delete', path: (b: Target) => `/app/${b.appId}`, expected: [404, ...NOT_FOUND] },
] as const;

interface Target {
  orgId: string;
  appId: string;
}

describe("another org's key", () => {
  it.each(routes)('gets the documented answer on "$name" and changes nothing', async (route) => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const bApp = await createAppVia(h, b.key, { name: 'B app', app_id: uniqueAppId(), owner_org: b.orgId });
    const target = { orgId: b.orgId, appId: bApp.app_id };

    const res = await call(h, route.method, route.path(target), {
      key: a.key,
      body: 'body' in route ? route.body(target) : undefined,
    });
    const [status, code, message] = route.expected;
    expect(res.status).toBe(status);
    expect(res.body).toEqual(errorEnvelope(code, message, res.rid));

    expect((await call(h, 'get', `/app/${bApp.app_id}`, { key: b.key })).body).toEqual(bApp);
    expect(await h.em().count(App, { ownerOrg: b.orgId })).toBe(1);
  });

  it('never sees B apps in its own unfiltered list', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    await createAppVia(h, b.key, { name: 'B app', app_id: uniqueAppId(), owner_org: b.orgId });
    const mine = await createAppVia(h, a.key, { name: 'A app', app_id: uniqueAppId(), owner_org: a.orgId });
    const res = await call(h, 'get', '/app', { key: a.key });
    expect(res.body).toEqual({ data: [mine], page: 0, limit: 50, total: 1 });
  });
});
