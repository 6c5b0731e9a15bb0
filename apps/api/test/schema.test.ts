import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded.js';
import { type Orm, migrateUp, openOrm } from '../src/db/orm.js';

/**
 * The entities own the schema (src/db/README.md): on a freshly migrated database, MikroORM must find
 * nothing to change. A difference means the next `migration:create` would silently undo what the
 * migrations set up (a cascade, a unique index, a check), or that an entity has no migration yet.
 */

interface Backend {
  name: string;
  /** A new, empty database; `drop` removes it. */
  create(): Promise<{ url: string; drop(): Promise<void> }>;
}

const embedded: Backend = {
  name: 'the embedded database',
  async create() {
    const database: EmbeddedDatabase = await startEmbeddedDatabase({ owner: 'schema test' });
    return { url: database.url, drop: () => database.stop() };
  },
};

/** A second database on the server of this run's DATABASE_URL. */
const postgres: Backend = {
  name: 'PostgreSQL',
  async create() {
    const server = new URL(inject('databaseUrl'));
    const name = `apps_api_schema_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const run = async (sql: string) => {
      const client = new pg.Client({ connectionString: server.toString() });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    await run(`create database "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    return { url: url.toString(), drop: () => run(`drop database if exists "${name}" with (force)`) };
  },
};

// A run without DATABASE_URL has no PostgreSQL server to ask; the embedded database is always checked.
const backends = inject('embedded') ? [embedded] : [postgres, embedded];

/** Statements of the update SQL, one per entry, without blank lines. */
function statementsOf(sql: string): string[] {
  return sql
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

describe.each(backends)('on $name, a freshly migrated database', (backend) => {
  let orm: Orm;
  let drop: () => Promise<void>;
  let update: string[];

  beforeAll(async () => {
    const database = await backend.create();
    drop = database.drop;
    orm = await openOrm({ clientUrl: database.url, poolMax: 1 });
    await migrateUp(orm);
    update = statementsOf(await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false }));
  });

  afterAll(async () => {
    await orm?.close();
    await drop?.();
  });

  // Every entity registered in the ORM config, so new ones are covered as soon as they are registered.
  const tables = () =>
    Object.values(orm.getMetadata().getAll())
      .filter((meta) => !meta.embeddable && !meta.virtual && meta.tableName)
      .map((meta) => meta.tableName);

  it('has a table for every registered entity, and MikroORM wants to change none of them', () => {
    expect(tables().length).toBeGreaterThan(0);
    for (const table of tables()) {
      expect({ table, update: update.filter((statement) => statement.includes(`"${table}"`)) }).toEqual({
        table,
        update: [],
      });
    }
  });

  it('agrees with the entities entirely: getUpdateSchemaSQL() is empty', () => {
    expect(update).toEqual([]);
  });
});

/** A new, unmigrated database of this run's kind, with an ORM on it, for the migrations' own tests. */
async function withFreshDatabase(work: (orm: Orm) => Promise<void>): Promise<void> {
  const database = await (inject('embedded') ? embedded : postgres).create();
  const orm = await openOrm({ clientUrl: database.url, poolMax: 1 });
  try {
    await work(orm);
  } finally {
    await orm.close();
    await database.drop();
  }
}

describe('the device_day_counts migration', () => {
  it('keeps each day’s distinct devices as the day’s count, and its down step brings device_days back', () =>
    withFreshDatabase(async (orm) => {
      const migrator = orm.getMigrator();
      await migrator.up({ to: 'Migration20261203000000_live_updates' });
      const sql = (text: string, values: unknown[] = []) => orm.em.getConnection().execute(text, values);
      await sql(`insert into users (id, email, created_at, updated_at)
                 values ('00000000-0000-4000-8000-0000000000a1', 'm@example.com', now(), now())`);
      await sql(`insert into orgs (id, name, management_email, created_by, created_at, updated_at)
                 values ('00000000-0000-4000-8000-0000000000b1', 'Org', 'm@example.com',
                         '00000000-0000-4000-8000-0000000000a1', now(), now())`);
      await sql(`insert into apps (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
                 values ('00000000-0000-4000-8000-0000000000c1', 'com.m.app', 'com.m.app', 'M', '',
                         '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', now(), now())`);
      const app = '00000000-0000-4000-8000-0000000000c1';
      await sql(`insert into device_days (app, day, device_id) values
                 ('${app}', '2026-01-01', 'd1'), ('${app}', '2026-01-01', 'd2'), ('${app}', '2026-01-02', 'd1')`);
      await sql(`insert into app_stats_daily (app, day, update_checks) values ('${app}', '2026-01-01', 5)`);
      await migrator.up({ to: 'Migration20261203120000_device_day_counts' });
      expect(
        await sql(`select to_char(day, 'YYYY-MM-DD') as day, devices, update_checks from app_stats_daily order by day`),
      ).toEqual([
        { day: '2026-01-01', devices: 2, update_checks: 5 },
        { day: '2026-01-02', devices: 1, update_checks: 0 },
      ]);
      await migrator.down();
      expect(await sql(`select count(*)::int as n from device_days`)).toEqual([{ n: 0 }]);
    }));
});

describe('the telemetry_app_trigger migration', () => {
  it('swaps the foreign keys of devices and device_events for the delete trigger, and its down step swaps them back', () =>
    withFreshDatabase(async (orm) => {
      const migrator = orm.getMigrator();
      const sql = (text: string) => orm.em.getConnection().execute(text);
      const state = () =>
        sql(`select (select array_agg(conname::text order by conname) from pg_constraint
                     where conname in ('devices_app_foreign', 'device_events_app_foreign')) as foreign_keys,
                    (select array_agg(tgname::text) from pg_trigger where tgname = 'apps_delete_telemetry') as triggers`);
      await migrator.up();
      expect(await state()).toEqual([{ foreign_keys: null, triggers: ['apps_delete_telemetry'] }]);
      await migrator.down();
      expect(await state()).toEqual([
        { foreign_keys: ['device_events_app_foreign', 'devices_app_foreign'], triggers: null },
      ]);
    }));
});
