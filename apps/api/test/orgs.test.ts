import { describe, expect, it } from 'vitest';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createMember, createTenant } from './support/factories.js';
import { ISO_DATE, UUID, errorEnvelope, uniqueAppId, useServer } from './support/harness.js';
import { orgState, roleIn } from './support/state.js';

const h = useServer();
const INVALID = 'Invalid parameters';
const DENIED = 'You do not have access to this organization';
const UNKNOWN_ORG = '00000000-0000-4000-8000-000000000000';

describe('POST /organization', () => {
  it('creates an org with the caller as super_admin and their e-mail as management_email', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/organization', { key: t.key, body: { name: '  Acme Mobile  ' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(UUID) });
    const org = await call(h, 'get', `/organization?orgId=${res.body.id}`, { key: t.key });
    expect(org.status).toBe(200);
    expect(org.body).toEqual({
      id: res.body.id,
      name: 'Acme Mobile',
      management_email: t.email,
      logo: null,
      created_by: t.userId,
      created_at: expect.stringMatching(ISO_DATE),
      updated_at: org.body.created_at,
    });
    expect(await roleIn(h.em(), res.body.id, t.userId)).toBe('super_admin');
  });

  it('uses `email` as management_email when given', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/organization', { key: t.key, body: { name: 'Billing', email: 'ops@acme.io' } });
    const org = await call(h, 'get', `/organization?orgId=${res.body.id}`, { key: t.key });
    expect(org.body.management_email).toBe('ops@acme.io');
  });

  it.each([
    ['a name under 3 characters', { name: ' ab ' }, [{ path: 'name', message: 'Must be at least 3 characters' }]],
    [
      'a name over 255 characters',
      { name: 'n'.repeat(256) },
      [{ path: 'name', message: 'Must be at most 255 characters' }],
    ],
    ['an invalid email', { name: 'Good', email: 'nope' }, [{ path: 'email', message: 'Must be an e-mail address' }]],
    ['an unknown field', { name: 'Good', created_by: UNKNOWN_ORG }, [{ path: 'created_by', message: 'Unknown field' }]],
  ])('rejects %s with 400 Invalid parameters', async (_label, body, issues) => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/organization', { key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues }));
  });

  it.each([
    ['mode write', { mode: 'write' as const }],
    ['limited to orgs', { limitedToOrgs: ['__ORG__'] }],
    ['limited to apps', { limitedToApps: ['com.some.app'] }],
  ])('refuses a key that is %s with 403 insufficient_permissions', async (_label, options) => {
    const t = await createTenant(h.em());
    const limits = 'limitedToOrgs' in options ? { limitedToOrgs: [t.orgId] } : options;
    const { key } = await createKeyFor(h.em(), t.userId, limits);
    const res = await call(h, 'post', '/organization', { key, body: { name: 'Not allowed' } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions', res.rid));
    const list = await call(h, 'get', '/organization', { key: t.key });
    expect(list.body.data.map((org: { id: string }) => org.id)).toEqual([t.orgId]);
  });
});

describe('GET /organization', () => {
  it("lists the key's orgs only, oldest first, with and without a trailing slash", async () => {
    const t = await createTenant(h.em());
    await createTenant(h.em());
    const second = await call(h, 'post', '/organization', { key: t.key, body: { name: 'Second org' } });
    for (const path of ['/organization', '/organization/']) {
      const res = await call(h, 'get', path, { key: t.key });
      expect(res.status).toBe(200);
      expect(res.body.data.map((org: { id: string }) => org.id)).toEqual([t.orgId, second.body.id]);
    }
  });

  it('narrows the list to limited_to_orgs', async () => {
    const t = await createTenant(h.em());
    await call(h, 'post', '/organization', { key: t.key, body: { name: 'Hidden from the limited key' } });
    const { key } = await createKeyFor(h.em(), t.userId, { limitedToOrgs: [t.orgId] });
    const res = await call(h, 'get', '/organization', { key });
    expect(res.body.data.map((org: { id: string }) => org.id)).toEqual([t.orgId]);
  });

  it('answers 403 org_access_denied for a foreign or unknown orgId, alike', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    for (const orgId of [b.orgId, UNKNOWN_ORG]) {
      const res = await call(h, 'get', `/organization?orgId=${orgId}`, { key: a.key });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(errorEnvelope('org_access_denied', DENIED, res.rid));
    }
  });

  it('rejects a malformed orgId with 400', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', '/organization?orgId=nope', { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path: 'orgId', message: 'Must be a UUID' }] }),
    );
  });
});

describe('PUT /organization', () => {
  it('changes name, logo and management_email and advances updated_at', async () => {
    const t = await createTenant(h.em());
    const before = await call(h, 'get', `/organization?orgId=${t.orgId}`, { key: t.key });
    const body = { orgId: t.orgId, name: 'Renamed', logo: 'https://cdn.acme.io/logo.png', management_email: 'a@b.io' };
    const res = await call(h, 'put', '/organization', { key: t.key, body });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: 'ok',
      id: t.orgId,
      data: {
        ...before.body,
        name: 'Renamed',
        logo: 'https://cdn.acme.io/logo.png',
        management_email: 'a@b.io',
        updated_at: expect.stringMatching(ISO_DATE),
      },
    });
    expect(Date.parse(res.body.data.updated_at)).toBeGreaterThan(Date.parse(before.body.updated_at));
    const cleared = await call(h, 'put', '/organization', { key: t.key, body: { orgId: t.orgId, logo: null } });
    expect(cleared.body.data.logo).toBeNull();
    expect(Date.parse(cleared.body.data.updated_at)).toBeGreaterThan(Date.parse(res.body.data.updated_at));
  });

  it.each([
    ['no field to change', {}, [{ path: '', message: 'At least one of name, logo, management_email is required' }]],
    [
      'a logo that is not an http(s) URL',
      { logo: 'ftp://x/y.png' },
      [{ path: 'logo', message: 'Must be an http(s) URL' }],
    ],
    ['an unknown field', { name: 'Fine', created_by: UNKNOWN_ORG }, [{ path: 'created_by', message: 'Unknown field' }]],
  ])('rejects %s with 400', async (_label, patch, issues) => {
    const t = await createTenant(h.em());
    const res = await call(h, 'put', '/organization', { key: t.key, body: { orgId: t.orgId, ...patch } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues }));
  });

  it("caps the owner's role by the key's mode and refuses app-limited keys: 403, nothing changed", async () => {
    const t = await createTenant(h.em());
    const before = await orgState(h.em(), t.orgId);
    for (const options of [{ mode: 'write' as const }, { limitedToApps: ['com.some.app'] }]) {
      const { key } = await createKeyFor(h.em(), t.userId, options);
      const res = await call(h, 'put', '/organization', { key, body: { orgId: t.orgId, name: 'Hijacked' } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions', res.rid));
    }
    expect(await orgState(h.em(), t.orgId)).toEqual(before);
  });
});

describe('DELETE /organization', () => {
  it('removes the org, its apps and its memberships; its members lose access at once', async () => {
    const t = await createTenant(h.em());
    const other = await call(h, 'post', '/organization', { key: t.key, body: { name: 'Survivor' } });
    const member = await createMember(h.em(), t.orgId, 'admin');
    const limited = await createKeyFor(h.em(), t.userId, { limitedToOrgs: [t.orgId] });
    const app = await createAppVia(h, t.key, { app_id: uniqueAppId(), name: 'Doomed', owner_org: t.orgId });

    const res = await call(h, 'delete', `/organization?orgId=${t.orgId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });

    expect(await orgState(h.em(), t.orgId)).toEqual({ org: null, members: [], apps: [] });
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).status).toBe(404);
    const gone = await call(h, 'get', `/organization?orgId=${t.orgId}`, { key: member.key });
    expect(gone.status).toBe(403);
    expect(gone.body).toEqual(errorEnvelope('org_access_denied', DENIED, gone.rid));
    // A key confined to the deleted org stays confined to it: it reaches nothing, not everything.
    expect((await call(h, 'get', '/organization', { key: limited.key })).body).toEqual({ data: [] });
    const survivor = await call(h, 'get', '/organization', { key: t.key });
    expect(survivor.body.data.map((org: { id: string }) => org.id)).toEqual([other.body.id]);
  });

  it('refuses an admin (not super_admin) with 403 and keeps everything', async () => {
    const t = await createTenant(h.em());
    const admin = await createMember(h.em(), t.orgId, 'admin');
    await createAppVia(h, t.key, { app_id: uniqueAppId(), name: 'Kept', owner_org: t.orgId });
    const before = await orgState(h.em(), t.orgId);
    const res = await call(h, 'delete', `/organization?orgId=${t.orgId}`, { key: admin.key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions', res.rid));
    expect(await orgState(h.em(), t.orgId)).toEqual(before);
  });

  it('requires orgId: 400 naming it', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'delete', '/organization', { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path: 'orgId', message: 'Required' }] }),
    );
  });
});
