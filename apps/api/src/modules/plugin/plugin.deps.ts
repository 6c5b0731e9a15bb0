import type { EntityManager } from '@mikro-orm/postgresql';
import { serviceUnavailable } from '../../common/errors.js';
import type { Runtime } from '../../common/request-context.js';
import type { DeviceSeen, DeviceTelemetry } from '../../jobs/device-telemetry.js';
import type { DeviceRateLimit } from './device-rate-limit.js';
import type { DeviceInfo } from './plugin.body.js';

/** What the device routes need from the rest of the service. */
export interface PluginDeps {
  runtime: Runtime;
  telemetry: DeviceTelemetry;
  rateLimit: DeviceRateLimit;
}

/** The shared EntityManager (the hot path reads only, through db/raw.ts), or 503 while starting. */
export function sharedEm(runtime: Runtime): EntityManager {
  if (runtime.state === 'starting' || !runtime.orm) throw serviceUnavailable();
  return runtime.orm.em as EntityManager;
}

const trimmedOrNull = (value: string | undefined) => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/**
 * The device row a request describes. `version_name` is stored as the device sent it (`builtin`
 * stays `builtin`); an empty `defaultChannel` is stored as null.
 */
export function deviceSeen(
  app: string,
  info: DeviceInfo,
  seenAt: Date,
  versionName = info.onBuiltin ? 'builtin' : info.version_name,
): DeviceSeen {
  return {
    app,
    deviceId: info.device_id,
    customId: info.custom_id?.trim() ?? '',
    platform: info.platform,
    versionName,
    versionBuild: info.version_build || null,
    versionCode: info.version_code ?? null,
    osVersion: info.version_os ?? null,
    pluginVersion: info.plugin_version ?? null,
    isProd: info.is_prod,
    isEmulator: info.is_emulator,
    installSource: trimmedOrNull(info.install_source)?.toLowerCase() ?? null,
    defaultChannel: trimmedOrNull(info.defaultChannel),
    keyId: info.key_id || null,
    seenAt,
  };
}
