import type { PluginRefusal } from '@apps-api/contract';
import type { UpdateCheck } from './plugin.body.js';
import { refusal } from './plugin.errors.js';
import { compareSemver, parseSemver, type SemVer } from './semver.js';

/**
 * The decision procedure of the reference sheet §1.3 (steps 2–11), as a pure function of the
 * request and what the database holds for it: which channel, which bundle, or which refusal.
 * Building the download URL (step 12) and recording telemetry (step 13) are the service's.
 */

export type DisableAutoUpdate = 'major' | 'minor' | 'patch' | 'version_number' | 'none';

export interface ChannelPolicy {
  id: number;
  name: string;
  public: boolean;
  ios: boolean;
  android: boolean;
  electron: boolean;
  allow_device_self_set: boolean;
  allow_emulator: boolean;
  allow_device: boolean;
  allow_dev: boolean;
  allow_prod: boolean;
  disable_auto_update: DisableAutoUpdate;
  disable_auto_update_under_native: boolean;
}

export interface BundleTarget {
  id: number;
  name: string;
  checksum: string;
  storage: 'stored' | 'external';
  /** Where a stored bundle's zip is, for its download URL. */
  storage_key: string | null;
  external_url: string | null;
  session_key: string | null;
  key_id: string | null;
  min_update_version: string | null;
}

/** A channel with the bundle it points at; `bundle: null` is the app's built-in code. */
export interface Candidate {
  channel: ChannelPolicy;
  bundle: BundleTarget | null;
}

export interface Candidates {
  /** The device's override (`POST /device`), whatever its platform or visibility. */
  override: Candidate | null;
  /** `defaultChannel` by name when it qualifies, else (no `defaultChannel`) the public channel. */
  fallback: Candidate | null;
}

export type Decision =
  | { type: 'update'; bundle: BundleTarget; channel: ChannelPolicy }
  | { type: 'revert_to_builtin'; channel: ChannelPolicy }
  | { type: 'refuse'; answer: PluginRefusal; channel: ChannelPolicy | null; bundleName: string | null };

export const BUILTIN = 'builtin';
const KEY_ID_CHECKED_AFTER = parseSemver('8.40.7') as SemVer;
const BUILTIN_REVERT_SINCE = parseSemver('6.2.0') as SemVer;

const PLATFORM_REFUSALS = {
  ios: ['disabled_platform_ios', "Cannot update, ios it's disabled"],
  android: ['disabled_platform_android', 'Cannot update, android is disabled'],
  electron: ['disabled_platform_electron', 'Cannot update, electron is disabled'],
} as const;

const FLAG_REFUSALS = {
  prod: ['disable_prod_build', 'Cannot update, prod build is disabled'],
  dev: ['disable_dev_build', 'Cannot update, dev build is disabled'],
  device: ['disable_device', 'Cannot update, device is disabled'],
  emulator: ['disable_emulator', 'Cannot update, emulator is disabled'],
} as const;

function privateChannelMessage(channel: string, defaultChannel: string | undefined): string {
  return defaultChannel
    ? `Cannot update via a private channel. The channel "${channel}" does not allow device self-assignment. Please ensure your defaultChannel "${defaultChannel}" has "Allow devices to self dissociate/associate" set to true.`
    : `Cannot update via a private channel. The channel "${channel}" does not allow device self-assignment. Please set a defaultChannel with "Allow devices to self dissociate/associate" enabled.`;
}

export function decideUpdate(request: UpdateCheck, candidates: Candidates): Decision {
  const plugin = parseSemver(request.plugin_version) as SemVer;
  const refuse = (
    code: string,
    message: string,
    extra: Parameters<typeof refusal>[2] = {},
    channel: ChannelPolicy | null = null,
    bundleName: string | null = null,
  ): Decision => ({ type: 'refuse', answer: refusal(code, message, extra), channel, bundleName });

  if (plugin.major === 4) {
    return refuse(
      'unsupported_plugin_version',
      `Plugin version ${request.plugin_version} (v4) is no longer supported. Please upgrade to v5.10.0 or later.`,
    );
  }

  const chosen = candidates.override ?? candidates.fallback;
  if (!chosen) return refuse('no_channel', 'no default channel or override');
  const { channel, bundle } = chosen;
  const name = bundle?.name ?? BUILTIN;
  const stop = (code: string, message: string, extra: Parameters<typeof refusal>[2] = {}) =>
    refuse(code, message, extra, channel, name);

  if (bundle && bundle.storage !== 'stored' && !bundle.external_url) return stop('no_bundle', 'Cannot get bundle');

  if (
    bundle?.key_id &&
    request.key_id &&
    request.key_id !== bundle.key_id &&
    compareSemver(plugin, KEY_ID_CHECKED_AFTER) > 0
  ) {
    return stop(
      'key_id_mismatch',
      'Device encryption key does not match bundle encryption key. The device may have a different public key than the one used to encrypt this bundle.',
      { deviceKeyId: request.key_id, bundleKeyId: bundle.key_id },
    );
  }

  if (request.version_name === name) return stop('no_new_version_available', 'No new version available');

  const platformRefusal = channel[request.platform] ? undefined : PLATFORM_REFUSALS[request.platform];
  if (platformRefusal)
    return stop(platformRefusal[0], platformRefusal[1], { version: name, old: request.version_name });

  // Semver rules compare the bundle with the native version; they do not apply to the built-in code.
  const target = bundle ? parseSemver(bundle.name) : undefined;
  const native = parseSemver(request.version_build) as SemVer;
  const upgrade = { major: true, version: name, old: request.version_build };

  if (target && channel.disable_auto_update === 'major' && target.major > native.major) {
    return stop('disable_auto_update_to_major', 'Cannot upgrade major version', upgrade);
  }
  if (!channel.allow_device_self_set && !channel.public && !candidates.override) {
    return stop('cannot_update_via_private_channel', privateChannelMessage(channel.name, request.defaultChannel));
  }
  if (
    target &&
    channel.disable_auto_update === 'minor' &&
    (target.major !== native.major || target.minor !== native.minor)
  ) {
    return stop('disable_auto_update_to_minor', 'Cannot upgrade minor version', upgrade);
  }
  if (
    target &&
    channel.disable_auto_update === 'patch' &&
    (target.major !== native.major || target.minor !== native.minor || target.patch !== native.patch)
  ) {
    return stop('disable_auto_update_to_patch', 'Cannot upgrade patch version', upgrade);
  }
  if (target && channel.disable_auto_update === 'version_number') {
    const minimum = bundle?.min_update_version ? parseSemver(bundle.min_update_version) : undefined;
    if (!minimum) {
      return stop('misconfigured_channel', `Channel ${channel.name} is misconfigured`, {
        version: name,
        old: request.version_build,
      });
    }
    if (compareSemver(minimum, native) > 0) {
      return stop(
        'disable_auto_update_to_metadata',
        'Cannot upgrade version, min update version > current version',
        upgrade,
      );
    }
  }
  const seen = { version: name, old: request.version_name };
  if (target && channel.disable_auto_update_under_native && compareSemver(target, native) < 0) {
    return stop('disable_auto_update_under_native', 'Cannot revert under native version', seen);
  }
  const flag =
    (!channel.allow_prod && request.is_prod && FLAG_REFUSALS.prod) ||
    (!channel.allow_dev && !request.is_prod && FLAG_REFUSALS.dev) ||
    (!channel.allow_device && !request.is_emulator && FLAG_REFUSALS.device) ||
    (!channel.allow_emulator && request.is_emulator && FLAG_REFUSALS.emulator);
  if (flag) return stop(flag[0], flag[1], seen);

  if (!bundle) {
    if (compareSemver(plugin, BUILTIN_REVERT_SINCE) < 0) {
      return stop('revert_to_builtin_plugin_version_too_old', 'revert_to_builtin used, but plugin version is too old');
    }
    // SPEC-live-updates §4: only the bare answer makes today's plugin revert.
    if (request.onBuiltin) return stop('already_on_builtin', 'Already on builtin');
    return { type: 'revert_to_builtin', channel };
  }
  return { type: 'update', bundle, channel };
}
