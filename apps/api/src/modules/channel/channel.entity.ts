import { DISABLE_AUTO_UPDATE_MODES } from '@apps-api/contract';
import { type InferEntity, defineEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { App } from '../app/app.entity.js';
import { Bundle } from '../bundle/bundle.entity.js';

const { id: _uuid, ...timestamps } = baseProperties;

/** Which bundle a group of devices should run; defaults are Capgo's. */
export const Channel = defineEntity({
  name: 'Channel',
  tableName: 'channels',
  properties: {
    // A positive integer, as in Capgo: the plugin's channel list requires a number.
    id: p.integer().primary().generated('by default as identity'),
    app: p.manyToOne(App).mapToPk().fieldName('app').deleteRule('cascade'),
    name: p.string().length(255),
    /** The bundle devices get; null = the app's built-in code. */
    version: p.manyToOne(Bundle).mapToPk().nullable().fieldName('version').deleteRule('set null'),
    public: p.boolean().default(false),
    ios: p.boolean().default(true),
    android: p.boolean().default(true),
    electron: p.boolean().default(true),
    allowDeviceSelfSet: p.boolean().default(false),
    allowEmulator: p.boolean().default(true),
    allowDevice: p.boolean().default(true),
    allowDev: p.boolean().default(true),
    allowProd: p.boolean().default(true),
    disableAutoUpdate: p.enum([...DISABLE_AUTO_UPDATE_MODES]).default('major'),
    disableAutoUpdateUnderNative: p.boolean().default(true),
    ...timestamps,
  },
  uniques: [{ name: 'channels_app_name_unique', properties: ['app', 'name'] }],
  indexes: [{ name: 'channels_version_index', properties: ['version'] }],
});

export type Channel = InferEntity<typeof Channel>;

/**
 * A device's server-side channel override (`POST /device`). It may exist before the device first
 * checks in, so it does not reference `devices`; it goes with its channel.
 */
export const ChannelDevice = defineEntity({
  name: 'ChannelDevice',
  tableName: 'channel_devices',
  properties: {
    app: p.manyToOne(App).mapToPk().primary().fieldName('app').deleteRule('cascade'),
    deviceId: p.string().length(36).primary(),
    channel: p.manyToOne(Channel).mapToPk().fieldName('channel').deleteRule('cascade'),
    ...timestamps,
  },
  primaryKeys: ['app', 'deviceId'],
  indexes: [{ name: 'channel_devices_channel_index', properties: ['channel'] }],
});

export type ChannelDevice = InferEntity<typeof ChannelDevice>;
