import { describe, expect, it } from 'vitest';
import type { UpdateCheck } from '../src/modules/plugin/plugin.body.js';
import {
  type BundleTarget,
  type Candidate,
  type ChannelPolicy,
  decideUpdate,
} from '../src/modules/plugin/update.decision.js';

/** The decision procedure alone (reference sheet §1.3), without HTTP or a database. */

const request = (over: Partial<UpdateCheck> = {}): UpdateCheck => ({
  app_id: 'com.demo.app',
  device_id: '00009a6b-eefe-490a-9c60-8e965132ae51',
  platform: 'android',
  version_name: '1.0.0',
  version_build: '1.0.0',
  version_os: '14',
  version_code: '1',
  plugin_version: '8.51.23',
  custom_id: '',
  is_emulator: false,
  is_prod: true,
  install_source: undefined,
  defaultChannel: undefined,
  key_id: undefined,
  onBuiltin: false,
  ...over,
});

const channel = (over: Partial<ChannelPolicy> = {}): ChannelPolicy => ({
  id: 1,
  name: 'production',
  public: true,
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
  ...over,
});

const bundle = (name: string, over: Partial<BundleTarget> = {}): BundleTarget => ({
  id: 7,
  name,
  checksum: 'a'.repeat(64),
  storage: 'stored',
  storage_key: `k/${name}.zip`,
  external_url: null,
  session_key: null,
  key_id: null,
  min_update_version: null,
  ...over,
});

const on = (c: ChannelPolicy, b: BundleTarget | null): Candidate => ({ channel: c, bundle: b });
const fallback = (c: Candidate) => ({ override: null, fallback: c });
const answerOf = (decision: ReturnType<typeof decideUpdate>): Record<string, unknown> =>
  decision.type === 'refuse' ? decision.answer : { type: decision.type };

describe('the update decision', () => {
  it('offers the channel bundle to a device on another version, older ones included (no general downgrade rule)', () => {
    const target = bundle('1.0.0');
    expect(decideUpdate(request({ version_name: '1.1.0' }), fallback(on(channel(), target)))).toEqual({
      type: 'update',
      bundle: target,
      channel: channel(),
    });
  });

  it('answers no_channel (failed) when neither an override nor a default channel was found', () => {
    expect(answerOf(decideUpdate(request(), { override: null, fallback: null }))).toEqual({
      error: 'no_channel',
      message: 'no default channel or override',
      kind: 'failed',
    });
  });

  it('prefers the override to the default channel', () => {
    const decision = decideUpdate(request(), {
      override: on(channel({ name: 'beta', public: false }), bundle('1.2.0')),
      fallback: on(channel(), bundle('1.0.1')),
    });
    expect(decision).toMatchObject({ type: 'update', bundle: { name: '1.2.0' }, channel: { name: 'beta' } });
  });

  it('answers no_new_version_available (up_to_date) on the same version, before any channel check', () => {
    expect(answerOf(decideUpdate(request(), fallback(on(channel({ android: false }), bundle('1.0.0')))))).toEqual({
      error: 'no_new_version_available',
      message: 'No new version available',
      kind: 'up_to_date',
    });
  });

  it('refuses plugin 4.x before anything else', () => {
    expect(
      answerOf(decideUpdate(request({ plugin_version: '4.9.0' }), fallback(on(channel(), bundle('1.0.1'))))),
    ).toEqual({
      error: 'unsupported_plugin_version',
      message: 'Plugin version 4.9.0 (v4) is no longer supported. Please upgrade to v5.10.0 or later.',
      kind: 'failed',
    });
  });

  it('checks key_id only for plugins after 8.40.7', () => {
    const encrypted = fallback(on(channel(), bundle('1.0.1', { key_id: 'bundlekey' })));
    expect(answerOf(decideUpdate(request({ key_id: 'devicekey' }), encrypted))).toEqual({
      error: 'key_id_mismatch',
      message:
        'Device encryption key does not match bundle encryption key. The device may have a different public key than the one used to encrypt this bundle.',
      deviceKeyId: 'devicekey',
      bundleKeyId: 'bundlekey',
      kind: 'blocked',
    });
    expect(decideUpdate(request({ key_id: 'devicekey', plugin_version: '8.40.7' }), encrypted).type).toBe('update');
  });

  const blocked: [string, Partial<UpdateCheck>, Partial<ChannelPolicy>, string, object][] = [
    [
      'ios off',
      { platform: 'ios' },
      { ios: false },
      "disabled_platform_ios|Cannot update, ios it's disabled",
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'android off',
      {},
      { android: false },
      'disabled_platform_android|Cannot update, android is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'electron off',
      { platform: 'electron' },
      { electron: false },
      'disabled_platform_electron|Cannot update, electron is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'major',
      { version_build: '0.9.0', version_name: '0.9.0' },
      {},
      'disable_auto_update_to_major|Cannot upgrade major version',
      { major: true, version: '1.0.1', old: '0.9.0' },
    ],
    [
      'minor',
      { version_build: '1.1.0', version_name: '1.1.0' },
      { disable_auto_update: 'minor', disable_auto_update_under_native: false },
      'disable_auto_update_to_minor|Cannot upgrade minor version',
      { major: true, version: '1.0.1', old: '1.1.0' },
    ],
    [
      'patch',
      {},
      { disable_auto_update: 'patch' },
      'disable_auto_update_to_patch|Cannot upgrade patch version',
      { major: true, version: '1.0.1', old: '1.0.0' },
    ],
    [
      'under native',
      { version_build: '1.0.2', version_name: '1.0.2' },
      {},
      'disable_auto_update_under_native|Cannot revert under native version',
      { version: '1.0.1', old: '1.0.2' },
    ],
    [
      'prod',
      {},
      { allow_prod: false },
      'disable_prod_build|Cannot update, prod build is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'dev',
      { is_prod: false },
      { allow_dev: false },
      'disable_dev_build|Cannot update, dev build is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'device',
      {},
      { allow_device: false },
      'disable_device|Cannot update, device is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
    [
      'emulator',
      { is_emulator: true },
      { allow_emulator: false },
      'disable_emulator|Cannot update, emulator is disabled',
      { version: '1.0.1', old: '1.0.0' },
    ],
  ];

  it.each(blocked)(
    'blocks (%s) with its code, message, extra fields and kind blocked',
    (_, req, policy, codeMessage, extra) => {
      const [error, message] = codeMessage.split('|');
      expect(answerOf(decideUpdate(request(req), fallback(on(channel(policy), bundle('1.0.1')))))).toEqual({
        error,
        message,
        ...extra,
        kind: 'blocked',
      });
    },
  );

  it('runs the channel checks in the sheet order: platform, major, private, minor, patch, metadata, under native, flags', () => {
    const everything = channel({ android: false, public: false, allow_prod: false });
    const old = request({ version_build: '0.1.0', version_name: '0.1.0' });
    const steps = [
      ['disabled_platform_android', everything],
      ['disable_auto_update_to_major', { ...everything, android: true }],
      ['cannot_update_via_private_channel', { ...everything, android: true, disable_auto_update: 'none' as const }],
    ] as const;
    for (const [code, policy] of steps) {
      expect(answerOf(decideUpdate(old, fallback(on(policy, bundle('1.0.1'))))).error).toBe(code);
    }
  });

  it('names the channel and the defaultChannel when a private channel is not self-assignable', () => {
    const privateChannel = channel({ name: 'beta', public: false });
    expect(
      answerOf(decideUpdate(request({ defaultChannel: 'beta' }), fallback(on(privateChannel, bundle('1.0.1'))))),
    ).toEqual({
      error: 'cannot_update_via_private_channel',
      message:
        'Cannot update via a private channel. The channel "beta" does not allow device self-assignment. Please ensure your defaultChannel "beta" has "Allow devices to self dissociate/associate" set to true.',
      kind: 'blocked',
    });
    // The same private channel as an override is fine.
    expect(decideUpdate(request(), { override: on(privateChannel, bundle('1.0.1')), fallback: null }).type).toBe(
      'update',
    );
  });

  it('in version_number mode needs min_update_version, then compares it with the native version', () => {
    const mode = channel({ disable_auto_update: 'version_number' });
    expect(answerOf(decideUpdate(request(), fallback(on(mode, bundle('1.0.1')))))).toEqual({
      error: 'misconfigured_channel',
      message: 'Channel production is misconfigured',
      version: '1.0.1',
      old: '1.0.0',
      kind: 'failed',
    });
    expect(
      answerOf(decideUpdate(request(), fallback(on(mode, bundle('1.0.1', { min_update_version: '1.0.1' }))))),
    ).toEqual({
      error: 'disable_auto_update_to_metadata',
      message: 'Cannot upgrade version, min update version > current version',
      major: true,
      version: '1.0.1',
      old: '1.0.0',
      kind: 'blocked',
    });
    expect(decideUpdate(request(), fallback(on(mode, bundle('1.0.1', { min_update_version: '1.0.0' })))).type).toBe(
      'update',
    );
  });

  it('compares prereleases by SemVer precedence', () => {
    const patchOnly = channel({ disable_auto_update_under_native: true });
    expect(
      answerOf(decideUpdate(request({ version_build: '1.0.1' }), fallback(on(patchOnly, bundle('1.0.1-beta.2')))))
        .error,
    ).toBe('disable_auto_update_under_native');
  });

  it('reverts a device to the built-in code with the bare answer, and tells one already on it that it is up to date', () => {
    const builtin = fallback(on(channel(), null));
    expect(decideUpdate(request({ version_name: '1.1.0' }), builtin).type).toBe('revert_to_builtin');
    expect(answerOf(decideUpdate(request({ onBuiltin: true, version_name: '1.0.0' }), builtin))).toEqual({
      error: 'already_on_builtin',
      message: 'Already on builtin',
      kind: 'up_to_date',
    });
    expect(answerOf(decideUpdate(request({ plugin_version: '6.1.9' }), builtin))).toEqual({
      error: 'revert_to_builtin_plugin_version_too_old',
      message: 'revert_to_builtin used, but plugin version is too old',
      kind: 'failed',
    });
  });

  it('skips the SemVer rules for the built-in code but keeps the platform and build flags', () => {
    const old = request({ version_build: '0.1.0', version_name: '0.5.0' });
    expect(decideUpdate(old, fallback(on(channel(), null))).type).toBe('revert_to_builtin');
    expect(answerOf(decideUpdate(old, fallback(on(channel({ allow_prod: false }), null)))).error).toBe(
      'disable_prod_build',
    );
  });
});
