import { describe, expect, it } from 'vitest';
import { ApiKey } from '../src/modules/apikey/apikey.entity.js';
import { revokeKey } from '../src/modules/admin/admin.service.js';
import { OrgMember } from '../src/modules/org/org.entity.js';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();

// Authentication reads the key and its owner's roles afresh on every request: nothing may keep a
// revoked or expired key, or a lost role, alive for even one more request.
describe('authentication is never stale', () => {
  it('rejects a revoked key on the very next request', async () => {
    const t = await createTenant(h.em());
    const extra = await createKeyFor(h.em(), t.userId);
    expect((await call(h, 'get', '/app', { key: extra.key })).status).toBe(200);

    await revokeKey(h.em(), { id: extra.keyId });

    const res = await call(h, 'get', '/app', { key: extra.key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', res.rid));
    expect((await call(h, 'get', '/app', { key: t.key })).status).toBe(200);
  });

  it('rejects a key on the very next request once its expiry has passed', async () => {
    const t = await createTenant(h.em());
    const extra = await createKeyFor(h.em(), t.userId, { expiresAt: new Date(Date.now() + 3_600_000) });
    expect((await call(h, 'get', '/app', { key: extra.key })).status).toBe(200);

    await h.em().nativeUpdate(ApiKey, { id: extra.keyId }, { expiresAt: new Date(Date.now() - 1) });

    const res = await call(h, 'get', '/app', { key: extra.key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', res.rid));
  });

  it('stops showing an org’s apps on the very next request once the membership is gone', async () => {
    const owner = await createTenant(h.em());
    const other = await createTenant(h.em());
    const app = await createAppVia(h, owner.key, { name: 'Shared', app_id: uniqueAppId(), owner_org: owner.orgId });
    const em = h.em();
    em.create(OrgMember, { orgId: owner.orgId, userId: other.userId, role: 'read' } as OrgMember);
    await em.flush();
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: other.key })).status).toBe(200);

    await h.em().nativeDelete(OrgMember, { orgId: owner.orgId, userId: other.userId });

    const res = await call(h, 'get', `/app/${app.app_id}`, { key: other.key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
  });
});
