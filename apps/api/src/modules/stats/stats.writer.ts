import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../db/sql.js';

/**
 * How device telemetry reaches the database (the one writer: device routes hand it batches).
 *
 * The rule every writer follows, so that batches from any number of replicas add up and never
 * deadlock:
 * - counters are only ever added to, by `insert … on conflict do update set n = n + excluded.n`
 *   on `app_stats_daily (app, day)`; never read-modify-write;
 * - a device row is upserted on `(app, device_id)`; `updated_at` (last seen) never moves back, and
 *   `previous_seen_at` keeps the sighting it replaced. A device counts once for a UTC day: when a
 *   sighting on a later day than `previous_seen_at` is written (the upsert sees the row as the
 *   last committed writer left it, so two replicas cannot both count it). A sighting older than
 *   the device's newest one is not written and not counted: the day can then miss that device only
 *   when the newer sighting fell on the next day and reached the database first;
 * - rows are written sorted by their key, so two batches lock rows in the same order;
 * - a whole batch is one transaction; rows of an app deleted meanwhile are skipped.
 * Days are UTC. What feeds `/statistics`: `devices` (distinct devices seen that day),
 * `update_checks` (one per `/updates` answer), `updates_offered` (`/updates` answers carrying a
 * bundle URL), `installs` (`set` events), `failures` (events whose action ends in `_fail`).
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

/** The `/updates` answers of one app on one UTC day: `checks` in all, `offered` of them carried a bundle URL. */
export interface UpdateChecks {
  app: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  checks: number;
  offered: number;
}

export interface TelemetryBatch {
  /** Several sightings of one device may come: the newest wins, and each counts for its day. */
  devices: DeviceSeen[];
  events: DeviceEventRecord[];
  updateChecks: UpdateChecks[];
}

/** Devices counted for a day by the device upsert (their first sighting of that day). */
interface NewOnDay {
  app: string;
  day: string;
  devices: number;
}

interface DailyCounts {
  app: string;
  day: string;
  devices: number;
  updateChecks: number;
  updatesOffered: number;
  installs: number;
  failures: number;
}

/** Milliseconds in a UTC day: `Math.floor(ms / DAY_MS)` numbers a day without formatting it. */
export const DAY_MS = 86_400_000;
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Sums per app and UTC day, sorted by that key (a handful of rows per batch). Days are keyed by
 * their number since 1970, so the date is formatted once per day, not once per row.
 */
function dailyCounts(batch: TelemetryBatch, newOnDay: NewOnDay[]): DailyCounts[] {
  const counts = new Map<string, DailyCounts>();
  const entry = (app: string, day: string) => {
    const key = `${app}/${day}`;
    let found = counts.get(key);
    if (!found) {
      found = { app, day, devices: 0, updateChecks: 0, updatesOffered: 0, installs: 0, failures: 0 };
      counts.set(key, found);
    }
    return found;
  };
  for (const counted of newOnDay) entry(counted.app, counted.day).devices += counted.devices;
  for (const checks of batch.updateChecks) {
    const found = entry(checks.app, checks.day);
    found.updateChecks += checks.checks;
    found.updatesOffered += checks.offered;
  }
  const days = new Map<number, string>();
  const dayOf = (at: Date) => {
    const number = Math.floor(at.getTime() / DAY_MS);
    let day = days.get(number);
    if (day === undefined) {
      day = utcDay(at);
      days.set(number, day);
    }
    return day;
  };
  for (const event of batch.events) {
    if (event.action === 'set') entry(event.app, dayOf(event.receivedAt)).installs += 1;
    else if (event.action.endsWith('_fail')) entry(event.app, dayOf(event.receivedAt)).failures += 1;
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

const column = <T, V>(rows: T[], pick: (row: T) => V) => rows.map(pick);

/**
 * Devices and events travel as one JSON parameter each: `JSON.stringify` is native, where 15 array
 * parameters, sorted and deduped in node, cost 17.5 against 6.2 µs of node CPU per device written
 * (3,000 devices a batch). PostgreSQL dedupes, sorts and counts the days. The device routes refuse U+0000
 * and lone surrogates, which a JSON parameter could not carry.
 */
const DEVICE_COLUMNS = `app uuid, "deviceId" varchar, "customId" varchar, platform varchar, "versionName" varchar,
  "versionBuild" varchar, "versionCode" varchar, "osVersion" varchar, "pluginVersion" varchar, "isProd" boolean,
  "isEmulator" boolean, "installSource" varchar, "defaultChannel" varchar, "keyId" varchar, "seenAt" timestamptz`;

const WRITE_DEVICES = `
  with sighting as materialized (
    select u.* from json_to_recordset($1::json) as u(${DEVICE_COLUMNS})
    where exists (select 1 from apps a where a.id = u.app)
  ), upserted as (
    insert into devices as d (app, device_id, custom_id, platform, version_name, version_build, version_code,
      os_version, plugin_version, is_prod, is_emulator, install_source, default_channel, key_id, created_at, updated_at)
    select distinct on (s.app, s."deviceId") s.app, s."deviceId", s."customId", s.platform, s."versionName",
      s."versionBuild", s."versionCode", s."osVersion", s."pluginVersion", s."isProd", s."isEmulator",
      s."installSource", s."defaultChannel", s."keyId", s."seenAt", s."seenAt"
    from sighting s
    order by s.app, s."deviceId", s."seenAt" desc
    on conflict (app, device_id) do update set
      custom_id = excluded.custom_id, platform = excluded.platform, version_name = excluded.version_name,
      version_build = excluded.version_build, version_code = excluded.version_code,
      os_version = excluded.os_version, plugin_version = excluded.plugin_version, is_prod = excluded.is_prod,
      is_emulator = excluded.is_emulator, install_source = excluded.install_source,
      default_channel = excluded.default_channel, key_id = excluded.key_id,
      previous_seen_at = d.updated_at, updated_at = excluded.updated_at
    where d.updated_at <= excluded.updated_at
    returning d.app, d.device_id, d.previous_seen_at
  ), first_of_day as (
    select s.app, s.day, count(*)::int as devices
    from (select distinct app, "deviceId" as device_id, ("seenAt" at time zone 'UTC')::date as day from sighting) s
    join upserted u on u.app = s.app and u.device_id = s.device_id
    where u.previous_seen_at is null or s.day > (u.previous_seen_at at time zone 'UTC')::date
    group by s.app, s.day
  )
  select app, to_char(day, 'YYYY-MM-DD') as day, devices from first_of_day`;

const WRITE_EVENTS = `
  insert into device_events (app, device_id, action, version_name, old_version_name, metadata, received_at)
  select u.app, u."deviceId", u.action, u."versionName", u."oldVersionName", u.metadata, u."receivedAt"
  from json_to_recordset($1::json) as u(app uuid, "deviceId" varchar, action varchar, "versionName" varchar,
    "oldVersionName" varchar, metadata jsonb, "receivedAt" timestamptz)
  where exists (select 1 from apps a where a.id = u.app)`;

/** Writes one batch in one transaction, following the rule above. */
export async function writeTelemetry(em: EntityManager, batch: TelemetryBatch): Promise<void> {
  const { devices, events } = batch;
  if (devices.length + events.length + batch.updateChecks.length === 0) return;

  await em.transactional(async (tx) => {
    const entityManager = tx as EntityManager;
    const newOnDay =
      devices.length > 0 ? await runSql<NewOnDay>(entityManager, WRITE_DEVICES, [JSON.stringify(devices)]) : [];
    if (events.length > 0) await runSql(entityManager, WRITE_EVENTS, [JSON.stringify(events)]);
    // Every counter of the batch in one statement, rows in key order: the one place a batch locks
    // app_stats_daily rows, so two replicas' batches cannot lock them in opposite orders.
    const counts = dailyCounts(batch, newOnDay);
    if (counts.length > 0) {
      await runSql(
        entityManager,
        `insert into app_stats_daily as s (app, day, devices, update_checks, updates_offered, installs, failures)
         select u.* from unnest($1::uuid[], $2::date[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[])
           as u(app, day, devices, update_checks, updates_offered, installs, failures)
         where exists (select 1 from apps a where a.id = u.app)
         on conflict (app, day) do update set
           devices = s.devices + excluded.devices,
           update_checks = s.update_checks + excluded.update_checks,
           updates_offered = s.updates_offered + excluded.updates_offered,
           installs = s.installs + excluded.installs,
           failures = s.failures + excluded.failures`,
        [
          column(counts, (c) => c.app),
          column(counts, (c) => c.day),
          column(counts, (c) => c.devices),
          column(counts, (c) => c.updateChecks),
          column(counts, (c) => c.updatesOffered),
          column(counts, (c) => c.installs),
          column(counts, (c) => c.failures),
        ],
      );
    }
  });
}
