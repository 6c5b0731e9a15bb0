import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../db/sql.js';

/**
 * How device telemetry reaches the database (the one writer: device routes hand it batches).
 *
 * The rule every writer follows, so that batches from any number of replicas add up and never
 * deadlock:
 * - counters are only ever added to, by `insert … on conflict do update set n = n + excluded.n`
 *   on `app_stats_daily (app, day)`; distinct devices are `insert … on conflict do nothing` into
 *   `device_days (app, day, device_id)`; never read-modify-write;
 * - a device row is upserted on `(app, device_id)`; `updated_at` (last seen) never moves back;
 * - rows are written sorted by their key, so two batches lock rows in the same order;
 * - a whole batch is one transaction; rows of an app deleted meanwhile are skipped.
 * Days are UTC. What feeds `/statistics`: `update_checks` (one per `/updates` answer),
 * `updates_offered` (`/updates` answers carrying a bundle URL), `installs` (`set` events),
 * `failures` (events whose action ends in `_fail`), `devices` (distinct devices in `device_days`).
 */

/** A device as one device request described it; the newest one per device wins. */
export interface DeviceSeen {
  /** `apps.id` (uuid), not the public app_id. */
  app: string;
  deviceId: string;
  customId: string;
  platform: string;
  versionName: string;
  versionBuild: string | null;
  versionCode: string | null;
  osVersion: string | null;
  pluginVersion: string | null;
  isProd: boolean;
  isEmulator: boolean;
  installSource: string | null;
  defaultChannel: string | null;
  keyId: string | null;
  seenAt: Date;
}

/** One `/stats` line, stored as sent. */
export interface DeviceEventRecord {
  app: string;
  deviceId: string;
  action: string;
  versionName: string;
  oldVersionName: string | null;
  metadata: Record<string, string> | null;
  receivedAt: Date;
}

/** One `/updates` answer: counted as a check, and as an offer when it carried a bundle URL. */
export interface UpdateCheck {
  app: string;
  offered: boolean;
  at: Date;
}

export interface TelemetryBatch {
  devices: DeviceSeen[];
  events: DeviceEventRecord[];
  updateChecks: UpdateCheck[];
}

interface DailyCounts {
  app: string;
  day: string;
  updateChecks: number;
  updatesOffered: number;
  installs: number;
  failures: number;
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
/** `[key, value]` pairs in key order; each key is built once, not once per comparison. */
const sortedByKey = <T>(entries: Iterable<[string, T]>): T[] =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);

function newestPerDevice(devices: DeviceSeen[]): DeviceSeen[] {
  const newest = new Map<string, DeviceSeen>();
  for (const device of devices) {
    const key = `${device.app}/${device.deviceId}`;
    const known = newest.get(key);
    if (!known || known.seenAt <= device.seenAt) newest.set(key, device);
  }
  return sortedByKey(newest);
}

function dailyCounts(batch: TelemetryBatch): DailyCounts[] {
  const counts = new Map<string, DailyCounts>();
  const at = (app: string, when: Date) => {
    const day = utcDay(when);
    const key = `${app}/${day}`;
    let entry = counts.get(key);
    if (!entry) {
      entry = { app, day, updateChecks: 0, updatesOffered: 0, installs: 0, failures: 0 };
      counts.set(key, entry);
    }
    return entry;
  };
  for (const check of batch.updateChecks) {
    const entry = at(check.app, check.at);
    entry.updateChecks += 1;
    if (check.offered) entry.updatesOffered += 1;
  }
  for (const event of batch.events) {
    if (event.action === 'set') at(event.app, event.receivedAt).installs += 1;
    else if (event.action.endsWith('_fail')) at(event.app, event.receivedAt).failures += 1;
  }
  return sortedByKey(counts);
}

function deviceDays(devices: DeviceSeen[]): { app: string; day: string; deviceId: string }[] {
  const seen = new Map<string, { app: string; day: string; deviceId: string }>();
  for (const device of devices) {
    const day = utcDay(device.seenAt);
    seen.set(`${device.app}/${day}/${device.deviceId}`, { app: device.app, day, deviceId: device.deviceId });
  }
  return sortedByKey(seen);
}

const column = <T, V>(rows: T[], pick: (row: T) => V) => rows.map(pick);

/** Writes one batch in one transaction, following the rule above. */
export async function writeTelemetry(em: EntityManager, batch: TelemetryBatch): Promise<void> {
  const devices = newestPerDevice(batch.devices);
  const counts = dailyCounts(batch);
  const days = deviceDays(batch.devices);
  const events = batch.events;
  if (devices.length + counts.length + events.length === 0) return;

  await em.transactional(async (tx) => {
    const entityManager = tx as EntityManager;
    if (devices.length > 0) {
      await runSql(
        entityManager,
        `insert into devices as d (app, device_id, custom_id, platform, version_name, version_build, version_code,
           os_version, plugin_version, is_prod, is_emulator, install_source, default_channel, key_id, created_at, updated_at)
         select u.*, u.seen_at from unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
           $6::varchar[], $7::varchar[], $8::varchar[], $9::varchar[], $10::boolean[], $11::boolean[], $12::varchar[],
           $13::varchar[], $14::varchar[], $15::timestamptz[])
           as u(app, device_id, custom_id, platform, version_name, version_build, version_code, os_version,
                plugin_version, is_prod, is_emulator, install_source, default_channel, key_id, seen_at)
         where exists (select 1 from apps a where a.id = u.app)
         on conflict (app, device_id) do update set
           custom_id = excluded.custom_id, platform = excluded.platform, version_name = excluded.version_name,
           version_build = excluded.version_build, version_code = excluded.version_code,
           os_version = excluded.os_version, plugin_version = excluded.plugin_version, is_prod = excluded.is_prod,
           is_emulator = excluded.is_emulator, install_source = excluded.install_source,
           default_channel = excluded.default_channel, key_id = excluded.key_id,
           updated_at = greatest(d.updated_at, excluded.updated_at)
         where d.updated_at <= excluded.updated_at`,
        [
          column(devices, (d) => d.app),
          column(devices, (d) => d.deviceId),
          column(devices, (d) => d.customId),
          column(devices, (d) => d.platform),
          column(devices, (d) => d.versionName),
          column(devices, (d) => d.versionBuild),
          column(devices, (d) => d.versionCode),
          column(devices, (d) => d.osVersion),
          column(devices, (d) => d.pluginVersion),
          column(devices, (d) => d.isProd),
          column(devices, (d) => d.isEmulator),
          column(devices, (d) => d.installSource),
          column(devices, (d) => d.defaultChannel),
          column(devices, (d) => d.keyId),
          column(devices, (d) => d.seenAt.toISOString()),
        ],
      );
      await runSql(
        entityManager,
        `insert into device_days (app, day, device_id)
         select u.* from unnest($1::uuid[], $2::date[], $3::varchar[]) as u(app, day, device_id)
         where exists (select 1 from apps a where a.id = u.app)
         on conflict do nothing`,
        [column(days, (d) => d.app), column(days, (d) => d.day), column(days, (d) => d.deviceId)],
      );
    }
    if (events.length > 0) {
      await runSql(
        entityManager,
        `insert into device_events (app, device_id, action, version_name, old_version_name, metadata, received_at)
         select u.app, u.device_id, u.action, u.version_name, u.old_version_name, u.metadata::jsonb, u.received_at
         from unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::text[], $7::timestamptz[])
           as u(app, device_id, action, version_name, old_version_name, metadata, received_at)
         where exists (select 1 from apps a where a.id = u.app)`,
        [
          column(events, (e) => e.app),
          column(events, (e) => e.deviceId),
          column(events, (e) => e.action),
          column(events, (e) => e.versionName),
          column(events, (e) => e.oldVersionName),
          column(events, (e) => (e.metadata === null ? null : JSON.stringify(e.metadata))),
          column(events, (e) => e.receivedAt.toISOString()),
        ],
      );
    }
    if (counts.length > 0) {
      await runSql(
        entityManager,
        `insert into app_stats_daily as s (app, day, update_checks, updates_offered, installs, failures)
         select u.* from unnest($1::uuid[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[])
           as u(app, day, update_checks, updates_offered, installs, failures)
         where exists (select 1 from apps a where a.id = u.app)
         on conflict (app, day) do update set
           update_checks = s.update_checks + excluded.update_checks,
           updates_offered = s.updates_offered + excluded.updates_offered,
           installs = s.installs + excluded.installs,
           failures = s.failures + excluded.failures`,
        [
          column(counts, (c) => c.app),
          column(counts, (c) => c.day),
          column(counts, (c) => c.updateChecks),
          column(counts, (c) => c.updatesOffered),
          column(counts, (c) => c.installs),
          column(counts, (c) => c.failures),
        ],
      );
    }
  });
}
