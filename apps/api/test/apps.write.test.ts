import { describe, expect, it } from 'vitest';
import { App } from '../src/modules/app/app.entity.js';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createMember, createTenant } from './support/factories.js';
import { ISO_DATE, errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();
const INVALID = 'Invalid app configuration';

async function tenantWithApp() {
  const t = await createTenant(h.em());
  const app = await createAppVia(h, t.key, {
    name: 'Original',
    app_id: uniqueAppId(),
    icon: 'https://example.com/a.png',
    owner_org: t.orgId,
  });
  return { t, app };
}

describe('PUT /app/:app_id', () => {
  it('updates name, icon and retention (seconds) and advances updated_at', async () => {
    const { t, app } = await tenantWithApp();
    const res = await call(h, 'put', `/app/${app.app_id.toUpperCase()}`, {
      key: t.key,
      body: { name: ' Updated App Name ', icon: 'https://example.com/updated-icon.png', retention: 45 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...app,
      name: 'Updated App Name',
      icon_url: 'https://example.com/updated-icon.png',
      retention: 45,
      updated_at: expect.stringMatching(ISO_DATE),
    });
    expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(app.updated_at));
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body).toEqual(res.body);
  });

  it('advances updated_at even when nothing changes', async () => {
    const { t, app } = await tenantWithApp();
    const first = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { name: 'Original' } });
    const second = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { name: 'Original' } });
    expect(Date.parse(second.body.updated_at)).toBeGreaterThan(Date.parse(first.body.updated_at));
  });

  it.each([[''], [null]])('clears the icon with %j', async (icon) => {
    const { t, app } = await tenantWithApp();
    const res = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { icon } });
    expect(res.status).toBe(200);
    expect(res.body.icon_url).toBe('');
  });

  it.each([
    [0, 200],
    [63113903, 200],
    [63113904, 400],
    [-1, 400],
    [1.5, 400],
    ['45', 400],
  ])('takes retention %j → %i', async (retention, status) => {
    const { t, app } = await tenantWithApp();
    const res = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { retention } });
    expect(res.status).toBe(status);
    if (status === 200) expect(res.body.retention).toBe(retention);
    else expect(res.body.details.issues.map((i: { path: string }) => i.path)).toEqual(['retention']);
  });

  it('rejects an empty body, unknown fields and read-only fields with 400', async () => {
    const { t, app } = await tenantWithApp();
    const empty = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: {} });
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, empty.rid, {
        issues: [{ path: '', message: 'At least one of name, icon, retention is required' }],
      }),
    );
    const unknown = await call(h, 'put', `/app/${app.app_id}`, {
      key: t.key,
      body: { name: 'x', owner_org: t.orgId, app_id: 'com.other.id' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, unknown.rid, {
        issues: [
          { path: 'owner_org', message: 'Unknown field' },
          { path: 'app_id', message: 'Unknown field' },
        ],
      }),
    );
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body).toEqual(app);
  });

  it('answers 403 to a key that can read but not write the app, and changes nothing', async () => {
    const { t, app } = await tenantWithApp();
    const reader = await createMember(h.em(), t.orgId, 'upload');
    const readKey = await createKeyFor(h.em(), t.userId, { mode: 'read' });
    for (const key of [reader.key, readKey.key]) {
      const res = await call(h, 'put', `/app/${app.app_id}`, { key, body: { name: 'Hacked' } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid),
      );
    }
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body).toEqual(app);
  });

  it('answers 404 for an app the key cannot see', async () => {
    const { app } = await tenantWithApp();
    const stranger = await createTenant(h.em());
    const res = await call(h, 'put', `/app/${app.app_id}`, { key: stranger.key, body: { name: 'x' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
  });
});

describe('DELETE /app/:app_id', () => {
  it('deletes the app: 200 {status: ok}, then 404', async () => {
    const { t, app } = await tenantWithApp();
    const res = await call(h, 'delete', `/app/${app.app_id.toLowerCase()}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const gone = await call(h, 'get', `/app/${app.app_id}`, { key: t.key });
    expect(gone.status).toBe(404);
    expect(await h.em().count(App, { id: app.id })).toBe(0);
  });

  it('needs admin: read, upload and write members and capped keys get 403 and the app stays', async () => {
    const { t, app } = await tenantWithApp();
    const keys = [
      (await createMember(h.em(), t.orgId, 'read')).key,
      (await createMember(h.em(), t.orgId, 'upload')).key,
      (await createMember(h.em(), t.orgId, 'write')).key,
      (await createKeyFor(h.em(), t.userId, { mode: 'write' })).key,
    ];
    for (const key of keys) {
      const res = await call(h, 'delete', `/app/${app.app_id}`, { key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid),
      );
    }
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).status).toBe(200);
    const admin = await createMember(h.em(), t.orgId, 'admin');
    expect((await call(h, 'delete', `/app/${app.app_id}`, { key: admin.key })).status).toBe(200);
  });

  it('answers 404 for a missing or foreign app', async () => {
    const { app } = await tenantWithApp();
    const stranger = await createTenant(h.em());
    for (const appId of [app.app_id, uniqueAppId()]) {
      const res = await call(h, 'delete', `/app/${appId}`, { key: stranger.key });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
    }
  });
});
