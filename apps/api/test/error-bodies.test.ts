import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { MikroORM } from '@mikro-orm/postgresql';
import { pino } from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createHttpServer } from '../src/common/http-server.js';
import { type EmbeddedDatabase, startEmbeddedDatabase } from '../src/db/embedded.js';
import { ormConfig } from '../src/db/orm.js';
import { errorEnvelope, requestIdOf } from './support/harness.js';

/** A server on a real but unusable database, with its log lines kept for inspection. */
function useBrokenServer(clientUrl: () => string) {
  const logged: string[] = [];
  const state = {} as { baseUrl: string; logged: string[] };
  let server: Server;
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await MikroORM.init(ormConfig({ clientUrl: clientUrl(), poolMax: 1 }));
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });
    const app = buildApp({ runtime: { state: 'ready', orm }, logger, settings: { RATE_LIMIT_FAILED_AUTH: 0 } });
    server = createHttpServer(app).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    state.logged = logged;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await orm?.close(true);
  });
  return state;
}

// A database that was never migrated: each query fails inside PostgreSQL (relation does not exist).
let unmigrated: EmbeddedDatabase;
beforeAll(async () => {
  unmigrated = await startEmbeddedDatabase({ owner: 'error-bodies test' });
});
afterAll(() => unmigrated?.stop());
const missingTables = useBrokenServer(() => unmigrated.url);
// Nothing listens on port 1: every connection is refused.
const unreachable = useBrokenServer(() => 'postgres://postgres@127.0.0.1:1/postgres');

const LEAKS =
  /select|from\s+"|relation|no_such_schema|api_keys|\bat\s+\S+\s*\(|\.ts:\d+|node_modules|ECONNREFUSED|stack/i;

describe('error bodies', () => {
  it('answer an unexpected database error with 500 internal_error: no SQL, no stack, logged with its cause', async () => {
    const rid = requestIdOf();
    const res = await request(missingTables.baseUrl)
      .get('/app')
      .set('x-request-id', rid)
      .set('authorization', 'capgo_x');
    expect(res.status).toBe(500);
    expect(res.body).toEqual(errorEnvelope('internal_error', 'Internal error', rid));
    expect(res.text).not.toMatch(LEAKS);
    const logLine = missingTables.logged.find((line) => line.includes(rid));
    expect(logLine).toMatch(/unhandled error/);
    // The cause is named by its class and SQLSTATE (42P01: undefined table). PostgreSQL's own message
    // is left out, as the SQL text is: some of its messages quote the values bound to the statement.
    expect(logLine).toMatch(/"type":"TableNotFoundException","code":"42P01"/);
    expect(logLine).not.toMatch(/select|from\s+"/i);
  });

  it('answer an unreachable database with 503 service_unavailable: no address, no driver message', async () => {
    const rid = requestIdOf();
    const res = await request(unreachable.baseUrl).post('/app').set('x-request-id', rid).set('x-api-key', 'capgo_x');
    expect(res.status).toBe(503);
    expect(res.body).toEqual(errorEnvelope('service_unavailable', 'Service unavailable, retry later', rid));
    expect(res.text).not.toMatch(LEAKS);
  });

  it('answer /readyz with 503 while the database cannot be reached, and /livez with 200', async () => {
    const rid = requestIdOf();
    const ready = await request(unreachable.baseUrl).get('/readyz').set('x-request-id', rid);
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual(errorEnvelope('service_unavailable', 'Service unavailable, retry later', rid));
    expect((await request(unreachable.baseUrl).get('/livez')).status).toBe(200);
  });
});
