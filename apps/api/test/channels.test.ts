import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createMember } from './support/factories.js';
import { ISO_DATE, errorEnvelope, useServer } from './support/harness.js';
import { createChannelVia, createExternalVia, tenantWithApp } from './support/live-updates.js';

const h = useServer();
const INVALID = 'Invalid parameters';
const DEVICE = '00009a6b-eefe-490a-9c60-8e965132ae51';

describe('POST /channel', () => {
  it("creates with Capgo's defaults (201), then updates only the fields sent (200)", async () => {
    const { t, app } = await tenantWithApp(h);
    const created = await call(h, 'post', '/channel', { key: t.key, body: { app_id: app.app_id, channel: 'production' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      app_id: app.app_id,
      name: 'production',
      version: null,
      public: false,
      ios: true,
      android: true,
      electron: true,
      allow_device_self_set: false,
      allow_emulator: true,
      allow_device: true,
      allow_dev: true,
      allow_prod: true,
      disable_auto_update: 'major',
      disable_auto_update_under_native: true,
      created_at: expect.stringMatching(ISO_DATE),
      updated_at: expect.stringMatching(ISO_DATE),
    });
    expect(created.body.id).toBeGreaterThan(0);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    const updated = await call(h, 'post', '/channel', {
      key: t.key,
      body: { app_id: app.app_id, channel: 'production', version: '1.0.0', public: true, disable_auto_update: 'none' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({
      ...created.body,
      version: '1.0.0',
      public: true,
      disable_auto_update: 'none',
      updated_at: expect.stringMatching(ISO_DATE),
    });
    const builtin = await call(h, 'post', '/channel', {
      key: t.key,
      body: { app_id: app.app_id, channel: 'production', version: 'builtin' },
    });
    expect(builtin.body).toMatchObject({ version: null, public: true });
  });

  it('answers 404 bundle_not_found for an unknown version and creates nothing', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/channel', {
      key: t.key,
      body: { app_id: app.app_id, channel: 'beta', version: '3.0.0' },
    });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('bundle_not_found', 'Bundle not found', res.rid));
    const list = await call(h, 'get', `/channel?app_id=${app.app_id}`, { key: t.key });
    expect(list.body).toEqual({ data: [], page: 0, limit: 50, total: 0 });
  });

  it.each([
    [{ channel: '' }, 'channel', 'Must not be empty'],
    [{ channel: 'a'.repeat(256) }, 'channel', 'Must be at most 255 characters'],
    [{ channel: 'bad\nname' }, 'channel', 'Must not contain control characters'],
    [{ channel: 'x', disable_auto_update: 'sometimes' }, 'disable_auto_update', undefined],
    [{ channel: 'x', public: 'yes' }, 'public', 'Expected boolean, received string'],
    [{ channel: 'x', version: 'v1' }, 'version', 'Must be a SemVer 2.0 version such as 1.2.3, or "builtin"'],
    [{ channel: 'x', rollout: 5 }, 'rollout', 'Unknown field'],
  ])('rejects %j with 400 on %s', async (fields, path, message) => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'post', '/channel', { key: t.key, body: { app_id: app.app_id, ...fields } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'KO', code: 'invalid_parameters', error: INVALID, request_id: res.rid });
    expect(res.body.details.issues).toEqual([{ path, message: message ?? expect.any(String) }]);
  });

  it('matches names exactly: "Beta" and "beta" are two channels', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'beta' });
    const other = await call(h, 'post', '/channel', { key: t.key, body: { app_id: app.app_id, channel: 'Beta' } });
    expect(other.status).toBe(201);
  });
});

describe('GET /channel', () => {
  it('lists channels by name in byte order with paging, or answers one', async () => {
    const { t, app } = await tenantWithApp(h);
    for (const name of ['beta', 'Zeta', 'alpha']) await createChannelVia(h, t.key, { app_id: app.app_id, channel: name });
    const page = await call(h, 'get', `/channel?app_id=${app.app_id}&limit=2`, { key: t.key });
    expect(page.status).toBe(200);
    expect(page.body.data.map((c: { name: string }) => c.name)).toEqual(['Zeta', 'alpha']);
    expect(page.body).toMatchObject({ page: 0, limit: 2, total: 3 });
    const next = await call(h, 'get', `/channel?app_id=${app.app_id}&limit=2&page=1`, { key: t.key });
    expect(next.body.data.map((c: { name: string }) => c.name)).toEqual(['beta']);
    const one = await call(h, 'get', `/channel?app_id=${app.app_id}&channel=alpha`, { key: t.key });
    expect(one.body).toEqual(page.body.data[1]);
  });

  it('answers 404 channel_not_found for an unknown name', async () => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'get', `/channel?app_id=${app.app_id}&channel=nope`, { key: t.key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', res.rid));
  });
});

describe('DELETE /channel', () => {
  it('deletes the channel and the device overrides to it, keeping its bundle', async () => {
    const { t, app } = await tenantWithApp(h);
    await createExternalVia(h, t.key, app.app_id, '1.0.0');
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'qa', version: '1.0.0' });
    await call(h, 'post', '/device', { key: t.key, body: { app_id: app.app_id, device_id: DEVICE, channel: 'qa' } });
    const res = await call(h, 'delete', `/channel?app_id=${app.app_id}&channel=qa`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const overrides = await h
      .em()
      .getConnection()
      .execute('select * from channel_devices where app = ?', [app.id]);
    expect(overrides).toEqual([]);
    expect((await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: t.key })).body.total).toBe(1);
    const again = await call(h, 'delete', `/channel?app_id=${app.app_id}&channel=qa`, { key: t.key });
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', again.rid));
  });

  it('needs admin; write may create and update', async () => {
    const { t, app } = await tenantWithApp(h);
    const writer = await createMember(h.em(), t.orgId, 'write');
    expect((await call(h, 'post', '/channel', { key: writer.key, body: { app_id: app.app_id, channel: 'qa' } })).status).toBe(201);
    const res = await call(h, 'delete', `/channel?app_id=${app.app_id}&channel=qa`, { key: writer.key });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid));
  });
});
