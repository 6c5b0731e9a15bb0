import { describe, expect, it } from 'vitest';
import { createAppVia, call } from './support/client.js';
import { createMember, createTenant } from './support/factories.js';
import { ISO_DATE, UUID, errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();
const INVALID = 'Invalid app configuration';

describe('POST /app', () => {
  it('creates an app with the documented defaults, a Location header and 201', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { name: '  My New App  ', app_id: appId, icon: 'https://example.com/icon.png', owner_org: t.orgId },
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/app/${appId}`);
    expect(res.body).toEqual({
      app_id: appId,
      id: expect.stringMatching(UUID),
      name: 'My New App',
      icon_url: 'https://example.com/icon.png',
      owner_org: t.orgId,
      user_id: t.userId,
      default_upload_channel: 'dev',
      retention: 2592000,
      last_version: null,
      transfer_history: null,
      created_at: expect.stringMatching(ISO_DATE),
      updated_at: res.body.created_at,
    });
    const fetched = await call(h, 'get', `/app/${appId}`, { key: t.key });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body);
  });

  it('gives icon_url "" when no icon is sent', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, { name: 'No icon', app_id: uniqueAppId(), owner_org: t.orgId });
    expect(app.icon_url).toBe('');
  });

  it('rejects a duplicate app_id, in any letter case and from any org, with 409', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const appId = uniqueAppId('com.Demo');
    await createAppVia(h, a.key, { name: 'First', app_id: appId, owner_org: a.orgId });
    for (const [key, orgId, id] of [
      [a.key, a.orgId, appId],
      [b.key, b.orgId, appId.toLowerCase()],
      [b.key, b.orgId, appId.toUpperCase()],
    ] as const) {
      const res = await call(h, 'post', '/app', { key, body: { name: 'Second', app_id: id, owner_org: orgId } });
      expect(res.status).toBe(409);
      expect(res.body).toEqual(errorEnvelope('app_id_taken', 'Custom ID already in use', res.rid));
    }
  });

  it('gives exactly one 201 and otherwise 409 to racing creates of one app_id', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call(h, 'post', '/app', {
          key: t.key,
          body: { name: `Racer ${i}`, app_id: i % 2 ? appId.toUpperCase() : appId, owner_org: t.orgId },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) {
      expect(r.body).toEqual(errorEnvelope('app_id_taken', 'Custom ID already in use', r.rid));
    }
  });

  it('allows an app_id again once its app is deleted', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    await createAppVia(h, t.key, { name: 'One', app_id: appId, owner_org: t.orgId });
    expect((await call(h, 'delete', `/app/${appId}`, { key: t.key })).status).toBe(200);
    const again = await call(h, 'post', '/app', {
      key: t.key,
      body: { name: 'Two', app_id: appId, owner_org: t.orgId },
    });
    expect(again.status).toBe(201);
    expect(again.body.name).toBe('Two');
  });

  it('names every failing field of an invalid body', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { app_id: 'no dots here', name: '   ', icon: 'ftp://example.com/x.png', owner_org: 'not-a-uuid' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, {
        issues: [
          { path: 'app_id', message: expect.stringContaining('reverse-domain') },
          { path: 'name', message: 'Must not be empty' },
          { path: 'icon', message: 'Must be an http(s) URL' },
          { path: 'owner_org', message: 'Must be a UUID' },
        ],
      }),
    );
  });

  it.each([
    ['retention', { retention: 10 }],
    ['owner', { user_id: '6aa76066-55ef-4238-ade6-0b32334a4097' }],
    ['id', { id: '550e8400-e29b-41d4-a716-446655440000' }],
    ['created_at', { created_at: '2024-01-01T00:00:00Z' }],
    ['transfer_history', { transfer_history: [] }],
  ])('rejects the unknown field %s with 400 naming it', async (_label, extra) => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { name: 'X', app_id: uniqueAppId(), owner_org: t.orgId, ...extra },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, {
        issues: [{ path: Object.keys(extra)[0], message: 'Unknown field' }],
      }),
    );
  });

  it.each([
    ['a non-ASCII app_id', { app_id: 'com.exämple.app' }, 'app_id'],
    ['an app_id over 255 chars', { app_id: `com.${'a'.repeat(252)}` }, 'app_id'],
    ['a name over 255 chars', { name: 'n'.repeat(256) }, 'name'],
    ['a numeric name', { name: 42 }, 'name'],
    ['an icon over 2048 chars', { icon: `https://example.com/${'i'.repeat(2030)}` }, 'icon'],
    ['a missing owner_org', { owner_org: undefined }, 'owner_org'],
  ])('rejects %s with 400', async (_label, patch, field) => {
    const t = await createTenant(h.em());
    const body = { name: 'X', app_id: uniqueAppId(), owner_org: t.orgId, ...patch };
    const res = await call(h, 'post', '/app', { key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_parameters');
    expect(res.body.error).toBe(INVALID);
    expect(res.body.details.issues.map((i: { path: string }) => i.path)).toEqual([field]);
  });

  it('checks the body before rights: an invalid body for a foreign org is 400', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const res = await call(h, 'post', '/app', {
      key: a.key,
      body: { name: '', app_id: uniqueAppId(), owner_org: b.orgId },
    });
    expect(res.status).toBe(400);
  });

  it('refuses an org the key cannot write with 403 org_access_denied, and creates nothing', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const reader = await createMember(h.em(), a.orgId, 'read');
    const writeUnknown = '00000000-0000-4000-8000-000000000000';
    for (const [key, orgId] of [
      [a.key, b.orgId],
      [reader.key, a.orgId],
      [a.key, writeUnknown],
    ] as const) {
      const appId = uniqueAppId();
      const res = await call(h, 'post', '/app', { key, body: { name: 'X', app_id: appId, owner_org: orgId } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('org_access_denied', 'You do not have access to this organization', res.rid),
      );
      expect((await call(h, 'get', `/app/${appId}`, { key: b.key })).status).toBe(404);
    }
  });

  it('lets a key limited to apps create none: 403 insufficient_permissions', async () => {
    const t = await createTenant(h.em());
    const limited = await createMember(h.em(), t.orgId, 'admin', { limitedToApps: ['com.some.app'] });
    const res = await call(h, 'post', '/app', {
      key: limited.key,
      body: { name: 'X', app_id: 'com.some.app', owner_org: t.orgId },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(
      errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid),
    );
  });
});
