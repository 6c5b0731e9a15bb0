import { beforeAll, describe, expect, it } from 'vitest';
import { Channel } from '../src/modules/channel/channel.entity.js';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { uniqueAppId, useServer } from './support/harness.js';
import { seedBundle, seedChannel, seedOverride, updateChannel } from './support/plugin-seed.js';

/**
 * Capgo's own expectations (reference sheet §6.1, quoted from `tests/updates.test.ts`), replayed
 * against this server with Capgo's fixture: its five versions, five channels and base request.
 * Where SPEC-live-updates §4 decided otherwise, the row says so.
 */

const h = useServer();
const DEVICE = '00009a6b-eefe-490a-9c60-8e965132ae51';
let appId = '';
let app = '';
let production = 0;

/** `makeBaseData` of Capgo's tests. */
const base = () => ({
  channel: 'production',
  platform: 'android',
  device_id: DEVICE,
  app_id: appId,
  custom_id: '',
  version_build: '1.0.0',
  version_code: '1',
  version_os: '13',
  version_name: '1.0.0',
  plugin_version: '7.0.0',
  is_emulator: false,
  is_prod: true,
});

const postUpdates = async (body: unknown) => {
  const res = await fetch(`${h.baseUrl}/updates`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  const tenant = await createTenant(h.em());
  const created = await createAppVia(h, tenant.key, {
    app_id: uniqueAppId('com.replay'),
    name: 'Replay',
    owner_org: tenant.orgId,
  });
  appId = created.app_id;
  app = created.id;
  const em = h.em();
  const version: Record<string, number> = {};
  // The seed's versions; 1.0.0 carries the seed's CRC32 checksum, as in Capgo.
  for (const [name, checksum] of [['1.0.0', '3885ee49'], ['1.0.1'], ['1.361.0'], ['1.360.0'], ['1.359.0']] as const) {
    version[name] = await seedBundle(em, app, {
      name,
      ...(checksum ? { checksum } : {}),
      externalUrl: `https://cdn.example.com/${name}.zip`,
    });
  }
  // The seed's channels: public / ios / android / electron / self_set; 'major', under_native, all allow_* true.
  const channels = [
    ['production', '1.0.0', true, false, true, true],
    ['beta', '1.361.0', false, true, true, true],
    ['development', '1.359.0', true, true, false, false],
    ['no_access', '1.361.0', false, false, false, false],
    ['electron_only', '1.360.0', false, false, false, true],
  ] as const;
  for (const [name, bundle, isPublic, ios, android, electron] of channels) {
    const id = await seedChannel(em, app, {
      name,
      version: version[bundle] as number,
      public: isPublic,
      ios,
      android,
      electron,
      allowDeviceSelfSet: true,
    });
    if (name === 'production') production = id;
  }
});

describe("Capgo's updates.test.ts, replayed", () => {
  const rows: [string, () => Record<string, unknown>, number, Record<string, unknown>][] = [
    [
      'base request',
      () => base(),
      200,
      { error: 'no_new_version_available', message: 'No new version available', kind: 'up_to_date' },
    ],
    [
      'version_name 1.1.0 gets 1.0.0 with the seed checksum',
      () => ({ ...base(), version_name: '1.1.0' }),
      200,
      { version: '1.0.0', url: 'https://cdn.example.com/1.0.0.zip', checksum: '3885ee49', session_key: '' },
    ],
    [
      'version 0.0.0 is blocked by the major rule',
      () => ({ ...base(), version_build: '0.0.0', version_name: '0.0.0' }),
      200,
      {
        error: 'disable_auto_update_to_major',
        message: 'Cannot upgrade major version',
        major: true,
        version: '1.0.0',
        old: '0.0.0',
        kind: 'blocked',
      },
    ],
    [
      'version 2.0.0 is under the native version',
      () => ({ ...base(), version_build: '2.0.0', version_name: '2.0.0' }),
      200,
      {
        error: 'disable_auto_update_under_native',
        message: 'Cannot revert under native version',
        version: '1.0.0',
        old: '2.0.0',
        kind: 'blocked',
      },
    ],
    [
      'an app that does not exist',
      () => ({ ...base(), app_id: 'does.not.exist' }),
      429,
      { error: 'on_premise_app', message: 'On-premise app detected' },
    ],
    [
      'defaultChannel beta',
      () => ({ ...base(), defaultChannel: 'beta' }),
      200,
      { version: '1.361.0', url: 'https://cdn.example.com/1.361.0.zip', checksum: expect.any(String), session_key: '' },
    ],
    [
      'electron is not rejected',
      () => ({ ...base(), platform: 'electron', defaultChannel: 'electron_only' }),
      200,
      { version: '1.360.0' },
    ],
    [
      'unsupported platform',
      () => ({ ...base(), platform: 'windows' }),
      400,
      { error: 'invalid_json_body', message: 'Cannot parse body' },
    ],
    [
      'invalid device_id',
      () => ({ ...base(), device_id: 'invalid' }),
      400,
      { error: 'invalid_json_body', message: 'Cannot parse body' },
    ],
    [
      'invalid plugin_version',
      () => ({ ...base(), plugin_version: 'invalid' }),
      400,
      { error: 'invalid_json_body', message: 'Cannot parse body' },
    ],
    ['missing fields', () => ({}), 400, { error: 'invalid_json_body', message: 'Cannot parse body' }],
    [
      'only the platform',
      () => ({ platform: 'android' }),
      400,
      { error: 'missing_device_id', message: 'Cannot find device_id' },
    ],
  ];

  it.each(rows)('%s → %i', async (_, body, status, expected) => {
    const answer = await postUpdates(body());
    expect(answer.status).toBe(status);
    if (status === 200 && 'version' in expected && !('error' in expected)) expect(answer.body).toMatchObject(expected);
    else expect(answer.body).toEqual(expected);
  });

  it('an override to no_access (android enabled, disable_auto_update none) serves 1.361.0 to a device on 0.0.0', async () => {
    const em = h.em();
    const { id } = await em.findOneOrFail(Channel, { app, name: 'no_access' });
    await updateChannel(em, id, { android: true, disableAutoUpdate: 'none' });
    const device = '11119a6b-eefe-490a-9c60-8e965132ae51';
    await seedOverride(em, app, device, id);
    const answer = await postUpdates({ ...base(), device_id: device, version_name: '0.0.0' });
    expect(answer).toMatchObject({ status: 200, body: { version: '1.361.0' } });
  });

  it('production on the built-in code: a device on 1.1.0 gets {"version":"builtin"} (SPEC §4, not Capgo\'s error answer)', async () => {
    await updateChannel(h.em(), production, { version: null });
    const answer = await postUpdates({
      ...base(),
      device_id: '22229a6b-eefe-490a-9c60-8e965132ae51',
      version_name: '1.1.0',
    });
    expect(answer).toEqual({ status: 200, body: { version: 'builtin' } });
    const onBuiltin = await postUpdates({
      ...base(),
      device_id: '22229a6b-eefe-490a-9c60-8e965132ae51',
      version_name: 'builtin',
    });
    expect(onBuiltin).toEqual({
      status: 200,
      body: { error: 'already_on_builtin', message: 'Already on builtin', kind: 'up_to_date' },
    });
  });
});
