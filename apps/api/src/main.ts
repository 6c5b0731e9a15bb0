import { once } from 'node:events';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { buildApp } from './app.js';
import { SERVER_TIMEOUTS, createHttpServer } from './common/http-server.js';
import { createLogger } from './common/logger.js';
import type { Runtime } from './common/request-context.js';
import { ConfigError, loadConfig, publicUrlOf } from './config.js';
import { DeviceTelemetry } from './jobs/device-telemetry.js';
import { type Database, openDatabase } from './db/database.js';
import { EmbeddedDatabaseBusyError } from './db/embedded.js';
import { migrateUp } from './db/orm.js';
import { openStorage } from './storage/index.js';
import type { BundleStorage } from './storage/storage.js';
import { startRetention } from './jobs/retention.js';
import { flushKeyUses } from './modules/apikey/apikey.repository.js';
import { FIRST_START_EMAIL, FIRST_START_ORG, bootstrapIfEmpty } from './modules/admin/admin.service.js';

const SHUTDOWN_DEADLINE_MS = 9_000;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const runtime: Runtime = { state: 'starting' };
  const telemetry = new DeviceTelemetry(runtime, logger);

  // Listen first: /livez answers and /readyz says 503 while the database is being prepared.
  const server: Server = createHttpServer(buildApp({ runtime, logger, settings: config, telemetry }), SERVER_TIMEOUTS, {
    maxConnections: config.MAX_CONNECTIONS,
    maxConnectionsPerAddress: config.MAX_CONNECTIONS_PER_ADDRESS,
  }).listen(config.PORT, config.HOST);
  try {
    await once(server, 'listening');
  } catch (error) {
    fail(`Cannot listen on ${config.HOST}:${config.PORT}: ${(error as Error).message}`);
  }

  let database: Database;
  try {
    database = await openDatabase(config, 'server');
    if (config.MIGRATE_ON_START) {
      const applied = await migrateUp(database.orm);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusyError) fail(error.message);
    logger.fatal({ err: error }, 'cannot open the database');
    process.exit(1);
  }

  if (database.embedded) {
    const created = await bootstrapIfEmpty(database.orm.em.fork());
    if (created) {
      process.stdout.write(
        `\nFirst start: created user ${FIRST_START_EMAIL}, organization "${FIRST_START_ORG}" (${created.org_id})\n` +
          `and an API key of mode "all". It is shown only this once; keep it:\n\n  ${created.api_key}\n\n`,
      );
    }
  }

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  let storage: BundleStorage;
  try {
    storage = await openStorage(
      config,
      publicUrlOf({ ...config, PORT: port }),
      database.orm.em.fork() as EntityManager,
    );
  } catch (error) {
    logger.fatal({ err: error }, 'cannot open the bundle storage');
    process.exit(1);
  }
  const retention = startRetention({
    orm: database.orm,
    storage,
    intervalSeconds: config.RETENTION_INTERVAL_SECONDS,
    logger,
  });

  runtime.storage = storage;
  runtime.orm = database.orm;

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    runtime.state = 'draining';
    setTimeout(() => {
      logger.error('shutdown deadline passed; exiting with requests still open');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    // Closing the listener resets the connections still waiting in its accept queue, which a load
    // balancer may have just opened and written a request to: wait until its checks of /readyz
    // (503 from now on) have taken this replica out.
    if (config.SHUTDOWN_DELAY_SECONDS > 0) await sleep(config.SHUTDOWN_DELAY_SECONDS * 1000);
    // Stops accepting and lets in-flight requests finish. A keep-alive socket whose request has
    // just finished is idle again: close those as they appear rather than after keepAliveTimeout.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
    server.closeIdleConnections();
    await closed;
    clearInterval(closeIdle);
    // What device requests left behind is written before the database goes.
    await telemetry.stop();
    await retention.stop();
    await flushKeyUses(database.orm.em).catch((error: unknown) =>
      logger.error({ err: error }, 'could not record the last uses of keys'),
    );
    await database.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  // Ready only once a signal drains instead of killing: a supervisor (or a test) that signals as
  // soon as it reads "ready" must not catch the process before its handlers are in place.
  runtime.state = 'ready';
  telemetry.start();
  logger.info({ url: `http://${config.HOST}:${port}`, embedded: database.embedded, storage: storage.kind }, 'ready');
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
