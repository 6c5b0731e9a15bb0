import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateUp, openOrm } from '../src/db/orm.js';
import { generateSecret, hashSecret, hintFor } from '../src/modules/apikey/apikey.secret.js';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh `apps_api_bench_<ts>` database on the server of `serverUrl`, dropped by `drop()`. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `apps_api_bench_${Date.now()}_${randomBytes(2).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(serverUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface Dataset {
  orgId: string;
  userId: string;
  /** The `all` key every scenario authenticates with. */
  key: string;
  appCount: number;
  keyCount: number;
  /** Some app ids of the org, for the single-app scenarios. */
  sampleAppIds: string[];
}

/**
 * Migrates with the service's own migrations, then seeds with set-based SQL: one org owned by one
 * user, `appCount` apps spread over the last days (some sharing a timestamp, so the app_id tie-break
 * is exercised), and `keyCount` keys of which one is handed to the load generator.
 */
export async function seed(url: string, options: { appCount: number; keyCount: number }): Promise<Dataset> {
  const orm = await openOrm({ clientUrl: url, poolMax: 1 });
  try {
    await migrateUp(orm);
  } finally {
    await orm.close();
  }

  const userId = randomUUID();
  const orgId = randomUUID();
  const key = generateSecret();
  await withClient(url, async (client) => {
    await client.query('begin');
    await client.query(`insert into users (id, email, created_at, updated_at) values ($1, $2, now(), now())`, [
      userId,
      'bench@example.com',
    ]);
    await client.query(
      `insert into orgs (id, name, management_email, logo, created_by, created_at, updated_at)
       values ($1, 'Bench org', 'bench@example.com', null, $2, now(), now())`,
      [orgId, userId],
    );
    await client.query(
      `insert into org_members (org_id, user_id, role, created_at) values ($1, $2, 'super_admin', now())`,
      [orgId, userId],
    );
    const secrets = [key, ...Array.from({ length: options.keyCount - 1 }, generateSecret)];
    for (const [index, secret] of secrets.entries()) {
      await client.query(
        `insert into api_keys (id, user_id, name, key_hash, hint, mode, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, now(), now())`,
        [randomUUID(), userId, `bench key ${index}`, hashSecret(secret), hintFor(secret), index === 0 ? 'all' : 'read'],
      );
    }
    // Every third app shares its neighbour's created_at, so ordering relies on the app_id tie-break.
    await client.query(
      `insert into apps (id, app_id, app_id_key, name, icon_url, owner_org, user_id, created_at, updated_at)
       select gen_random_uuid(), 'com.bench.App' || i, 'com.bench.app' || i, 'Bench app ' || i,
              'https://example.com/icons/' || i || '.png', $1, $2,
              now() - ((i - i % 3) * interval '1 minute'), now() - ((i - i % 3) * interval '1 minute')
       from generate_series(1, $3::int) as i`,
      [orgId, userId, options.appCount],
    );
    await client.query('commit');
    // What autovacuum does on a live database: statistics for the planner and a visibility map.
    await client.query('vacuum analyze');
  });

  const step = Math.max(1, Math.floor(options.appCount / 200));
  const sampleAppIds = Array.from(
    { length: Math.min(200, options.appCount) },
    (_, i) => `com.bench.App${1 + i * step}`,
  );
  return { orgId, userId, key, appCount: options.appCount, keyCount: options.keyCount, sampleAppIds };
}
