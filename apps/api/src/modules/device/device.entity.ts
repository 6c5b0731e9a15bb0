import { type InferEntity, defineEntity, p } from '@mikro-orm/core';
import { App } from '../app/app.entity.js';

/**
 * A phone running the app, as its last device request described it. `updated_at` is the time it
 * was last seen: every device request refreshes it, and the cursor list walks it newest first.
 *
 * Devices and device events reference their app without a foreign key: a foreign key checks every
 * row the telemetry writer inserts (one lookup and lock of the app per row), which cost `/updates`
 * more than a third of the database's work for its telemetry (see stats.writer.ts). The writer locks
 * each app of a batch once instead, and the `apps_delete_telemetry` trigger (migration
 * Migration20261203171116_telemetry_app_trigger) deletes an app's devices and events with it, as the
 * cascade did.
 */
export const Device = defineEntity({
  name: 'Device',
  tableName: 'devices',
  properties: {
    app: p.manyToOne(App).mapToPk().primary().fieldName('app').createForeignKeyConstraint(false),
    /** Lower-case UUID, as the plugin sends it. */
    deviceId: p.string().length(36).primary(),
    customId: p.string().length(255).default(''),
    platform: p.string().length(32),
    versionName: p.string().length(255),
    versionBuild: p.string().length(255).nullable(),
    versionCode: p.string().length(255).nullable(),
    osVersion: p.string().length(255).nullable(),
    pluginVersion: p.string().length(255).nullable(),
    isProd: p.boolean(),
    isEmulator: p.boolean(),
    installSource: p.string().length(64).nullable(),
    defaultChannel: p.string().length(255).nullable(),
    keyId: p.string().length(20).nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    /** The sighting before `updatedAt` (null until the second): how the telemetry writer tells a device's first sighting of a day. */
    previousSeenAt: p.datetime().nullable(),
  },
  primaryKeys: ['app', 'deviceId'],
  indexes: [{ name: 'devices_app_updated_at_device_id_index', properties: ['app', 'updatedAt', 'deviceId'] }],
});

export type Device = InferEntity<typeof Device>;

/** One line of `/stats`, stored as sent. No foreign key to its app: see Device. */
export const DeviceEvent = defineEntity({
  name: 'DeviceEvent',
  tableName: 'device_events',
  properties: {
    id: p.bigint('string').primary().generated('by default as identity'),
    app: p.manyToOne(App).mapToPk().fieldName('app').createForeignKeyConstraint(false),
    deviceId: p.string().length(36),
    action: p.string().length(64),
    versionName: p.string().length(255),
    oldVersionName: p.string().length(255).nullable(),
    metadata: p.json<Record<string, string>>().nullable(),
    receivedAt: p.datetime(),
  },
  indexes: [{ name: 'device_events_app_received_at_index', properties: ['app', 'receivedAt'] }],
});

export type DeviceEvent = InferEntity<typeof DeviceEvent>;
