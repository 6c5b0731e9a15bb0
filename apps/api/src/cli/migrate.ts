import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { EmbeddedDatabaseBusyError } from '../db/embedded.js';
import { migrateUp } from '../db/orm.js';

/** `pnpm migrate`: applies pending migrations and prints `{"applied":[…]}`. */
async function main(): Promise<void> {
  const database = await openDatabase(loadConfig(process.env), 'migrate command');
  try {
    const applied = await migrateUp(database.orm);
    process.stdout.write(`${JSON.stringify({ applied })}\n`);
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof EmbeddedDatabaseBusyError;
    process.stderr.write(`Error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
