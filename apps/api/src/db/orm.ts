import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { ApiKey } from '../modules/apikey/apikey.entity.js';
import { App } from '../modules/app/app.entity.js';
import { Bundle, ServerSecret, StorageRemoval } from '../modules/bundle/bundle.entity.js';
import { Channel, ChannelDevice } from '../modules/channel/channel.entity.js';
import { Device, DeviceEvent } from '../modules/device/device.entity.js';
import { Org, OrgMember } from '../modules/org/org.entity.js';
import { AppStatsDaily } from '../modules/stats/stats.entity.js';
import { User } from '../modules/user/user.entity.js';
import { migrationsList } from './migrations/index.js';

export const entities = [
  User,
  Org,
  OrgMember,
  ApiKey,
  App,
  Bundle,
  StorageRemoval,
  ServerSecret,
  Channel,
  ChannelDevice,
  Device,
  DeviceEvent,
  AppStatsDaily,
];

export interface OrmOptions {
  clientUrl: string;
  /** Connections in the pool; 1 on the embedded database, which serves one connection at a time well. */
  poolMax: number;
  /** Connections kept open while idle; default 0. */
  poolMin?: number;
}

export function ormConfig({ clientUrl, poolMax, poolMin = 0 }: OrmOptions) {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, snapshot: false, transactional: true, allOrNothing: true, silent: true },
    schemaGenerator: {
      // The one table no entity owns: the rate limiter's counters are an UNLOGGED table (see its
      // migration), which MikroORM 6 cannot declare, and no code reads them through the ORM.
      skipTables: ['rate_limit_hits'],
    },
    pool: { min: poolMin, max: poolMax, idleTimeoutMillis: 30_000 },
    // Requests must never hang on a dead database: fail fast and answer 503. 5 s bounds a
    // request's wait when PostgreSQL is unreachable (5.0 s worst case measured by
    // test/proof/database-outage.test.ts) while riding out a brief stall or failover.
    driverOptions: { acquireConnectionTimeout: 5_000, connection: { connectionTimeoutMillis: 5_000 } },
    ensureDatabase: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
    discovery: { warnWhenNoEntities: false },
  });
}

export type Orm = MikroORM;

export function openOrm(options: OrmOptions): Promise<Orm> {
  return MikroORM.init(ormConfig(options));
}

/** Applies every pending migration; returns the names applied. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}
