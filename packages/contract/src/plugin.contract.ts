import { initContract } from '@ts-rest/core';
import { z } from 'zod';

const c = initContract();

/**
 * The device protocol of `@capgo/capacitor-updater` (SPEC-live-updates §4). These routes take no
 * key and answer in the plugin's own shape, never in `ErrorBody`: the plugin reads `error` as a code.
 */

export const PLUGIN_APP_ID_PATTERN = /^[a-zA-Z0-9]+(\.[\w-]+)+$/;
export const DEVICE_ID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** The body of `/updates` and `/channel_self`, at most. */
export const DEVICE_BODY_LIMIT_BYTES = 102_400;
/** The body of `/stats` (a batch), at most. */
export const STATS_BODY_LIMIT_BYTES = 1_048_576;
/** Events per `/stats` batch, at most (the plugin queues at most 200). */
export const STATS_BATCH_MAX = 1000;

export const STATS_ACTIONS = [
  'ping',
  'delete',
  'reset',
  'set',
  'get',
  'set_fail',
  'update_fail',
  'download_fail',
  'windows_path_fail',
  'canonical_path_fail',
  'directory_path_fail',
  'unzip_fail',
  'low_mem_fail',
  'download_0',
  'download_10',
  'download_20',
  'download_30',
  'download_40',
  'download_50',
  'download_60',
  'download_70',
  'download_80',
  'download_90',
  'download_complete',
  'download_manifest_start',
  'download_manifest_complete',
  'download_zip_start',
  'download_zip_complete',
  'download_manifest_file_fail',
  'download_manifest_checksum_fail',
  'download_manifest_brotli_fail',
  'finish_download_fail',
  'manifest_path_fail',
  'decrypt_fail',
  'checksum_required',
  'insufficient_disk_space',
  'app_moved_to_foreground',
  'app_moved_to_background',
  'app_launch_start',
  'app_launch_ready',
  'app_launch_timeout',
  'uninstall',
  'needPlanUpgrade',
  'missingBundle',
  'noNew',
  'disablePlatformIos',
  'disablePlatformAndroid',
  'disableAutoUpdateToMajor',
  'cannotUpdateViaPrivateChannel',
  'disableAutoUpdateToMinor',
  'disableAutoUpdateToPatch',
  'channelMisconfigured',
  'disableAutoUpdateMetadata',
  'disableAutoUpdateUnderNative',
  'disableDevBuild',
  'disableProdBuild',
  'disableEmulator',
  'disableDevice',
  'cannotGetBundle',
  'checksum_fail',
  'NoChannelOrOverride',
  'setChannel',
  'getChannel',
  'rateLimited',
  'rate_limit_reached',
  'disableAutoUpdate',
  'keyMismatch',
  'InvalidIp',
  'blocked_by_server_url',
  'backend_refusal',
  'disablePlatformElectron',
  'customIdBlocked',
  'app_crash',
  'app_crash_native',
  'app_anr',
  'app_killed_low_memory',
  'app_killed_excessive_resource_usage',
  'app_initialization_failure',
  'app_memory_warning',
  'webview_javascript_error',
  'webview_unhandled_rejection',
  'webview_resource_error',
  'webview_security_policy_violation',
  'webview_unclean_restart',
  'webview_render_process_gone',
  'webview_content_process_terminated',
  'webview_dom_content_loaded',
  'webview_page_loaded',
  'set_next',
  'os_version_changed',
  'native_app_version_changed',
  // Sent by plugin 8.51.23 but missing from Capgo's list; accepted here (SPEC-live-updates §4).
  'session_key_required',
] as const;

export const StatsAction = z.enum(STATS_ACTIONS).describe('What a device reports in a `/stats` event.');
export type StatsAction = z.infer<typeof StatsAction>;

export const DevicePlatform = z.enum(['ios', 'android', 'electron']).describe('The device platform.');

const DeviceFields = {
  app_id: z
    .string()
    .regex(PLUGIN_APP_ID_PATTERN)
    .describe('Reverse-domain app id (`^[a-z0-9]+(\\.[\\w-]+)+$`, case-insensitive).'),
  device_id: z.string().max(36).regex(DEVICE_ID_PATTERN).describe('The device UUID; stored lower-cased.'),
  custom_id: z.string().max(36).optional().describe('`""` when not set; stored trimmed.'),
  version_build: z
    .string()
    .regex(/^((0|[1-9]\d*)(\.(0|[1-9]\d*)){0,2}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?|builtin|unknown)$/)
    .describe(
      'The native app version. `"1"` and `"1.0"` are read as `1.0.0`, `"builtin"`/`"unknown"` as `0.0.0`; anything else that is not SemVer is a 400 `semver_error`.',
    ),
  version_code: z.string().optional().describe('Native build number.'),
  version_os: z.string().optional().describe('OS version.'),
  version_name: z
    .string()
    .min(1)
    .describe('The running web bundle; `"builtin"` while on the shipped code (then read as `version_build`).'),
  plugin_version: z
    .string()
    .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/)
    .describe('SemVer of the plugin.'),
  is_emulator: z.boolean().optional().describe('Default false.'),
  is_prod: z.boolean().optional().describe('Default true.'),
  install_source: z.string().max(64).optional(),
  defaultChannel: z
    .string()
    .optional()
    .describe('The channel the device asks for; `""` or absent: the public channel.'),
  key_id: z.string().max(20).optional().describe('First 20 characters of the public key, when one is configured.'),
};

export const DeviceInfoBody = z
  .object({ platform: DevicePlatform, ...DeviceFields })
  .passthrough()
  .describe(
    "The plugin's info object (`createInfoObject`). Checked in this order: JSON (400 `invalid_json_parse_body`), not empty (400 `invalid_json_body`), `device_id` present (400 `missing_device_id`), `app_id` present (400 `missing_app_id`), `version_build` SemVer after coercion (400 `semver_error`), then every field (400 `invalid_json_body`). Unknown fields are accepted and ignored.",
  );

export const ChannelSelfBody = DeviceInfoBody.extend({
  version_name: z.string().describe('May be `""`.'),
  version_build: z.string().describe('May be `""`.'),
  plugin_version: z.string().optional(),
  channel: z.string().optional().describe('POST: the channel to join. PUT: the channel the device keeps locally.'),
}).describe(
  'The info object, plus `channel`. `version_name`, `version_build` may be empty; `plugin_version` optional.',
);

export const StatsEvent = z
  .object({
    platform: z.string().describe('Any string (not checked against the platform list here).'),
    ...DeviceFields,
    version_name: z
      .string()
      .describe(
        'The version the event concerns; may be `""`. `"1.2.3:path/file.js"` (a per-file failure) is stored as `1.2.3`.',
      ),
    version_os: z.string(),
    version_build: z.string().optional(),
    plugin_version: z.string().optional(),
    old_version_name: z.string().optional().describe('The previous version, for `set`; `""` when not applicable.'),
    action: StatsAction.optional().describe('What happened. Absent: the event only refreshes the device row.'),
    timestamp: z.number().optional().describe('Milliseconds since the epoch, as the device saw it (not stored).'),
    metadata: z
      .record(z.string().max(2048))
      .optional()
      .describe('At most 30 keys of at most 64 characters; values strings of at most 2048 characters.'),
    channel: z.string().optional().describe('Ignored: the server derives the channel itself.'),
  })
  .passthrough()
  .describe('One `/stats` event: the info object plus what happened.');

export const StatsBody = z
  .array(StatsEvent)
  .max(STATS_BATCH_MAX)
  .describe(
    `A batch (array) of at most ${STATS_BATCH_MAX} events sharing one \`app_id\`, as plugins 8.x send it. A single event object, not in an array, is accepted too (older plugins); the answer then has no \`results\`.`,
  );

export const UpdateKind = z
  .enum(['up_to_date', 'blocked', 'failed'])
  .describe(
    '`up_to_date` (nothing to do), `blocked` (the channel refuses this device), `failed` (anything else). Sent with every `error` of a 200.',
  );

export const UpdateAvailable = z
  .object({
    version: z.string().describe('The bundle to install.'),
    url: z
      .string()
      .describe('Where to download the zip: `external_url`, a presigned S3 URL or a signed `/files/…` URL (24 h).'),
    checksum: z.string().describe('SHA-256 hex of the zip (or what was registered for an external bundle).'),
    session_key: z.string().describe('`""` when the bundle is not encrypted.'),
  })
  .strict()
  .describe('A bundle to download and install.');

export const RevertToBuiltin = z
  .object({ version: z.literal('builtin') })
  .strict()
  .describe(
    "The channel runs the app's built-in code: the plugin resets to it. Sent exactly so (no `error`, no `kind`), as that is what makes today's plugin revert.",
  );

export const PluginRefusal = z
  .object({
    error: z.string().describe('Machine-readable code (the reference sheet §1.3).'),
    message: z.string(),
    kind: UpdateKind,
    version: z.string().optional(),
    old: z.string().optional(),
    major: z.boolean().optional(),
    deviceKeyId: z.string().optional(),
    bundleKeyId: z.string().optional(),
    channel: z.string().optional(),
    app_id: z.string().optional(),
  })
  .strict()
  .describe(
    'A business answer of a device route, HTTP 200: `{error, message, kind, …extra}` with the extra fields at the top level.',
  );

export const PluginErrorBody = z
  .object({ error: z.string(), message: z.string() })
  .strict()
  .describe(
    'A device request that was not answered: broken (400 `invalid_json_parse_body`, `invalid_json_body`, `missing_device_id`, `missing_app_id`, `semver_error`, `invalid_app_id`, `invalid_query_parameters`; 413 `payload_too_large`) or a server failure (500 `internal_error`, 503 `service_unavailable`).',
  );

export const PluginRejectedCode = z.enum(['on_premise_app', 'too_many_requests']);

export const PluginRejected = z
  .object({
    error: PluginRejectedCode,
    message: z.string(),
    moreInfo: z.object({ retryAfterSeconds: z.number().int() }).strict().optional(),
  })
  .strict()
  .describe(
    '`on_premise_app` "On-premise app detected": no such app here. `too_many_requests`: the device rate limit, with `Retry-After` and `moreInfo.retryAfterSeconds`.',
  );

export const StatsResultStatus = z.enum(['ok', 'error']);

export const StatsResult = z
  .object({
    status: StatsResultStatus,
    index: z.number().int(),
    error: z.string().optional(),
    message: z.string().optional(),
  })
  .strict()
  .describe('The outcome of one event of a batch, by its position.');

export const StatsAccepted = z
  .object({ status: z.literal('ok'), results: z.array(StatsResult).optional() })
  .strict()
  .describe('`{status: "ok"}` for one event; a batch adds `results`, one per event.');

export const PluginStatus = z.object({ status: z.literal('ok') }).strict();

export const ChannelSelfSet = z
  .object({ status: z.literal('ok'), allowSet: z.literal(true) })
  .strict()
  .describe('The channel accepts the device: the plugin keeps it locally.');

export const ChannelSelfSource = z
  .enum(['override', 'default'])
  .describe("`override`: the device's local choice; `default`: its default channel.");

export const ChannelSelfCurrent = z
  .object({
    channel: z.string(),
    status: ChannelSelfSource,
    allowSet: z.literal(true).optional(),
  })
  .strict()
  .describe('The channel the device uses: its local choice (`override`) or its default.');

export const SelfAssignableChannel = z
  .object({
    id: z.number().int(),
    name: z.string(),
    public: z.boolean(),
    allow_self_set: z.boolean(),
  })
  .strict()
  .describe('A channel this device may use.');

export const ListChannelsQuery = z
  .object({
    app_id: z.string().regex(PLUGIN_APP_ID_PATTERN).optional().describe('Required: 400 `missing_app_id` without it.'),
    platform: DevicePlatform.optional().describe('Required: 400 `invalid_query_parameters` without it.'),
    is_emulator: z.string().optional().describe('`"true"` or anything else (false). Default false.'),
    is_prod: z.string().optional().describe('`"true"` or anything else (false). Default true.'),
    device_id: z
      .string()
      .regex(DEVICE_ID_PATTERN)
      .optional()
      .describe('Counts the request against the device rate limit.'),
    key_id: z.string().max(20).optional(),
  })
  .passthrough();

export const UnsetChannelQuery = ListChannelsQuery.extend({
  version_name: z.string().optional(),
  version_build: z.string().optional(),
  plugin_version: z.string().optional(),
  defaultChannel: z.string().optional(),
  channel: z.string().optional(),
}).passthrough();

const rejected = {
  400: PluginErrorBody.describe('Broken request: the code says which check failed.'),
  429: PluginRejected.describe(
    'Unknown app (`on_premise_app`), or the device rate limit (`too_many_requests`, `Retry-After`).',
  ),
  500: PluginErrorBody.describe('Unexpected error (`internal_error`); the body never carries a stack trace.'),
  503: PluginErrorBody.describe('Database unreachable or still starting (`service_unavailable`); retry later.'),
} as const;
const withBody = (limit: number) =>
  ({
    ...rejected,
    413: PluginErrorBody.describe(`Body over ${limit} bytes (\`payload_too_large\`).`),
  }) as const;

export const pluginContract = c.router(
  {
    checkForUpdate: {
      method: 'POST',
      path: '/updates',
      body: DeviceInfoBody,
      summary: 'Check for an update (device)',
      description:
        'What a device asks on every launch. No key. Channel: the device\'s override (`POST /device`), else `defaultChannel` by exact name (platform flag on, and public or self-assignable; no fallback when it does not match), else the app\'s public channel for the platform (by name). Then the channel\'s checks of the reference sheet §1.3 in its order, comparing SemVer against `version_build` (the native version). Same version → `no_new_version_available` (`kind: up_to_date`). A channel on the built-in code: a device already on it gets `already_on_builtin` (`kind: up_to_date`), any other exactly `{"version":"builtin"}`. Unknown app → 429 `on_premise_app`. Plugin 4.x → `unsupported_plugin_version`. The device row and a `get` event are written after the answer, in batches (at most one second of them can be lost if the process is killed).',
      responses: {
        200: z.union([UpdateAvailable, RevertToBuiltin, PluginRefusal]),
        ...withBody(DEVICE_BODY_LIMIT_BYTES),
      },
    },
    updatesStatus: {
      method: 'GET',
      path: '/updates',
      summary: 'Device update endpoint is up',
      description: 'Answers `{"status":"ok"}`. No key.',
      responses: { 200: PluginStatus },
    },
    sendStats: {
      method: 'POST',
      path: '/stats',
      body: StatsBody,
      summary: 'Send device events',
      description:
        'One event or a batch. No key. Single event: checks in order: `app_id` (400 `invalid_app_id` "App ID is required" / "App ID must be a reverse domain string"), `device_id` (400 `missing_device_id`), `version_build` (400 `semver_error`), fields (400 `invalid_json_body`), app (429 `on_premise_app`), then `{status: "ok"}`. Batch: an empty array is `{status: "ok", results: []}`; a later event without a valid `app_id` → 200 `invalid_app_id`, another app id → 200 `mixed_app_ids`; otherwise each event is checked alone and answered in `results` by `index` (`on_premise_app` there when the app is unknown). Every valid event is stored with its `version_name` as sent (no `version_not_found`) and refreshes the device row, except `*_fail` events which do not change the device\'s version. Written after the answer, in batches. Every action of the reference sheet §2.2 plus `session_key_required`.',
      responses: {
        200: z.union([StatsAccepted, PluginRefusal]),
        ...withBody(STATS_BODY_LIMIT_BYTES),
      },
    },
    statsStatus: {
      method: 'GET',
      path: '/stats',
      summary: 'Device stats endpoint is up',
      description: 'Answers `{"status":"ok"}`. No key.',
      responses: { 200: PluginStatus },
    },
    setChannel: {
      method: 'POST',
      path: '/channel_self',
      body: ChannelSelfBody,
      summary: 'Check that the device may join a channel',
      description:
        'What `setChannel()` sends; the behaviour of plugins 7.34 and later whatever `plugin_version` says: the server only validates and stores nothing (the device keeps the channel and sends it as `defaultChannel`). No `channel` → `missing_channel`; unknown name (exact, no platform filter) → `channel_not_found`; not self-assignable → `public_channel_self_set_not_allowed` (public) or `channel_self_set_not_allowed`. Unknown app → 429 `on_premise_app`.',
      responses: { 200: z.union([ChannelSelfSet, PluginRefusal]), ...withBody(DEVICE_BODY_LIMIT_BYTES) },
    },
    getChannel: {
      method: 'PUT',
      path: '/channel_self',
      body: ChannelSelfBody,
      summary: "The device's channel",
      description:
        'What `getChannel()` sends: `{channel, status: "override", allowSet: true}` for the `channel` the device sent, else `{channel: defaultChannel or "production", status: "default"}`. Unknown app → 429 `on_premise_app`.',
      responses: { 200: z.union([ChannelSelfCurrent, PluginRefusal]), ...withBody(DEVICE_BODY_LIMIT_BYTES) },
    },
    unsetChannel: {
      method: 'DELETE',
      path: '/channel_self',
      query: UnsetChannelQuery,
      summary: 'Leave the chosen channel (old plugins)',
      description:
        'The info object as a query string (`is_emulator` defaults to false, `is_prod` to true). Current plugins clear their channel locally and never call it; answers `{"status":"ok"}` and changes nothing. An empty query → 400 `invalid_query_parameters`. Unknown app → 429 `on_premise_app`.',
      responses: { 200: z.union([PluginStatus, PluginRefusal]), ...rejected },
    },
    listChannels: {
      method: 'GET',
      path: '/channel_self',
      query: ListChannelsQuery,
      summary: 'Channels the device may use',
      description:
        'What `listChannels()` sends. The channels that are public or self-assignable, with the platform flag on and matching `allow_emulator`/`allow_device` and `allow_prod`/`allow_dev`, ordered by name then id; `[]` when none. An empty query or a bad platform → 400 `invalid_query_parameters`; no `app_id` → 400 `missing_app_id`; unknown app → 429 `on_premise_app`.',
      responses: { 200: z.array(SelfAssignableChannel), ...rejected },
    },
  },
  { strictStatusCodes: true },
);

export type DeviceInfoBody = z.infer<typeof DeviceInfoBody>;
export type UpdateAvailable = z.infer<typeof UpdateAvailable>;
export type RevertToBuiltin = z.infer<typeof RevertToBuiltin>;
export type PluginRefusal = z.infer<typeof PluginRefusal>;
export type PluginErrorBody = z.infer<typeof PluginErrorBody>;
export type PluginRejected = z.infer<typeof PluginRejected>;
export type StatsAccepted = z.infer<typeof StatsAccepted>;
export type StatsResult = z.infer<typeof StatsResult>;
export type SelfAssignableChannel = z.infer<typeof SelfAssignableChannel>;
export type ChannelSelfCurrent = z.infer<typeof ChannelSelfCurrent>;
export type UpdateKindValue = z.infer<typeof UpdateKind>;
