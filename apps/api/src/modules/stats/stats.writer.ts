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
 *   when the newer sighting fell on the next day and reached the database first. Of several
 *   sightings of one device in a batch, likewise, only the newest is written and counted (the
 *   telemetry queue sends one per device anyway);
 * - rows are written sorted by their key, so two batches lock rows in the same order;
 * - a whole batch is one statement, so it is written entirely or not at all, in one round trip and
 *   without a transaction around it;
 * - the statement first locks each app of the batch (`for key share`, the lock a foreign key takes),
 *   skipping the apps a deletion holds (`skip locked`): rows of an app deleted before or being
 *   deleted are skipped, and an app deleted after waits for the batch, then its trigger deletes the
 *   batch's rows with the app's (devices and events have no foreign key to their app; see
 *   device.entity.ts). A batch never waits for a deletion, so the two cannot deadlock (a batch
 *   holding one app of an org while the org's deletion holds another); if that deletion is rolled
 *   back, the batch's rows of its apps are lost.
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
  /** Several sightings of one device may come: the newest is written and counts for its day, the others are dropped. */
  devices: DeviceSeen[];
  events: DeviceEventRecord[];
  updateChecks: UpdateChecks[];
}

/** What a batch adds to one app's day, besides its devices (which the statement counts). */
interface DailyCounts {
  app: string;
  day: string;
  updateChecks: number;
  updatesOffered: number;
  installs: number;
  failures: number;
}

/** Milliseconds in a UTC day: `Math.floor(ms / DAY_MS)` numbers a day without formatting it. */
export const DAY_MS = 86_400_000;
export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Sums per app and UTC day (a handful of rows per batch). Days are keyed by their number since
 * 1970, so the date is formatted once per day, not once per row.
 */
function dailyCounts(batch: TelemetryBatch): DailyCounts[] {
  const counts = new Map<string, DailyCounts>();
  const entry = (app: string, day: string) => {
    const key = `${app}/${day}`;
    let found = counts.get(key);
    if (!found) {
      found = { app, day, updateChecks: 0, updatesOffered: 0, installs: 0, failures: 0 };
      counts.set(key, found);
    }
    return found;
  };
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
  return [...counts.values()];
}

const column = <T, V>(rows: T[], pick: (row: T) => V) => rows.map(pick);

/**
 * Devices and events travel as one JSON parameter each, every row an array of its values in the
 * order below: `JSON.stringify` is native (15 array parameters, sorted and deduped in node, cost
 * 17.5 against 6.2 µs of node CPU per device written, 3,000 devices a batch), and an array leaves out
 * the keys. PostgreSQL reads it as `jsonb`, parsed once, then takes each value by its position.
 * Against objects read by `json_to_recordset` (which looks every column up by name in every row) that
 * cut the CPU per device and event written (3,000 of each a batch, local PostgreSQL) from 25-27 to
 * 19-20 µs in PostgreSQL and from 12-13 to 7-9 µs in node. PostgreSQL dedupes, sorts and counts
 * the days. The device routes refuse U+0000 and lone surrogates, which a JSON parameter could not
 * carry.
 */
const deviceRow = (d: DeviceSeen) => [
  d.app,
  d.deviceId,
  d.customId,
  d.platform,
  d.versionName,
  d.versionBuild,
  d.versionCode,
  d.osVersion,
  d.pluginVersion,
  d.isProd,
  d.isEmulator,
  d.installSource,
  d.defaultChannel,
  d.keyId,
  d.seenAt,
];

const DEVICES = `(select (v->>0)::uuid as app, v->>1 as device_id, v->>2 as custom_id, v->>3 as platform,
    v->>4 as version_name, v->>5 as version_build, v->>6 as version_code, v->>7 as os_version,
    v->>8 as plugin_version, (v->9)::boolean as is_prod, (v->10)::boolean as is_emulator,
    v->>11 as install_source, v->>12 as default_channel, v->>13 as key_id, (v->>14)::timestamptz as seen_at
  from jsonb_array_elements($2::jsonb) as v)`;

const eventRow = (e: DeviceEventRecord) => [
  e.app,
  e.deviceId,
  e.action,
  e.versionName,
  e.oldVersionName,
  e.metadata,
  e.receivedAt,
];

/** `metadata` is JSON null when the event has none: stored as SQL null. */
const EVENTS = `(select (v->>0)::uuid as app, v->>1 as device_id, v->>2 as action, v->>3 as version_name,
    v->>4 as old_version_name, nullif(v->5, 'null') as metadata, (v->>6)::timestamptz as received_at
  from jsonb_array_elements($3::jsonb) as v)`;

/**
 * One batch, one statement: $1 the batch's apps, $2 its devices and $3 its events (JSON), $4–$9 what
 * it adds to each app's day besides devices. The devices are written first, in key order; the
 * counters next, in key order, with the devices the upsert counted (the aggregate needs every upserted
 * row before it gives one); the events last. Every sub-statement sees the same snapshot. No join
 * between the devices and anything else: PostgreSQL cannot estimate a JSON parameter's rows, and
 * picked a nested loop over them (0.9 s for 3,000 devices) when the day was counted by a join.
 */
const WRITE_BATCH = `
  with locked as materialized (
    select id from apps where id = any($1::uuid[]) order by id for key share skip locked
  ), upserted as (
    insert into devices as d (app, device_id, custom_id, platform, version_name, version_build, version_code,
      os_version, plugin_version, is_prod, is_emulator, install_source, default_channel, key_id, created_at, updated_at)
    select distinct on (s.app, s.device_id) s.app, s.device_id, s.custom_id, s.platform, s.version_name,
      s.version_build, s.version_code, s.os_version, s.plugin_version, s.is_prod, s.is_emulator,
      s.install_source, s.default_channel, s.key_id, s.seen_at, s.seen_at
    from ${DEVICES} as s
    where s.app in (select id from locked)
    order by s.app, s.device_id, s.seen_at desc
    on conflict (app, device_id) do update set
      custom_id = excluded.custom_id, platform = excluded.platform, version_name = excluded.version_name,
      version_build = excluded.version_build, version_code = excluded.version_code,
      os_version = excluded.os_version, plugin_version = excluded.plugin_version, is_prod = excluded.is_prod,
      is_emulator = excluded.is_emulator, install_source = excluded.install_source,
      default_channel = excluded.default_channel, key_id = excluded.key_id,
      previous_seen_at = d.updated_at, updated_at = excluded.updated_at
    where d.updated_at <= excluded.updated_at
    returning d.app, (d.updated_at at time zone 'UTC')::date as day, (d.previous_seen_at at time zone 'UTC')::date as previous_day
  ), first_of_day as (
    select app, day, count(*)::int as devices from upserted
    where previous_day is null or day > previous_day
    group by app, day
  ), events as (
    insert into device_events (app, device_id, action, version_name, old_version_name, metadata, received_at)
    select u.app, u.device_id, u.action, u.version_name, u.old_version_name, u.metadata, u.received_at
    from ${EVENTS} as u
    where u.app in (select id from locked)
  ), counted as (
    select app, day, sum(devices)::int as devices, sum(update_checks)::int as update_checks,
      sum(updates_offered)::int as updates_offered, sum(installs)::int as installs, sum(failures)::int as failures
    from (
      select app, day, devices, 0 as update_checks, 0 as updates_offered, 0 as installs, 0 as failures
      from first_of_day
      union all
      select c.app, c.day, 0, c.update_checks, c.updates_offered, c.installs, c.failures
      from unnest($4::uuid[], $5::date[], $6::int[], $7::int[], $8::int[], $9::int[])
        as c(app, day, update_checks, updates_offered, installs, failures)
      where c.app in (select id from locked)
    ) added
    group by app, day
  )
  insert into app_stats_daily as s (app, day, devices, update_checks, updates_offered, installs, failures)
  select app, day, devices, update_checks, updates_offered, installs, failures from counted order by app, day
  on conflict (app, day) do update set
    devices = s.devices + excluded.devices,
    update_checks = s.update_checks + excluded.update_checks,
    updates_offered = s.updates_offered + excluded.updates_offered,
    installs = s.installs + excluded.installs,
    failures = s.failures + excluded.failures`;

/** Writes one batch, following the rule above. */
export async function writeTelemetry(em: EntityManager, batch: TelemetryBatch): Promise<void> {
  const { devices, events, updateChecks } = batch;
  if (devices.length + events.length + updateChecks.length === 0) return;
  const apps = new Set<string>();
  for (const rows of [devices, events, updateChecks]) for (const row of rows) apps.add(row.app);
  const counts = dailyCounts(batch);
  await runSql(em, WRITE_BATCH, [
    [...apps],
    JSON.stringify(devices.map(deviceRow)),
    JSON.stringify(events.map(eventRow)),
    column(counts, (c) => c.app),
    column(counts, (c) => c.day),
    column(counts, (c) => c.updateChecks),
    column(counts, (c) => c.updatesOffered),
    column(counts, (c) => c.installs),
    column(counts, (c) => c.failures),
  ]);
}
