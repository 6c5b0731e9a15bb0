import type { Channel as ChannelBody } from '@apps-api/contract';
import type { Channel } from './channel.entity.js';

/** The wire shape of a channel; `version` is the name of the bundle it points at. */
export function toChannelBody(channel: Channel, appId: string, versionName: string | null): ChannelBody {
  return {
    id: channel.id,
    app_id: appId,
    name: channel.name,
    version: versionName,
    public: channel.public,
    ios: channel.ios,
    android: channel.android,
    electron: channel.electron,
    allow_device_self_set: channel.allowDeviceSelfSet,
    allow_emulator: channel.allowEmulator,
    allow_device: channel.allowDevice,
    allow_dev: channel.allowDev,
    allow_prod: channel.allowProd,
    disable_auto_update: channel.disableAutoUpdate,
    disable_auto_update_under_native: channel.disableAutoUpdateUnderNative,
    created_at: channel.createdAt.toISOString(),
    updated_at: channel.updatedAt.toISOString(),
  };
}
