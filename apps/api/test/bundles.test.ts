import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createMember } from './support/factories.js';
import { ISO_DATE, UUID, errorEnvelope, useServer } from './support/harness.js';
import {
  createChannelVia,
  createExternalVia,
  externalBody,
  tenantWithApp,
  uploadedBundle,
} from './support/live-updates.js';

const h = useServer();
const INVALID = 'Invalid parameters';

describe('POST /bundle (external)', () => {
  it('registers an https bundle: 201 with the whole Bundle, and last_version follows', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/bundle', {
      key: t.key,
      body: externalBody(app.app_id, '1.0.0', { session_key: 'aXY=:a2V5', key_id: 'key-1', checksum: 'ABCDEF12' }),
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(Number),
      app_id: app.app_id,
      name: '1.0.0',
      checksum: 'abcdef12',
      storage: 'external',
      external_url: 'https://cdn.example.com/1.0.0.zip',
      size: null,
      session_key: 'aXY=:a2V5',
      key_id: 'key-1',
      min_update_version: null,
      link: null,
      comment: null,
      user_id: t.userId,
      created_at: expect.stringMatching(ISO_DATE),
      updated_at: expect.stringMatching(ISO_DATE),
    });
    expect(res.body.id).toBeGreaterThan(0);
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body.last_version).toBe('1.0.0');
  });

  it.each([
    ['http://cdn.example.com/a.zip', 'external_url', 'Must be an https:// URL'],
    ['ftp://cdn.example.com/a.zip', 'external_url', 'Must be an https:// URL'],
  ])('rejects external_url %s with 400', async (url, path, message) => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/bundle', {
      key: t.key,
      body: externalBody(app.app_id, '1.0.0', { external_url: url }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path, message }] }));
  });

  it.each([['v1.0.0'], ['1.0'], ['01.0.0'], ['1.0.0-'], ['latest']])('rejects version %j with 400', async (version) => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/bundle', { key: t.key, body: externalBody(app.app_id, version) });
    expect(res.status).toBe(400);
    expect(res.body.details.issues).toEqual([
      {
        path: 'version',
        message: 'Must be a SemVer 2.0 version such as 1.2.3 or 1.2.3-beta.1 (no leading "v")',
      },
    ]);
  });

  it('rejects a checksum that is neither SHA-256 nor CRC32 hex, and unknown fields', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/bundle', {
      key: t.key,
      body: externalBody(app.app_id, '1.0.0', { checksum: 'xyz', owner_org: t.orgId }),
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, {
        issues: [
          { path: 'checksum', message: 'Must be SHA-256 hex (64 characters) or CRC32 hex (8 characters)' },
          { path: 'owner_org', message: 'Unknown field' },
        ],
      }),
    );
  });

  it('answers 409 version_already_exists for a live name and for a deleted one', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const again = await call(h, 'post', '/bundle', { key: t.key, body: externalBody(app.app_id, '1.0.0') });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(errorEnvelope('version_already_exists', 'Version already exists', again.rid));

    const deleted = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.0.0`, { key: t.key });
    expect(deleted.body).toEqual({ status: 'ok' });
    const reuse = await call(h, 'post', '/bundle', { key: t.key, body: externalBody(app.app_id, '1.0.0') });
    expect(reuse.status).toBe(409);
    expect(reuse.body).toEqual(errorEnvelope('version_already_exists', 'Version already exists', reuse.rid));
  });

  it('links the new bundle to an existing channel, or creates nothing when the channel is unknown', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production' });
    const res = await call(h, 'post', '/bundle', {
      key: t.key,
      body: externalBody(app.app_id, '1.0.0', { channel: 'production' }),
    });
    expect(res.status).toBe(201);
    const channel = await call(h, 'get', `/channel?app_id=${app.app_id}&channel=production`, { key: t.key });
    expect(channel.body.version).toBe('1.0.0');

    const missing = await call(h, 'post', '/bundle', {
      key: t.key,
      body: externalBody(app.app_id, '2.0.0', { channel: 'nope' }),
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', missing.rid));
    const list = await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: t.key });
    expect(list.body.data.map((bundle: { name: string }) => bundle.name)).toEqual(['1.0.0']);
  });

  it('needs upload to create and write to link at the same time', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'beta' });
    const uploader = await createMember(h.em(), t.orgId, 'upload');
    const ok = await call(h, 'post', '/bundle', { key: uploader.key, body: externalBody(app.app_id, '1.0.0') });
    expect(ok.status).toBe(201);
    const linking = await call(h, 'post', '/bundle', {
      key: uploader.key,
      body: externalBody(app.app_id, '1.0.1', { channel: 'beta' }),
    });
    expect(linking.status).toBe(403);
    expect(linking.body).toEqual(
      errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', linking.rid),
    );
  });
});

describe('GET /bundle', () => {
  it('lists live bundles newest first with paging, and narrows by version', async () => {
    const { t, app } = await tenantWithApp(h);
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) await createExternalVia(h, t.key, app.app_id, version);
    const page0 = await call(h, 'get', `/bundle?app_id=${app.app_id}&limit=2`, { key: t.key });
    expect(page0.status).toBe(200);
    expect(page0.body.data.map((b: { name: string }) => b.name)).toEqual(['1.2.0', '1.1.0']);
    expect({ ...page0.body, data: undefined }).toEqual({ data: undefined, page: 0, limit: 2, total: 3 });
    const page1 = await call(h, 'get', `/bundle?app_id=${app.app_id}&limit=2&page=1`, { key: t.key });
    expect(page1.body.data.map((b: { name: string }) => b.name)).toEqual(['1.0.0']);
    const one = await call(h, 'get', `/bundle?app_id=${app.app_id}&version=1.1.0`, { key: t.key });
    expect(one.body).toEqual({ data: [page0.body.data[1]], page: 0, limit: 50, total: 1 });
  });

  it('answers 404 app_not_found for an unknown app and 400 without app_id', async () => {
    const { t } = await tenantWithApp(h);
    const res = await call(h, 'get', '/bundle?app_id=com.nobody.here', { key: t.key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
    const bad = await call(h, 'get', '/bundle', { key: t.key });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_parameters');
    expect(bad.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual(['app_id']);
  });
});

describe('PUT /bundle (link) and POST /bundle/metadata', () => {
  it('links a bundle to a channel and answers the channel', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const channel = await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production' });
    const res = await call(h, 'put', '/bundle', {
      key: t.key,
      body: { app_id: app.app_id, version: '1.0.0', channel: 'production' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...channel, version: '1.0.0', updated_at: expect.stringMatching(ISO_DATE) });
  });

  it('answers bundle_not_found and channel_not_found', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production' });
    const noBundle = await call(h, 'put', '/bundle', {
      key: t.key,
      body: { app_id: app.app_id, version: '9.9.9', channel: 'production' },
    });
    expect(noBundle.status).toBe(404);
    expect(noBundle.body).toEqual(errorEnvelope('bundle_not_found', 'Bundle not found', noBundle.rid));
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const noChannel = await call(h, 'put', '/bundle', {
      key: t.key,
      body: { app_id: app.app_id, version: '1.0.0', channel: 'Production' },
    });
    expect(noChannel.status).toBe(404);
    expect(noChannel.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', noChannel.rid));
  });

  it('sets and clears metadata, leaving fields not sent unchanged', async () => {
    const { t, app } = await tenantWithApp(h);
    const bundle = await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const set = await call(h, 'post', '/bundle/metadata', {
      key: t.key,
      body: { app_id: app.app_id, version: '1.0.0', link: 'https://example.com/notes', comment: 'first' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      ...bundle,
      link: 'https://example.com/notes',
      comment: 'first',
      updated_at: expect.stringMatching(ISO_DATE),
    });
    const cleared = await call(h, 'post', '/bundle/metadata', {
      key: t.key,
      body: { app_id: app.app_id, version: '1.0.0', comment: null, min_update_version: '0.9.0' },
    });
    expect(cleared.body).toMatchObject({ link: 'https://example.com/notes', comment: null, min_update_version: '0.9.0' });
  });

  it('rejects a metadata body with none of the three fields', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const res = await call(h, 'post', '/bundle/metadata', { key: t.key, body: { app_id: app.app_id, version: '1.0.0' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, {
        issues: [{ path: '', message: 'At least one of link, comment, min_update_version is required' }],
      }),
    );
  });
});

describe('DELETE /bundle', () => {
  it('refuses a bundle a channel points at (409), deletes it once unlinked, and last_version moves back', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    await createExternalVia(h, t.key, app.app_id, '1.1.0');
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', version: '1.1.0' });
    const linked = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.1.0`, { key: t.key });
    expect(linked.status).toBe(409);
    expect(linked.body).toEqual(
      errorEnvelope('bundle_linked_to_channel', 'Cannot delete a bundle linked to a channel', linked.rid),
    );
    await call(h, 'post', '/channel', { key: t.key, body: { app_id: app.app_id, channel: 'production', version: null } });
    const res = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.1.0`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body.last_version).toBe('1.0.0');
    const gone = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.1.0`, { key: t.key });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(errorEnvelope('bundle_not_found', 'Bundle not found', gone.rid));
    await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.0.0`, { key: t.key });
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body.last_version).toBeNull();
  });

  it('removes a stored bundle’s file', async () => {
    const { t, app } = await tenantWithApp(h);
    const bundle = await uploadedBundle(h, t.key, app.app_id, '1.0.0');
    expect(bundle.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(await h.storage.list(`${app.id}/`)).toHaveLength(1);
    const res = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.0.0`, { key: t.key });
    expect(res.body).toEqual({ status: 'ok' });
    expect(await h.storage.list(`${app.id}/`)).toEqual([]);
  });

  it('needs admin: a write member gets 403', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const writer = await createMember(h.em(), t.orgId, 'write');
    const res = await call(h, 'delete', `/bundle?app_id=${app.app_id}&version=1.0.0`, { key: writer.key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid));
  });
});

describe('DELETE /app removes everything of the app', () => {
  it('removes its bundles, channels and files', async () => {
    const { t, app } = await tenantWithApp(h);
    await uploadedBundle(h, t.key, app.app_id, '1.0.0');
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', version: '1.0.0' });
    expect(await h.storage.list(`${app.id}/`)).toHaveLength(1);
    expect((await call(h, 'delete', `/app/${app.app_id}`, { key: t.key })).body).toEqual({ status: 'ok' });
    expect(await h.storage.list(`${app.id}/`)).toEqual([]);
    const rows = await h
      .em()
      .getConnection()
      .execute<{ n: number }[]>(
        `select (select count(*) from bundles where app = ?)::int + (select count(*) from channels where app = ?)::int as n`,
        [app.id, app.id],
      );
    expect(rows).toEqual([{ n: 0 }]);
    expect(app.id).toMatch(UUID);
  });
});
