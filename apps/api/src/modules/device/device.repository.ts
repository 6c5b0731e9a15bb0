import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows, toDate } from '../../db/raw.js';

/** A device row with its override's channel name, as the API answers it. */
export interface DeviceRecord {
  deviceId: string;
  customId: string;
  platform: string;
  versionName: string;
  versionBuild: string | null;
  osVersion: string | null;
  pluginVersion: string | null;
  isProd: boolean;
  isEmulator: boolean;
  installSource: string | null;
  defaultChannel: string | null;
  channel: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** updated_at in microseconds since the epoch, exactly: the cursor's position. */
  seenMicros: string;
}

interface DeviceRow {
  device_id: string;
  custom_id: string;
  platform: string;
  version_name: string;
  version_build: string | null;
  os_version: string | null;
  plugin_version: string | null;
  is_prod: boolean;
  is_emulator: boolean;
  install_source: string | null;
  default_channel: string | null;
  channel: string | null;
  created_at: string;
  updated_at: string;
  seen_micros: string;
}

// Keyset pagination needs updated_at to the microsecond; a JS Date only keeps milliseconds.
const DEVICE_SELECT = `select d.device_id, d.custom_id, d.platform, d.version_name, d.version_build, d.os_version,
    d.plugin_version, d.is_prod, d.is_emulator, d.install_source, d.default_channel, ch.name as channel,
    d.created_at, d.updated_at,
    (extract(epoch from d.updated_at) * 1000000)::bigint::text as seen_micros
  from devices d
  left join channel_devices cd on cd.app = d.app and cd.device_id = d.device_id
  left join channels ch on ch.id = cd.channel`;

function toRecord(em: EntityManager, row: DeviceRow): DeviceRecord {
  return {
    deviceId: row.device_id,
    customId: row.custom_id,
    platform: row.platform,
    versionName: row.version_name,
    versionBuild: row.version_build,
    osVersion: row.os_version,
    pluginVersion: row.plugin_version,
    isProd: row.is_prod,
    isEmulator: row.is_emulator,
    installSource: row.install_source,
    defaultChannel: row.default_channel,
    channel: row.channel,
    createdAt: toDate(em, row.created_at),
    updatedAt: toDate(em, row.updated_at),
    seenMicros: row.seen_micros,
  };
}

export async function findDevice(em: EntityManager, app: string, deviceId: string): Promise<DeviceRecord | null> {
  const [row] = await queryRows<DeviceRow>(em, `${DEVICE_SELECT} where d.app = $1 and d.device_id = $2`, [
    app,
    deviceId,
  ]);
  return row ? toRecord(em, row) : null;
}

export interface DevicePosition {
  seenMicros: string;
  deviceId: string;
}

/**
 * Devices most recently seen first, after `after` (exclusive), on the (app, updated_at,
 * device_id) index; one more row than asked tells whether a page follows.
 */
export async function findDevicePage(
  em: EntityManager,
  app: string,
  limit: number,
  after: DevicePosition | undefined,
): Promise<DeviceRecord[]> {
  const rows = after
    ? await queryRows<DeviceRow>(
        em,
        `${DEVICE_SELECT}
         where d.app = $1
           and (d.updated_at, d.device_id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3)
         order by d.updated_at desc, d.device_id desc limit $4`,
        [app, after.seenMicros, after.deviceId, limit],
      )
    : await queryRows<DeviceRow>(
        em,
        `${DEVICE_SELECT} where d.app = $1 order by d.updated_at desc, d.device_id desc limit $2`,
        [app, limit],
      );
  return rows.map((row) => toRecord(em, row));
}
