import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { ISO_DATE, useServer } from './support/harness.js';
import { createChannelVia, tenantWithApp, uploadedBundle } from './support/live-updates.js';
import { SimulatedPlugin } from './support/plugin-client.js';
import { sampleBundle } from './support/zip.js';

/**
 * The whole product, as a team and its phones use it: bundles uploaded and channels set through
 * the management API, devices updating from the server's own signed download URL, and what they
 * did read back from /device and /statistics.
 */

const h = useServer();
const today = () => new Date().toISOString().slice(0, 10);

describe('a team ships bundles and its phones follow', () => {
  it('installs an uploaded bundle from the signed /files URL, then follows an override and a move to the built-in code', async () => {
    const { t, app } = await tenantWithApp(h);
    const first = sampleBundle('first');
    await uploadedBundle(h, t.key, app.app_id, '1.0.1', first);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'production', version: '1.0.1', public: true });
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId: app.app_id, versionBuild: '1.0.0' });

    expect(await phone.checkForUpdate()).toEqual({ type: 'installed', version: '1.0.1', previous: 'builtin' });
    const offered = phone.answers[0]?.body as { url: string; checksum: string };
    expect(offered.url.startsWith(`${h.baseUrl}/files/`)).toBe(true);
    expect(offered.checksum).toBe(createHash('sha256').update(first).digest('hex'));
    await phone.flushStats();
    expect(await phone.checkForUpdate()).toMatchObject({
      type: 'no_update',
      kind: 'up_to_date',
      error: 'no_new_version_available',
    });

    await h.telemetry.flush();
    const device = await call(h, 'get', `/device?app_id=${app.app_id}&device_id=${phone.deviceId}`, { key: t.key });
    expect(device.status).toBe(200);
    expect(device.body).toMatchObject({
      device_id: phone.deviceId,
      app_id: app.app_id,
      version_name: '1.0.1',
      version_build: '1.0.0',
      platform: 'android',
      plugin_version: '8.51.23',
      is_prod: true,
      is_emulator: false,
      channel: null,
      updated_at: expect.stringMatching(ISO_DATE),
    });
    const stats = await call(h, 'get', `/statistics?app_id=${app.app_id}&from=${today()}&to=${today()}`, {
      key: t.key,
    });
    expect(stats.body).toEqual({
      data: [{ date: today(), devices: 1, update_checks: 2, updates_offered: 1, installs: 1, failures: 0 }],
    });

    // A private channel set as this device's override wins over the public channel.
    await uploadedBundle(h, t.key, app.app_id, '1.2.0', sampleBundle('vip'));
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'vip', version: '1.2.0' });
    const override = await call(h, 'post', '/device', {
      key: t.key,
      body: { app_id: app.app_id, device_id: phone.deviceId, channel: 'vip' },
    });
    expect(override.status).toBe(200);
    expect(await phone.checkForUpdate()).toEqual({ type: 'installed', version: '1.2.0', previous: '1.0.1' });
    await phone.flushStats();
    await h.telemetry.flush();
    const seen = await call(h, 'get', `/device?app_id=${app.app_id}&device_id=${phone.deviceId}`, { key: t.key });
    expect(seen.body).toMatchObject({ version_name: '1.2.0', channel: 'vip' });

    // Back on the public channel, moved to the built-in code: the phone reverts, then is up to date.
    await call(h, 'delete', `/device?app_id=${app.app_id}&device_id=${phone.deviceId}`, { key: t.key });
    const builtin = await call(h, 'post', '/channel', {
      key: t.key,
      body: { app_id: app.app_id, channel: 'production', version: null },
    });
    expect(builtin.status).toBe(200);
    expect(await phone.checkForUpdate()).toEqual({ type: 'reverted', previous: '1.2.0' });
    expect(await phone.checkForUpdate()).toMatchObject({
      type: 'no_update',
      kind: 'up_to_date',
      error: 'already_on_builtin',
    });
  });
});
