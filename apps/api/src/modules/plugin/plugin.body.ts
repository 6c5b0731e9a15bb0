import { DEVICE_ID_PATTERN, PLUGIN_APP_ID_PATTERN, STATS_ACTIONS, type StatsAction } from '@apps-api/contract';
import { cannotParseBody, missingAppId, missingDeviceId, semverError } from './plugin.errors.js';
import { normalizeVersionBuild, parseSemver } from './semver.js';

/**
 * Reading a device request in the reference sheet's order (§1.2): not empty, `device_id`,
 * `app_id`, `version_build` coerced, defaults, then every field. The field checks are hand-written
 * rather than a zod schema: this runs on every app launch of every device.
 */

export type Platform = 'ios' | 'android' | 'electron';

/** What every device route knows about the device once its body is read. */
export interface DeviceInfo {
  app_id: string;
  device_id: string;
  platform: string;
  /** As sent, except `"builtin"`, which is read as `version_build` (as Capgo does). */
  version_name: string;
  /** Coerced to SemVer (`1` → `1.0.0`); `""` only on `/channel_self`. */
  version_build: string;
  version_os: string | undefined;
  version_code: string | undefined;
  plugin_version: string | undefined;
  custom_id: string | undefined;
  is_emulator: boolean;
  is_prod: boolean;
  install_source: string | undefined;
  defaultChannel: string | undefined;
  key_id: string | undefined;
  /** The device said it runs its built-in code (`version_name: "builtin"`). */
  onBuiltin: boolean;
}

export interface UpdateCheck extends DeviceInfo {
  platform: Platform;
  plugin_version: string;
}

export interface ChannelSelfRequest extends DeviceInfo {
  platform: Platform;
  channel: string | undefined;
}

export interface StatsEvent extends DeviceInfo {
  action: StatsAction | undefined;
  old_version_name: string | undefined;
  metadata: Record<string, string> | undefined;
}

type Fields = Record<string, unknown>;
type InvalidCode = 'invalid_json_body' | 'invalid_query_parameters';

const ACTIONS = new Set<string>(STATS_ACTIONS);
const STRICT_SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
/** Free-text fields are stored (varchar(255)), so longer ones are refused rather than cut. */
const MAX_TEXT = 255;
const MAX_PLATFORM = 32;
const MAX_METADATA_FIELDS = 30;
const MAX_METADATA_KEY = 64;
const MAX_METADATA_VALUE = 2048;
const LONE_SURROGATE = /\p{Cs}/u;

const isRecord = (value: unknown): value is Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** PostgreSQL cannot store U+0000, and a lone surrogate would come back altered. */
const storable = (value: string, max = MAX_TEXT) =>
  value.length <= max && !value.includes('\u0000') && !LONE_SURROGATE.test(value);

const isPlatform = (value: unknown): value is Platform =>
  value === 'ios' || value === 'android' || value === 'electron';

/** Steps 1–5 of §1.2 on any body: the answers the plugin expects before the field checks. */
function prepare(
  body: unknown,
  requireDevice: boolean,
  invalidCode: InvalidCode,
): { fields: Fields; onBuiltin: boolean } {
  // Capgo reads fields off whatever JSON arrived; only a value without keys counts as empty.
  if (body === null || body === undefined || Object.keys(body).length === 0) {
    throw cannotParseBody(invalidCode);
  }
  const fields = (isRecord(body) ? { ...body } : {}) as Fields;
  if (typeof fields.device_id === 'string') fields.device_id = fields.device_id.toLowerCase();
  if (requireDevice && !fields.device_id) throw missingDeviceId();
  if (!fields.app_id) throw missingAppId();
  const build = fields.version_build;
  if (typeof build === 'string' && build !== '' && !STRICT_SEMVER.test(build)) {
    const normalized = normalizeVersionBuild(build);
    if (normalized === undefined) throw semverError(build);
    fields.version_build = normalized;
  }
  fields.is_emulator ??= false;
  fields.is_prod ??= true;
  const onBuiltin = fields.version_name === 'builtin';
  if (onBuiltin && typeof fields.version_build === 'string') fields.version_name = fields.version_build;
  return { fields, onBuiltin };
}

class Checker {
  ok = true;
  constructor(private readonly fields: Fields) {}

  appId(): string {
    const value = this.fields.app_id;
    if (typeof value === 'string' && value.length <= 255 && PLUGIN_APP_ID_PATTERN.test(value)) return value;
    this.ok = false;
    return '';
  }

  deviceId(): string {
    const value = this.fields.device_id;
    if (typeof value === 'string' && value.length <= 36 && DEVICE_ID_PATTERN.test(value)) return value;
    this.ok = false;
    return '';
  }

  text(key: string, { allowEmpty = true, max = MAX_TEXT } = {}): string {
    const value = this.fields[key];
    if (typeof value === 'string' && (allowEmpty || value !== '') && storable(value, max)) return value;
    this.ok = false;
    return '';
  }

  optionalText(key: string, max = MAX_TEXT): string | undefined {
    const value = this.fields[key];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && storable(value, max)) return value;
    this.ok = false;
    return undefined;
  }

  boolean(key: string): boolean {
    const value = this.fields[key];
    if (typeof value === 'boolean') return value;
    this.ok = false;
    return false;
  }

  platform(): Platform {
    const value = this.fields.platform;
    if (isPlatform(value)) return value;
    this.ok = false;
    return 'android';
  }

  pluginVersion(): string {
    const value = this.fields.plugin_version;
    if (typeof value === 'string' && parseSemver(value)) return value;
    this.ok = false;
    return '';
  }

  action(): StatsAction | undefined {
    const value = this.fields.action;
    if (value === undefined) return undefined;
    if (typeof value === 'string' && ACTIONS.has(value)) return value as StatsAction;
    this.ok = false;
    return undefined;
  }

  metadata(): Record<string, string> | undefined {
    const value = this.fields.metadata;
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      this.ok = false;
      return undefined;
    }
    const entries = Object.entries(value);
    const valid =
      entries.length <= MAX_METADATA_FIELDS &&
      entries.every(
        ([key, item]) =>
          storable(key, MAX_METADATA_KEY) && typeof item === 'string' && storable(item, MAX_METADATA_VALUE),
      );
    if (!valid) this.ok = false;
    return valid ? (value as Record<string, string>) : undefined;
  }

  /** The fields every device route shares, once the route's own checks have run. */
  common(
    platform: string,
    versionName: string,
    versionBuild: string,
    onBuiltin: boolean,
    customIdMax = MAX_TEXT,
  ): DeviceInfo {
    return {
      app_id: this.appId(),
      device_id: this.deviceId(),
      platform,
      version_name: versionName,
      version_build: versionBuild,
      version_os: this.optionalText('version_os'),
      version_code: this.optionalText('version_code'),
      plugin_version: this.optionalText('plugin_version'),
      custom_id: this.optionalText('custom_id', customIdMax),
      is_emulator: this.boolean('is_emulator'),
      is_prod: this.boolean('is_prod'),
      install_source: this.optionalText('install_source', 64),
      defaultChannel: this.optionalText('defaultChannel'),
      key_id: this.optionalText('key_id', 20),
      onBuiltin,
    };
  }
}

function checked<T>(checker: Checker, value: T, invalidCode: InvalidCode): T {
  if (!checker.ok) throw cannotParseBody(invalidCode);
  return value;
}

/** POST /updates. */
export function readUpdateCheck(body: unknown): UpdateCheck {
  const { fields, onBuiltin } = prepare(body, true, 'invalid_json_body');
  const check = new Checker(fields);
  const versionName = check.text('version_name', { allowEmpty: false });
  const versionBuild = check.text('version_build', { allowEmpty: false });
  const platform = check.platform();
  const pluginVersion = check.pluginVersion();
  const info = check.common(platform, versionName, versionBuild, onBuiltin);
  return checked(check, { ...info, platform, plugin_version: pluginVersion }, 'invalid_json_body');
}

/** POST and PUT /channel_self (a JSON body), DELETE (the same fields as a query string). */
export function readChannelSelf(body: unknown, invalidCode: InvalidCode = 'invalid_json_body'): ChannelSelfRequest {
  const { fields, onBuiltin } = prepare(body, true, invalidCode);
  const check = new Checker(fields);
  const versionName = check.text('version_name');
  const versionBuild = check.text('version_build');
  const platform = check.platform();
  const info = check.common(platform, versionName, versionBuild, onBuiltin);
  const channel = check.optionalText('channel');
  return checked(check, { ...info, platform, channel }, invalidCode);
}

/** One /stats event (its `app_id` was checked first by the route, as Capgo does). */
export function readStatsEvent(body: unknown): StatsEvent {
  const { fields, onBuiltin } = prepare(body, true, 'invalid_json_body');
  const check = new Checker(fields);
  const platform = check.text('platform', { max: MAX_PLATFORM });
  // `1.2.3:path/file.js` reports one file of a bundle: the version is the part before the colon.
  const reported = check.text('version_name', { max: MAX_METADATA_VALUE });
  const colon = reported.indexOf(':');
  const versionName = colon > 0 ? reported.slice(0, colon) : reported;
  if (versionName.length > MAX_TEXT) check.ok = false;
  check.text('version_os');
  const versionBuild = fields.version_build === undefined ? '' : check.text('version_build');
  const info = check.common(platform, versionName, versionBuild, onBuiltin, 36);
  const event: StatsEvent = {
    ...info,
    action: check.action(),
    old_version_name: check.optionalText('old_version_name'),
    metadata: check.metadata(),
  };
  check.optionalText('channel');
  return checked(check, event, 'invalid_json_body');
}

export interface ListChannelsRequest {
  app_id: string;
  platform: Platform;
  is_emulator: boolean;
  is_prod: boolean;
  device_id: string | undefined;
}

/** GET /channel_self: `app_id`, `platform` and the two flags; `device_id` optional. */
export function readListChannels(query: Record<string, unknown>): ListChannelsRequest {
  const { fields } = prepare(queryToBody(query), false, 'invalid_query_parameters');
  const check = new Checker(fields);
  const request = {
    app_id: check.appId(),
    platform: check.platform(),
    is_emulator: check.boolean('is_emulator'),
    is_prod: check.boolean('is_prod'),
    device_id: undefined as string | undefined,
  };
  check.optionalText('key_id', 20);
  const deviceId = fields.device_id;
  if (typeof deviceId === 'string' && deviceId.length <= 36 && DEVICE_ID_PATTERN.test(deviceId)) {
    request.device_id = deviceId;
  }
  return checked(check, request, 'invalid_query_parameters');
}

/** DELETE /channel_self. */
export function readUnsetChannel(query: Record<string, unknown>): ChannelSelfRequest {
  return readChannelSelf(queryToBody(query), 'invalid_query_parameters');
}

const QUERY_FIELDS = [
  'version_name',
  'version_build',
  'platform',
  'app_id',
  'device_id',
  'plugin_version',
  'defaultChannel',
  'channel',
  'custom_id',
  'install_source',
  'version_os',
  'key_id',
] as const;

/** Capgo's `convertQueryToBody`: the flags default to "false" / "true" and become booleans. */
function queryToBody(query: Record<string, unknown>): Fields {
  if (Object.keys(query).length === 0) return {};
  const body: Fields = {};
  for (const key of QUERY_FIELDS) if (query[key] !== undefined) body[key] = query[key];
  body.is_emulator = (query.is_emulator ?? 'false') === 'true';
  body.is_prod = (query.is_prod ?? 'true') === 'true';
  return body;
}
