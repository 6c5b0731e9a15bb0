import type { Device as DeviceBody } from '@apps-api/contract';
import type { DeviceRecord } from './device.repository.js';

/** The wire shape of a device (SPEC-live-updates §1). */
export function toDeviceBody(device: DeviceRecord, appId: string): DeviceBody {
  return {
    device_id: device.deviceId,
    app_id: appId,
    custom_id: device.customId,
    platform: device.platform,
    version_name: device.versionName,
    version_build: device.versionBuild,
    os_version: device.osVersion,
    plugin_version: device.pluginVersion,
    is_prod: device.isProd,
    is_emulator: device.isEmulator,
    install_source: device.installSource,
    default_channel: device.defaultChannel,
    channel: device.channel,
    created_at: device.createdAt.toISOString(),
    updated_at: device.updatedAt.toISOString(),
  };
}
