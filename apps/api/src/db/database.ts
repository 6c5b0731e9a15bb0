import type { Config } from '../config.js';
import { startEmbeddedDatabase } from './embedded.js';
import { type Orm, openOrm } from './orm.js';
import { usePreparedStatements } from './sql.js';

export interface Database {
  orm: Orm;
  /** True when this process runs the embedded PGlite database itself. */
  embedded: boolean;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded database in DATA_DIR when it is unset. */
export async function openDatabase(config: Config, owner: string): Promise<Database> {
  if (config.DATABASE_URL) {
    const orm = await openOrm({ clientUrl: config.DATABASE_URL, poolMax: config.DB_POOL_MAX });
    if (config.DB_PREPARED_STATEMENTS) usePreparedStatements(orm);
    return { orm, embedded: false, close: () => orm.close() };
  }
  const embedded = await startEmbeddedDatabase({ dataDir: config.DATA_DIR, owner });
  try {
    // PGlite runs one query at a time; a second pooled connection would only queue behind it.
    // Kept open for good: the socket takes one connection, so no other client can take it and
    // stall every request behind its own query.
    const orm = await openOrm({ clientUrl: embedded.url, poolMax: 1, poolMin: 1 });
    return {
      orm,
      embedded: true,
      async close() {
        await orm.close();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
