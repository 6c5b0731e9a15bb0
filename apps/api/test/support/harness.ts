import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import request from 'supertest';
import { afterAll, beforeAll, inject } from 'vitest';
import { type AppSettings, createApp } from '../../src/app.js';
import { createHttpServer } from '../../src/common/http-server.js';
import { createLogger } from '../../src/common/logger.js';
import type { Runtime } from '../../src/common/request-context.js';
import { DeviceTelemetry } from '../../src/jobs/device-telemetry.js';
import { type Orm, openOrm } from '../../src/db/orm.js';
import { usePreparedStatements } from '../../src/db/raw.js';
import type { BundleStorage } from '../../src/storage/storage.js';
import { type TestStorage, openTestStorage } from './storage.js';

export interface Harness {
  orm: Orm;
  runtime: Runtime;
  baseUrl: string;
  /** supertest bound to the running server: real HTTP over loopback. */
  http: () => request.Agent;
  em: () => EntityManager;
  /** The device routes' telemetry queue: `await h.telemetry.flush()` makes what they recorded visible. */
  telemetry: DeviceTelemetry;
  /** Where this server stores bundles: a temporary folder, or an S3Proxy bucket under `pnpm test:s3`. */
  storage: BundleStorage;
}

/**
 * Tests share one client IP (127.0.0.1) and one database, so the per-IP limit on failed
 * authentication is off unless a test file turns it on; everything else is the default.
 */
const TEST_SETTINGS: Partial<AppSettings> = { RATE_LIMIT_FAILED_AUTH: 0 };

/**
 * Starts the real app on an ephemeral port against the run's database, once per test file.
 * Use the returned object inside tests (it is filled in by beforeAll).
 */
export function useServer(settings: Partial<AppSettings> = {}): Harness {
  const harness = {} as Harness;
  let server: Server;
  let testStorage: TestStorage | undefined;
  beforeAll(async () => {
    harness.orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: inject('embedded') ? 1 : 5 });
    if (!inject('embedded')) usePreparedStatements(harness.orm);
    harness.runtime = { state: 'starting', orm: harness.orm };
    const logger = createLogger('silent');
    harness.telemetry = new DeviceTelemetry(harness.runtime, logger);
    harness.telemetry.start();
    const app = createApp({
      runtime: harness.runtime,
      logger,
      settings: { ...TEST_SETTINGS, ...settings },
      telemetry: harness.telemetry,
    });
    server = createHttpServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    harness.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    harness.http = () => request.agent(harness.baseUrl);
    harness.em = () => harness.orm.em.fork() as EntityManager;
    testStorage = await openTestStorage(harness.em(), harness.baseUrl);
    harness.storage = testStorage.storage;
    harness.runtime.storage = testStorage.storage;
    harness.runtime.state = 'ready';
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await harness.telemetry?.stop();
    await harness.orm?.close();
    await testStorage?.close();
  });
  return harness;
}

export const uniqueAppId = (prefix = 'com.test') => `${prefix}.a${randomBytes(6).toString('hex')}`;
export const uniqueEmail = () => `user-${randomUUID()}@example.com`;

export const requestIdOf = () => `test-${randomBytes(6).toString('hex')}`;

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The SPEC §4 envelope, exactly. */
export function errorEnvelope(code: string, error: string, requestId: string, details?: unknown) {
  return { status: 'KO', error, code, ...(details === undefined ? {} : { details }), request_id: requestId };
}
