import { type Socket, connect } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Orm, openOrm } from '../../src/db/orm.js';
import { runSql } from '../../src/db/sql.js';
import { RawClient } from '../fuzz/http.js';
import { type Tenant, createTenant } from '../support/factories.js';
import { uniqueAppId } from '../support/harness.js';
import { type SpawnedServer, spawnServer } from '../support/spawn-server.js';

/** SPEC §6: in-flight requests finish and the process exits 0 within 10 s of SIGTERM. */
const DEADLINE_MS = 10_000;

let orm: Orm;
let server: SpawnedServer;
let tenant: Tenant;

beforeAll(async () => {
  if (inject('embedded')) throw new Error('The proof suite needs DATABASE_URL (a PostgreSQL server)');
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 1 });
  tenant = await createTenant(orm.em.fork() as EntityManager);
  server = await spawnServer({ DATABASE_URL: inject('databaseUrl'), MIGRATE_ON_START: 'false' });
});

afterAll(async () => {
  // On a failure, the server's own account of it.
  const problems = server?.output.filter((line) => /"level":[456]0/.test(line)) ?? [];
  if (problems.length > 0) console.log(`SERVER WARNINGS\n${problems.join('\n')}`);
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await orm?.close();
});

/** Resolves true when a new TCP connection to the server is refused. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** A POST whose body arrives in two halves; `finish()` sends the rest and resolves with the raw answer. */
function slowCreate(port: number, body: string): { finish: () => Promise<string> } {
  const socket: Socket = connect(port, '127.0.0.1');
  let answer = '';
  const closed = new Promise<string>((resolve) => {
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST /app HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${tenant.key}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
  );
  return {
    finish: () => {
      socket.write(body.slice(half));
      return closed;
    },
  };
}

describe('graceful shutdown', () => {
  it('finishes every in-flight request after SIGTERM, refuses new connections and exits 0 within the deadline', async () => {
    const port = Number(new URL(server.baseUrl).port);
    const client = new RawClient(server.baseUrl, 15_000, { maxSockets: Number.POSITIVE_INFINITY, keepAlive: false });
    const target = uniqueAppId('com.drain');
    const created = await client.send({
      method: 'POST',
      path: '/app',
      headers: { authorization: tenant.key, 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: target, name: 'Before', owner_org: tenant.orgId }),
    });
    expect(created.status).toBe(201);

    const warm = await Promise.all(
      Array.from({ length: 12 }, () =>
        client.send({ method: 'GET', path: '/app', headers: { authorization: tenant.key } }),
      ),
    );
    expect(warm.map((r) => r.status)).toEqual(Array(12).fill(200));

    // A row lock held from outside keeps the update waiting inside PostgreSQL.
    const locker = new pg.Client({ connectionString: inject('databaseUrl') });
    await locker.connect();
    await locker.query('begin');
    await locker.query('select 1 from apps where app_id = $1 for update', [target]);
    const update = client.send({
      method: 'PUT',
      path: `/app/${target}`,
      headers: { authorization: tenant.key, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'After drain' }),
    });
    // Ten creates whose bodies are only half sent: the server is reading them.
    const slowAppIds = Array.from({ length: 10 }, () => uniqueAppId('com.drain'));
    const slow = slowAppIds.map((appId) =>
      slowCreate(port, JSON.stringify({ app_id: appId, name: 'Slow body', owner_org: tenant.orgId })),
    );
    let waiting = 0;
    for (let polls = 0; waiting < 1 && polls < 100; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { rows } = await locker.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
      );
      waiting = Number(rows[0]?.n);
    }
    expect(waiting).toBe(1);

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = await refusesConnections(port);
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refused).toBe(true);
    expect(server.child.exitCode).toBeNull(); // still draining: requests are in flight

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const slowAnswers = Promise.all(slow.map((request) => request.finish()));
    await locker.query('commit');
    await locker.end();

    const updated = await update;
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.text)).toMatchObject({ app_id: target, name: 'After drain' });
    for (const answer of await slowAnswers) expect(answer).toMatch(/^HTTP\/1\.1 201 Created\r\n/);

    const exitCode = await server.exited;
    const drainMs = Date.now() - signalledAt;
    client.close();
    expect(exitCode).toBe(0);
    expect(drainMs).toBeLessThan(DEADLINE_MS);
    const rows = await runSql<{ name: string }>(
      orm.em as EntityManager,
      'select name from apps where app_id = any($1) order by name',
      [[target, ...slowAppIds]],
    );
    expect(rows.map((row) => row.name)).toEqual(['After drain', ...Array(10).fill('Slow body')]);
    console.log(
      `SHUTDOWN FIGURES ${JSON.stringify({ inFlight: 11, completed: 11, newConnectionsRefused: refused, exitCode, drainMs })}`,
    );
  });
});

describe('graceful shutdown behind a load balancer (SHUTDOWN_DELAY_SECONDS)', () => {
  it('says 503 on /readyz and still serves for the delay, then refuses connections and exits 0', async () => {
    const delayed = await spawnServer({
      DATABASE_URL: inject('databaseUrl'),
      MIGRATE_ON_START: 'false',
      SHUTDOWN_DELAY_SECONDS: '2',
    });
    try {
      const port = Number(new URL(delayed.baseUrl).port);
      const client = new RawClient(delayed.baseUrl, 5_000, { keepAlive: false });
      const signalledAt = Date.now();
      delayed.child.kill('SIGTERM');
      let readyz = 200;
      for (let polls = 0; readyz === 200 && polls < 40; polls++) {
        readyz = (await client.send({ method: 'GET', path: '/readyz' })).status;
      }
      expect(readyz).toBe(503);
      // New connections are still accepted and served during the delay.
      const during = await client.send({ method: 'GET', path: '/app', headers: { authorization: tenant.key } });
      expect(during.status).toBe(200);
      expect(Date.now() - signalledAt).toBeLessThan(2_000);

      let refused = false;
      for (let polls = 0; !refused && polls < 80; polls++) {
        refused = await refusesConnections(port);
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const refusedAfterMs = Date.now() - signalledAt;
      expect(refused).toBe(true);
      expect(refusedAfterMs).toBeGreaterThanOrEqual(2_000);
      expect(await delayed.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(DEADLINE_MS);
      client.close();
      console.log(
        `SHUTDOWN FIGURES ${JSON.stringify({ delaySeconds: 2, readyzWhileDelayed: readyz, refusedAfterMs })}`,
      );
    } finally {
      if (delayed.child.exitCode === null) delayed.child.kill('SIGKILL');
    }
  });
});
