import { describe, expect, it } from 'vitest';
import { DeviceRateLimit } from '../src/modules/plugin/device-rate-limit.js';
import { readListChannels, readStatsEvent, readUpdateCheck } from '../src/modules/plugin/plugin.body.js';
import { kindOf, pluginAnswerOf } from '../src/modules/plugin/plugin.errors.js';
import {
  type SemVer,
  compareSemver,
  fixSemver,
  normalizeVersionBuild,
  parseSemver,
} from '../src/modules/plugin/semver.js';

/** Reading device bodies in the reference sheet's order (§1.2), and the small pieces around it. */

const base = {
  platform: 'android',
  device_id: '00009A6B-EEFE-490A-9C60-8E965132AE51',
  app_id: 'com.demo.app',
  custom_id: '',
  version_build: '1.0.0',
  version_code: '1',
  version_os: '13',
  version_name: '1.0.0',
  plugin_version: '7.0.0',
  is_emulator: false,
  is_prod: true,
};

/** What a body answers when it is refused: the plugin's status and body. */
function refusedWith(read: () => unknown) {
  try {
    read();
  } catch (error) {
    return pluginAnswerOf(error);
  }
  throw new Error('the body was accepted');
}

describe('reading POST /updates', () => {
  it('lower-cases device_id, fills the defaults and reads "builtin" as the native version', () => {
    const { is_emulator: _, is_prod: __, ...old } = base;
    expect(readUpdateCheck({ ...old, version_name: 'builtin', version_build: '2' })).toMatchObject({
      device_id: '00009a6b-eefe-490a-9c60-8e965132ae51',
      version_build: '2.0.0',
      version_name: '2.0.0',
      onBuiltin: true,
      is_emulator: false,
      is_prod: true,
    });
  });

  const order: [string, unknown, string, string][] = [
    ['null', null, 'invalid_json_body', 'Cannot parse body'],
    ['{}', {}, 'invalid_json_body', 'Cannot parse body'],
    ['[]', [], 'invalid_json_body', 'Cannot parse body'],
    ['only platform', { platform: 'android' }, 'missing_device_id', 'Cannot find device_id'],
    ['no app_id', { ...base, app_id: undefined }, 'missing_app_id', 'Cannot find app_id'],
    ['empty app_id, bad device_id', { ...base, app_id: '', device_id: 'x' }, 'missing_app_id', 'Cannot find app_id'],
    [
      'native version not SemVer, before the field checks',
      { ...base, version_build: '1.2.3.4', platform: 'windows' },
      'semver_error',
      "Native version: 1.2.3.4 doesn't follow semver convention, please check https://capgo.app/semver_tester/ to learn more about semver usage in Capgo",
    ],
    ['unsupported platform', { ...base, platform: 'windows' }, 'invalid_json_body', 'Cannot parse body'],
    ['invalid device_id', { ...base, device_id: 'not-a-uuid' }, 'invalid_json_body', 'Cannot parse body'],
    ['invalid plugin_version', { ...base, plugin_version: 'latest' }, 'invalid_json_body', 'Cannot parse body'],
    ['app_id not reverse-domain', { ...base, app_id: 'demo' }, 'invalid_json_body', 'Cannot parse body'],
    ['is_prod not boolean', { ...base, is_prod: 'yes' }, 'invalid_json_body', 'Cannot parse body'],
    ['key_id too long', { ...base, key_id: 'k'.repeat(21) }, 'invalid_json_body', 'Cannot parse body'],
    ['NUL in a stored field', { ...base, version_os: 'a\u0000' }, 'invalid_json_body', 'Cannot parse body'],
  ];

  it.each(order)('%s → 400 %s', (_, body, error, message) => {
    expect(refusedWith(() => readUpdateCheck(body))).toEqual({ status: 400, body: { error, message } });
  });

  it('accepts electron and extra keys', () => {
    expect(readUpdateCheck({ ...base, platform: 'electron', channel: 'x', anything: [1] }).platform).toBe('electron');
  });
});

describe('reading /stats events and GET /channel_self', () => {
  it('keeps the version before ":" of a per-file failure, accepts session_key_required, bounds metadata', () => {
    const event = {
      ...base,
      action: 'session_key_required',
      version_name: '1.2.3:assets/app.js',
      metadata: { a: 'b' },
    };
    expect(readStatsEvent(event)).toMatchObject({ version_name: '1.2.3', action: 'session_key_required' });
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, 'v']));
    expect(refusedWith(() => readStatsEvent({ ...base, action: 'set', metadata: many }))?.status).toBe(400);
    expect(refusedWith(() => readStatsEvent({ ...base, action: 'nope' }))).toEqual({
      status: 400,
      body: { error: 'invalid_json_body', message: 'Cannot parse body' },
    });
  });

  it('reads the list query with its defaults and codes', () => {
    expect(readListChannels({ app_id: 'com.demo.app', platform: 'ios' })).toEqual({
      app_id: 'com.demo.app',
      platform: 'ios',
      is_emulator: false,
      is_prod: true,
      device_id: undefined,
    });
    const codeOf = (query: Record<string, unknown>) =>
      (refusedWith(() => readListChannels(query))?.body as { error?: string } | undefined)?.error;
    expect(codeOf({})).toBe('invalid_query_parameters');
    expect(codeOf({ platform: 'ios' })).toBe('missing_app_id');
    expect(codeOf({ app_id: 'com.demo.app', platform: 'web' })).toBe('invalid_query_parameters');
  });
});

describe('SemVer', () => {
  it('coerces native versions as Capgo does', () => {
    expect(['1', '1.0', 'builtin', 'unknown', '1.2.3'].map(fixSemver)).toEqual([
      '1.0.0',
      '1.0.0',
      '0.0.0',
      '0.0.0',
      '1.2.3',
    ]);
    expect(normalizeVersionBuild('7')).toBe('7.0.0');
    expect(normalizeVersionBuild('1.0.0-rc.1')).toBe('1.0.0-rc.1');
    expect(normalizeVersionBuild('v1.0.0')).toBeUndefined();
  });

  it('orders by precedence: prereleases before the release, numbers before words', () => {
    const sorted = ['1.0.0', '1.0.0-beta.11', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0-alpha.1', '0.9.9'].sort((a, b) =>
      compareSemver(parseSemver(a) as SemVer, parseSemver(b) as SemVer),
    );
    expect(sorted).toEqual(['0.9.9', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0']);
  });
});

describe('kind', () => {
  it('maps codes as getUpdateResponseKind does', () => {
    expect(kindOf('no_new_version_available')).toBe('up_to_date');
    expect(kindOf('already_on_builtin')).toBe('up_to_date');
    expect(kindOf('disable_emulator')).toBe('blocked');
    expect(kindOf('key_id_mismatch')).toBe('blocked');
    expect(kindOf('no_channel')).toBe('failed');
    expect(kindOf('anything_else')).toBe('failed');
  });
});

describe('the device rate limit', () => {
  it('allows perMinute requests per device, app and route, then answers 429 with Retry-After until the window ends', () => {
    let now = 1_000_000;
    const limit = new DeviceRateLimit(2, () => now);
    limit.hit('updates', 'com.a', 'd1');
    now += 10_000;
    limit.hit('updates', 'com.a', 'd1');
    limit.hit('stats', 'com.a', 'd1');
    limit.hit('updates', 'com.b', 'd1');
    limit.hit('updates', 'com.a', 'd2');
    now += 5_000;
    // The window began with the first request, 15 s ago.
    expect(refusedWith(() => limit.hit('updates', 'com.a', 'd1'))).toEqual({
      status: 429,
      headers: { 'retry-after': '45' },
      body: { error: 'too_many_requests', message: 'Too many requests', moreInfo: { retryAfterSeconds: 45 } },
    });
    now += 44_001;
    expect(refusedWith(() => limit.hit('updates', 'com.a', 'd1'))).toMatchObject({ headers: { 'retry-after': '1' } });
    now += 999;
    limit.hit('updates', 'com.a', 'd1');
    limit.hit('updates', 'com.a', 'd1');
    expect(refusedWith(() => limit.hit('updates', 'com.a', 'd1'))).toMatchObject({ headers: { 'retry-after': '60' } });
  });

  it('counts at most 200,000 devices per window; those already counted stay limited', () => {
    const now = 1_000_000;
    const limit = new DeviceRateLimit(1, () => now);
    limit.hit('updates', 'com.a', 'first');
    for (let i = 1; i < 200_000; i++) limit.hit('updates', 'com.a', `d${i}`);
    // The table is full: a new device passes uncounted, every time.
    limit.hit('updates', 'com.a', 'late');
    limit.hit('updates', 'com.a', 'late');
    expect(refusedWith(() => limit.hit('updates', 'com.a', 'first'))).toMatchObject({ status: 429 });
  });

  it('is off at 0', () => {
    const limit = new DeviceRateLimit(0);
    for (let i = 0; i < 1000; i++) limit.hit('updates', 'com.a', 'd1');
  });
});
