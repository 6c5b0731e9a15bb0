import { describe, expect, it } from 'vitest';
import { type DeviceSeen, writeTelemetry } from '../src/modules/stats/stats.writer.js';
import { call } from './support/client.js';
import { errorEnvelope, useServer } from './support/harness.js';
import { createChannelVia, tenantWithApp } from './support/live-updates.js';

const h = useServer();
const INVALID = 'Invalid parameters';

const deviceId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

function seen(app: string, id: string, at: Date, extra: Partial<DeviceSeen> = {}): DeviceSeen {
  return {
    app,
    deviceId: id,
    customId: '',
    platform: 'android',
    versionName: '1.0.0',
    versionBuild: '1.0.0',
    versionCode: '1',
    osVersion: '14',
    pluginVersion: '7.34.0',
    isProd: true,
    isEmulator: false,
    installSource: null,
    defaultChannel: null,
    keyId: null,
    seenAt: at,
    ...extra,
  };
}

describe('GET /device', () => {
  it('answers one device with its override channel, and 404 for one that never checked in', async () => {
    const { t, app } = await tenantWithApp(h);
    const at = new Date('2026-03-01T10:00:00.000Z');
    await writeTelemetry(h.em(), {
      devices: [seen(app.id, deviceId(1), at, { customId: 'user-42', defaultChannel: 'beta' })],
      events: [],
      updateChecks: [],
    });
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'qa' });
    await call(h, 'post', '/device', { key: t.key, body: { app_id: app.app_id, device_id: deviceId(1), channel: 'qa' } });
    const res = await call(h, 'get', `/device?app_id=${app.app_id}&device_id=${deviceId(1).toUpperCase()}`, {
      key: t.key,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      device_id: deviceId(1),
      app_id: app.app_id,
      custom_id: 'user-42',
      platform: 'android',
      version_name: '1.0.0',
      version_build: '1.0.0',
      os_version: '14',
      plugin_version: '7.34.0',
      is_prod: true,
      is_emulator: false,
      install_source: null,
      default_channel: 'beta',
      channel: 'qa',
      created_at: at.toISOString(),
      updated_at: at.toISOString(),
    });
    await call(h, 'post', '/device', { key: t.key, body: { app_id: app.app_id, device_id: deviceId(2), channel: 'qa' } });
    const missing = await call(h, 'get', `/device?app_id=${app.app_id}&device_id=${deviceId(2)}`, { key: t.key });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(errorEnvelope('device_not_found', 'Device not found', missing.rid));
  });

  it('pages by cursor, most recently seen first, with no device twice while devices keep checking in', async () => {
    const { t, app } = await tenantWithApp(h);
    const base = Date.parse('2026-03-01T00:00:00Z');
    await writeTelemetry(h.em(), {
      devices: [1, 2, 3, 4, 5].map((n) => seen(app.id, deviceId(n), new Date(base + n * 1000))),
      events: [],
      updateChecks: [],
    });
    const first = await call(h, 'get', `/device?app_id=${app.app_id}&limit=2`, { key: t.key });
    expect(first.status).toBe(200);
    expect(first.body.data.map((d: { device_id: string }) => d.device_id)).toEqual([deviceId(5), deviceId(4)]);
    expect(first.body.hasMore).toBe(true);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    // Device 1 checks in again: it moves to the front, and the next pages go on where they were.
    await writeTelemetry(h.em(), { devices: [seen(app.id, deviceId(1), new Date(base + 9000))], events: [], updateChecks: [] });
    const second = await call(h, 'get', `/device?app_id=${app.app_id}&limit=2&cursor=${first.body.nextCursor}`, {
      key: t.key,
    });
    expect(second.body).toEqual({
      data: [expect.objectContaining({ device_id: deviceId(3) }), expect.objectContaining({ device_id: deviceId(2) })],
      nextCursor: null,
      hasMore: false,
    });
    const all = await call(h, 'get', `/device?app_id=${app.app_id}`, { key: t.key });
    expect(all.body.data.map((d: { device_id: string }) => d.device_id)).toEqual([1, 5, 4, 3, 2].map(deviceId));
    expect(all.body.hasMore).toBe(false);
  });

  it.each([
    ['limit=0', 'limit', 'Must be at least 1'],
    ['limit=1001', 'limit', 'Must be at most 1000'],
    ['cursor=bm9wZQ', 'cursor', 'Not a cursor this API gave'],
    ['device_id=not-a-uuid', 'device_id', 'Must be a UUID'],
  ])('rejects %s with 400', async (query, path, message) => {
    const { t, app } = await tenantWithApp(h);
    const res = await call(h, 'get', `/device?app_id=${app.app_id}&${query}`, { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path, message }] }));
  });
});

describe('POST /device and DELETE /device', () => {
  it('sets an override (also before the device checks in), replaces it, and removes it', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'qa' });
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'qa2' });
    const body = { app_id: app.app_id, device_id: deviceId(7), channel: 'qa' };
    expect((await call(h, 'post', '/device', { key: t.key, body })).body).toEqual({ status: 'ok' });
    const res = await call(h, 'post', '/device', { key: t.key, body: { ...body, channel: 'qa2' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const rows = await h
      .em()
      .getConnection()
      .execute<{ name: string }[]>(
        'select c.name from channel_devices cd join channels c on c.id = cd.channel where cd.app = ? and cd.device_id = ?',
        [app.id, deviceId(7)],
      );
    expect(rows).toEqual([{ name: 'qa2' }]);
    const removed = await call(h, 'delete', `/device?app_id=${app.app_id}&device_id=${deviceId(7)}`, { key: t.key });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ status: 'ok' });
    const none = await call(h, 'delete', `/device?app_id=${app.app_id}&device_id=${deviceId(7)}`, { key: t.key });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ status: 'ok' });
  });

  it('refuses a public channel (400) and an unknown one (404)', async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', public: true });
    const pub = await call(h, 'post', '/device', {
      key: t.key,
      body: { app_id: app.app_id, device_id: deviceId(1), channel: 'production' },
    });
    expect(pub.status).toBe(400);
    expect(pub.body).toEqual(
      errorEnvelope('public_channel_override', 'Cannot set channel override for public channel', pub.rid),
    );
    const unknown = await call(h, 'post', '/device', {
      key: t.key,
      body: { app_id: app.app_id, device_id: deviceId(1), channel: 'nope' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(errorEnvelope('channel_not_found', 'Channel not found', unknown.rid));
  });
});
