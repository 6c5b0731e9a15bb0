import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Device } from '../src/modules/device/device.entity.js';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { uniqueAppId, useServer } from './support/harness.js';
import { type SeedChannel, ZipHost, seedBundle, seedChannel, seedOverride } from './support/plugin-seed.js';
import { type PluginOptions, SimulatedPlugin } from './support/plugin-client.js';

/** POST /updates over HTTP: every refusal of §1.3 step 9 as a device meets it, and the broken requests. */

const h = useServer();
const host = new ZipHost();
beforeAll(() => host.start());
afterAll(() => host.stop());

async function newApp() {
  const tenant = await createTenant(h.em());
  const app = await createAppVia(h, tenant.key, {
    app_id: uniqueAppId('com.updates'),
    name: 'U',
    owner_org: tenant.orgId,
  });
  return { appId: app.app_id, app: app.id };
}

interface Case {
  bundle?: { name: string; minUpdateVersion?: string; keyId?: string };
  channel?: Partial<SeedChannel>;
  /** The channel reaches the device as an override (platform checks are only reachable so). */
  override?: boolean;
  device?: Partial<Omit<PluginOptions, 'baseUrl' | 'appId'>>;
}

/** One app, one channel with one hosted bundle, one device asking. */
async function ask({ bundle = { name: '1.0.1' }, channel = {}, override = false, device = {} }: Case) {
  const { appId, app } = await newApp();
  const em = h.em();
  const hosted = host.add(`${app}-${bundle.name}`);
  const id = await seedBundle(em, app, {
    name: bundle.name,
    externalUrl: hosted.url,
    checksum: hosted.checksum,
    minUpdateVersion: bundle.minUpdateVersion ?? null,
    keyId: bundle.keyId ?? null,
  });
  const channelId = await seedChannel(em, app, { name: 'production', public: !override, version: id, ...channel });
  const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, versionBuild: '1.0.0', ...device });
  if (override) await seedOverride(em, app, phone.deviceId, channelId);
  const outcome = await phone.checkForUpdate();
  return { outcome, answer: phone.answers.at(-1) };
}

const v = () => ({ version: '1.0.1', old: '1.0.0' });

describe('POST /updates refusals, as the plugin meets them', () => {
  const cases: [string, Case, Record<string, unknown>][] = [
    [
      'ios disabled',
      { override: true, channel: { ios: false }, device: { platform: 'ios' } },
      { error: 'disabled_platform_ios', message: "Cannot update, ios it's disabled", ...v(), kind: 'blocked' },
    ],
    [
      'android disabled',
      { override: true, channel: { android: false } },
      { error: 'disabled_platform_android', message: 'Cannot update, android is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'electron disabled',
      { override: true, channel: { electron: false }, device: { platform: 'electron' } },
      { error: 'disabled_platform_electron', message: 'Cannot update, electron is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'a major upgrade',
      { bundle: { name: '2.0.0' } },
      {
        error: 'disable_auto_update_to_major',
        message: 'Cannot upgrade major version',
        major: true,
        version: '2.0.0',
        old: '1.0.0',
        kind: 'blocked',
      },
    ],
    [
      'a minor upgrade in minor mode',
      { bundle: { name: '1.1.0' }, channel: { disableAutoUpdate: 'minor' } },
      {
        error: 'disable_auto_update_to_minor',
        message: 'Cannot upgrade minor version',
        major: true,
        version: '1.1.0',
        old: '1.0.0',
        kind: 'blocked',
      },
    ],
    [
      'a patch upgrade in patch mode',
      { channel: { disableAutoUpdate: 'patch' } },
      {
        error: 'disable_auto_update_to_patch',
        message: 'Cannot upgrade patch version',
        major: true,
        version: '1.0.1',
        old: '1.0.0',
        kind: 'blocked',
      },
    ],
    [
      'min_update_version above the native version',
      { bundle: { name: '1.0.1', minUpdateVersion: '1.0.1' }, channel: { disableAutoUpdate: 'version_number' } },
      {
        error: 'disable_auto_update_to_metadata',
        message: 'Cannot upgrade version, min update version > current version',
        major: true,
        version: '1.0.1',
        old: '1.0.0',
        kind: 'blocked',
      },
    ],
    [
      'version_number mode without min_update_version',
      { channel: { disableAutoUpdate: 'version_number' } },
      {
        error: 'misconfigured_channel',
        message: 'Channel production is misconfigured',
        version: '1.0.1',
        old: '1.0.0',
        kind: 'failed',
      },
    ],
    [
      'a bundle under the native version',
      { bundle: { name: '0.9.0' } },
      {
        error: 'disable_auto_update_under_native',
        message: 'Cannot revert under native version',
        version: '0.9.0',
        old: '1.0.0',
        kind: 'blocked',
      },
    ],
    [
      'a prod build',
      { channel: { allowProd: false } },
      { error: 'disable_prod_build', message: 'Cannot update, prod build is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'a dev build',
      { channel: { allowDev: false }, device: { isProd: false } },
      { error: 'disable_dev_build', message: 'Cannot update, dev build is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'a real device',
      { channel: { allowDevice: false } },
      { error: 'disable_device', message: 'Cannot update, device is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'an emulator',
      { channel: { allowEmulator: false }, device: { isEmulator: true } },
      { error: 'disable_emulator', message: 'Cannot update, emulator is disabled', ...v(), kind: 'blocked' },
    ],
    [
      'another encryption key',
      { bundle: { name: '1.0.1', keyId: 'bundlekey' }, device: { keyId: 'devicekey' } },
      {
        error: 'key_id_mismatch',
        message:
          'Device encryption key does not match bundle encryption key. The device may have a different public key than the one used to encrypt this bundle.',
        deviceKeyId: 'devicekey',
        bundleKeyId: 'bundlekey',
        kind: 'blocked',
      },
    ],
    [
      'plugin 4.x',
      { device: { pluginVersion: '4.20.0' } },
      {
        error: 'unsupported_plugin_version',
        message: 'Plugin version 4.20.0 (v4) is no longer supported. Please upgrade to v5.10.0 or later.',
        kind: 'failed',
      },
    ],
  ];

  it.each(cases)('%s → 200 with its code, message and kind; nothing downloaded', async (_, scenario, expected) => {
    const { outcome, answer } = await ask(scenario);
    expect(answer).toMatchObject({ status: 200, body: expected });
    expect(answer?.body).toEqual(expected);
    expect(outcome).toMatchObject({ type: 'no_update', kind: expected.kind, error: expected.error });
  });

  it('coerces a native version of "1" and still updates: the device row keeps the coerced version, lower-case id', async () => {
    const { outcome } = await ask({ device: { versionBuild: '1', deviceId: 'ABCDEF00-0000-4000-8000-00000000000A' } });
    expect(outcome).toMatchObject({ type: 'installed', version: '1.0.1' });
    await h.telemetry.flush();
    const row = await h.em().findOneOrFail(Device, { deviceId: 'abcdef00-0000-4000-8000-00000000000a' });
    expect(row).toMatchObject({
      versionBuild: '1.0.0',
      versionName: 'builtin',
      pluginVersion: '8.51.23',
      defaultChannel: null,
    });
  });
});

describe('POST /updates broken requests', () => {
  const send = async (body: string, contentType = 'application/json') => {
    const res = await fetch(`${h.baseUrl}/updates`, { method: 'POST', headers: { 'content-type': contentType }, body });
    return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
  };

  it('answers 400 invalid_json_parse_body to a body that is not JSON, whatever its content type', async () => {
    for (const [body, type] of [
      ['{nope', 'application/json'],
      ['', 'application/json'],
      ['x', 'text/plain'],
    ] as const) {
      expect(await send(body, type)).toMatchObject({
        status: 400,
        body: { error: 'invalid_json_parse_body', message: 'Invalid JSON body' },
      });
    }
  });

  it('answers 400 semver_error to a native version that cannot be read', async () => {
    const body = {
      platform: 'android',
      device_id: '00009a6b-eefe-490a-9c60-8e965132ae51',
      app_id: 'com.x.y',
      version_build: 'one',
    };
    expect(await send(JSON.stringify(body))).toMatchObject({
      status: 400,
      body: {
        error: 'semver_error',
        message:
          "Native version: one doesn't follow semver convention, please check https://capgo.app/semver_tester/ to learn more about semver usage in Capgo",
      },
    });
  });

  it('answers 413 payload_too_large in the plugin shape beyond 100 kB, and never the management envelope', async () => {
    const answer = await send(JSON.stringify({ pad: 'x'.repeat(110_000) }));
    expect(answer).toMatchObject({
      status: 413,
      body: { error: 'payload_too_large', message: 'Request body too large: the limit is 102400 bytes' },
    });
    expect(answer.requestId).toBeTruthy();
  });

  it('answers GET /updates and GET /stats with {"status":"ok"}', async () => {
    for (const path of ['/updates', '/stats']) {
      const res = await fetch(h.baseUrl + path);
      expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    }
  });
});
