import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device, DeviceEvent } from '../src/modules/device/device.entity.js';
import { AppStatsDaily } from '../src/modules/stats/stats.entity.js';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { uniqueAppId, useServer } from './support/harness.js';
import { ZipHost, seedBundle, seedChannel, seedOverride, updateChannel } from './support/plugin-seed.js';
import { SimulatedPlugin } from './support/plugin-client.js';

/** Whole stories, told by the simulated plugin against the real server (issue 12). */

const h = useServer();
const host = new ZipHost();
beforeAll(() => host.start());
afterAll(() => host.stop());

async function newApp() {
  const tenant = await createTenant(h.em());
  const app = await createAppVia(h, tenant.key, {
    app_id: uniqueAppId('com.plugin'),
    name: 'Live',
    owner_org: tenant.orgId,
  });
  return { appId: app.app_id, app: app.id, em: h.em() };
}

/** An external bundle hosted by `host`, its real SHA-256 as checksum. */
async function hostedBundle(em: EntityManager, app: string, name: string) {
  const hosted = host.add(`${app}-${name}`);
  const id = await seedBundle(em, app, { name, externalUrl: hosted.url, checksum: hosted.checksum });
  return { id, ...hosted };
}

const today = () => new Date().toISOString().slice(0, 10);

describe('a device on the public channel', () => {
  it('gets the bundle, verifies and installs it, reports set, then is told it is up to date', async () => {
    const { appId, app, em } = await newApp();
    const bundle = await hostedBundle(em, app, '1.0.1');
    await seedChannel(em, app, { name: 'production', public: true, version: bundle.id });
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, versionBuild: '1.0.0' });

    expect(await phone.checkForUpdate()).toEqual({ type: 'installed', version: '1.0.1', previous: 'builtin' });
    expect(phone.answers[0]?.body).toEqual({
      version: '1.0.1',
      url: bundle.url,
      checksum: bundle.checksum,
      session_key: '',
    });
    expect(phone.queue.map((e) => e.action)).toEqual(['download_zip_start', 'download_complete', 'set']);
    expect((await phone.flushStats())?.body).toEqual({
      status: 'ok',
      results: [0, 1, 2].map((index) => ({ status: 'ok', index })),
    });

    expect(await phone.checkForUpdate()).toEqual({
      type: 'no_update',
      kind: 'up_to_date',
      error: 'no_new_version_available',
      message: 'No new version available',
      body: { error: 'no_new_version_available', message: 'No new version available', kind: 'up_to_date' },
    });
    expect(phone.queue).toEqual([]); // an up-to-date answer sends no download_fail

    await h.telemetry.flush();
    const device = await h.em().findOneOrFail(Device, { app, deviceId: phone.deviceId });
    expect(device).toMatchObject({ versionName: '1.0.1', versionBuild: '1.0.0', platform: 'android', isProd: true });
    const events = await h.em().find(DeviceEvent, { app }, { orderBy: { action: 'asc' } });
    expect(events.map((e) => [e.action, e.versionName, e.deviceId])).toEqual([
      ['download_complete', '1.0.1', phone.deviceId],
      ['download_zip_start', '1.0.1', phone.deviceId],
      ['get', '1.0.1', phone.deviceId],
      ['set', '1.0.1', phone.deviceId],
    ]);
    expect(await h.em().findOneOrFail(AppStatsDaily, { app, day: today() as never })).toMatchObject({
      updateChecks: 2,
      updatesOffered: 1,
      installs: 1,
      failures: 0,
    });
  });

  it('refuses a bundle whose checksum does not match and reports checksum_fail', async () => {
    const { appId, app, em } = await newApp();
    const hosted = host.add(`${app}-bad`);
    const id = await seedBundle(em, app, { name: '1.0.1', externalUrl: hosted.url, checksum: 'f'.repeat(64) });
    await seedChannel(em, app, { name: 'production', public: true, version: id });
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect(await phone.checkForUpdate()).toMatchObject({ type: 'failed', reason: 'checksum_fail' });
    expect(phone.current).toBe('builtin');
    expect(phone.queue.map((e) => e.action)).toEqual([
      'download_zip_start',
      'download_complete',
      'checksum_fail',
      'download_fail',
    ]);
  });
});

describe('a channel moved back to the built-in code', () => {
  it('makes the device revert with the bare answer, then answers already_on_builtin', async () => {
    const { appId, app, em } = await newApp();
    const bundle = await hostedBundle(em, app, '1.0.1');
    const channel = await seedChannel(em, app, { name: 'production', public: true, version: bundle.id });
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect((await phone.checkForUpdate()).type).toBe('installed');

    await updateChannel(em, channel, { version: null });
    expect(await phone.checkForUpdate()).toEqual({ type: 'reverted', previous: '1.0.1' });
    expect(phone.answers.at(-1)).toMatchObject({ status: 200, body: { version: 'builtin' } });
    expect(phone.current).toBe('builtin');

    expect(await phone.checkForUpdate()).toMatchObject({ type: 'no_update', kind: 'up_to_date' });
    expect(phone.answers.at(-1)?.body).toEqual({
      error: 'already_on_builtin',
      message: 'Already on builtin',
      kind: 'up_to_date',
    });
  });
});

describe('choosing the channel', () => {
  it('takes the override over defaultChannel over the public channel; a private defaultChannel does not fall back', async () => {
    const { appId, app, em } = await newApp();
    const [pub, beta, vip] = [
      await hostedBundle(em, app, '1.0.1'),
      await hostedBundle(em, app, '1.1.0'),
      await hostedBundle(em, app, '1.2.0'),
    ];
    await seedChannel(em, app, { name: 'production', public: true, version: pub.id });
    await seedChannel(em, app, { name: 'beta', allowDeviceSelfSet: true, version: beta.id });
    const vipId = await seedChannel(em, app, { name: 'vip', version: vip.id });
    const version = async (phone: SimulatedPlugin) => {
      await phone.checkForUpdate();
      return phone.answers.at(-1)?.body as Record<string, unknown>;
    };

    expect(await version(new SimulatedPlugin({ baseUrl: h.baseUrl, appId }))).toMatchObject({ version: '1.0.1' });
    const tester = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, defaultChannel: 'beta' });
    expect(await version(tester)).toMatchObject({ version: '1.1.0' });
    const chosen = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, defaultChannel: 'beta' });
    await seedOverride(em, app, chosen.deviceId, vipId);
    expect(await version(chosen)).toMatchObject({ version: '1.2.0' });

    const noFallback = { error: 'no_channel', message: 'no default channel or override', kind: 'failed' };
    expect(await version(new SimulatedPlugin({ baseUrl: h.baseUrl, appId, defaultChannel: 'vip' }))).toEqual(
      noFallback,
    );
    expect(await version(new SimulatedPlugin({ baseUrl: h.baseUrl, appId, defaultChannel: 'Beta' }))).toEqual(
      noFallback,
    );
    // A channel kept on the device after setChannel is sent as defaultChannel.
    const selfSet = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect((await selfSet.setChannel('beta')).body).toEqual({ status: 'ok', allowSet: true });
    expect(await version(selfSet)).toMatchObject({ version: '1.1.0' });
  });
});

describe('the statistics of the day', () => {
  it('count the devices seen, the checks, the offers, the installs and the failures', async () => {
    const { appId, app, em } = await newApp();
    const bundle = await hostedBundle(em, app, '1.0.1');
    await seedChannel(em, app, { name: 'production', public: true, allowEmulator: false, version: bundle.id });
    const installer = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    const failing = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, platform: 'ios', isEmulator: true });
    expect((await installer.checkForUpdate()).type).toBe('installed');
    await installer.flushStats();
    expect(await failing.checkForUpdate()).toMatchObject({
      type: 'no_update',
      kind: 'blocked',
      error: 'disable_emulator',
    });
    failing.queueStat('unzip_fail', '1.0.1');
    failing.queueStat('download_fail', '1.0.1');
    expect((await failing.flushStats())?.status).toBe(200);
    await installer.checkForUpdate();

    await h.telemetry.flush();
    expect(await h.em().findOneOrFail(AppStatsDaily, { app, day: today() as never })).toMatchObject({
      devices: 2,
      updateChecks: 3,
      updatesOffered: 1,
      installs: 1,
      failures: 2,
    });
    // A failure names the bundle that failed: the device row keeps what it runs.
    const ios = await h.em().findOneOrFail(Device, { app, deviceId: failing.deviceId });
    expect(ios.versionName).toBe('builtin');
  });
});
