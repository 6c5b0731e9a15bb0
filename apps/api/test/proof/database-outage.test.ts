import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Orm, openOrm } from '../../src/db/orm.js';
import type { Answer } from '../fuzz/contract-routes.js';
import { RawClient } from '../fuzz/http.js';
import { type Tenant, createTenant } from '../support/factories.js';
import { errorEnvelope, uniqueAppId } from '../support/harness.js';
import { type SpawnedServer, spawnServer } from '../support/spawn-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const BEFORE_MS = 4_000;
const OUTAGE_MS = 10_000;
const AFTER_MS = 10_000;
const EVERY_MS = 40; // 25 requests a second
/** No request may take longer: the pool gives up acquiring a connection after 5 s (db/orm.ts). */
const MAX_LATENCY_MS = 6_500;
/** After the database returns, the API must answer 2xx again within this, without a restart. */
const RECOVERY_MS = 6_000;
const UNAVAILABLE = 'Service unavailable, retry later';

interface Sample {
  kind: 'create' | 'read' | 'readyz';
  rid: string;
  appId?: string;
  start: number;
  end: number;
  answer?: Answer;
  error?: string;
}

let orm: Orm;
let proxy: TcpProxy;
let server: SpawnedServer;
let tenant: Tenant;

beforeAll(async () => {
  if (inject('embedded')) throw new Error('The proof suite needs DATABASE_URL (a PostgreSQL server)');
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 2 });
  tenant = await createTenant(orm.em.fork() as EntityManager);
  const target = new URL(inject('databaseUrl'));
  proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  const through = new URL(target);
  through.host = `127.0.0.1:${await proxy.start()}`;
  server = await spawnServer({ DATABASE_URL: through.toString(), MIGRATE_ON_START: 'false', DB_POOL_MAX: '5' });
});

afterAll(async () => {
  server?.child.kill('SIGTERM');
  await server?.exited;
  await proxy?.close();
  await orm?.close();
});

describe('database outage under load', () => {
  it('answers only 503 while PostgreSQL is cut off, recovers without a restart and loses no answered write', async () => {
    const client = new RawClient(server.baseUrl, MAX_LATENCY_MS + 2_000, {
      maxSockets: Number.POSITIVE_INFINITY,
      keepAlive: false,
    });
    const samples: Sample[] = [];
    const created: string[] = [];
    const seed = uniqueAppId('com.outage');
    const seeded = await client.send({
      method: 'POST',
      path: '/app',
      headers: { authorization: tenant.key, 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: seed, name: 'Seed', owner_org: tenant.orgId }),
    });
    expect(seeded.status).toBe(201);
    created.push(seed);
    const t0 = Date.now();
    let n = 0;

    const fire = async (kind: Sample['kind']) => {
      const rid = `outage-${++n}`;
      const sample: Sample = { kind, rid, start: Date.now() - t0, end: 0 };
      samples.push(sample);
      const headers = { 'x-request-id': rid, authorization: tenant.key };
      try {
        if (kind === 'create') {
          sample.appId = uniqueAppId('com.outage');
          const body = JSON.stringify({ app_id: sample.appId, name: 'Outage', owner_org: tenant.orgId });
          sample.answer = await client.send({
            method: 'POST',
            path: '/app',
            headers: { ...headers, 'content-type': 'application/json' },
            body,
          });
          if (sample.answer.status === 201) created.push(sample.appId);
        } else if (kind === 'read') {
          const appId = created.at(-1) as string;
          sample.answer = await client.send({ method: 'GET', path: `/app/${appId}`, headers });
        } else {
          sample.answer = await client.send({ method: 'GET', path: '/readyz', headers: { 'x-request-id': rid } });
        }
      } catch (error) {
        sample.error = (error as Error).message;
      }
      sample.end = Date.now() - t0;
    };

    const inFlight: Promise<void>[] = [];
    const cutAt = BEFORE_MS;
    const restoreAt = BEFORE_MS + OUTAGE_MS;
    let cutDone = false;
    let restoreDone = false;
    for (let tick = 0; Date.now() - t0 < BEFORE_MS + OUTAGE_MS + AFTER_MS; tick++) {
      const now = Date.now() - t0;
      if (!cutDone && now >= cutAt) {
        proxy.cut();
        cutDone = true;
      }
      if (!restoreDone && now >= restoreAt) {
        proxy.restore();
        restoreDone = true;
      }
      inFlight.push(fire(tick % 6 === 0 ? 'readyz' : tick % 2 === 0 ? 'create' : 'read'));
      await new Promise((resolve) => setTimeout(resolve, EVERY_MS));
    }
    await Promise.all(inFlight);
    client.close();

    // No hang, no crash, no restart.
    expect(samples.filter((s) => s.error)).toEqual([]);
    const latencies = samples.map((s) => s.end - s.start);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(MAX_LATENCY_MS);
    expect(server.child.exitCode).toBeNull();
    expect(server.child.pid).toBeGreaterThan(0);

    // Only 2xx or 503 at any time; only 503 service_unavailable for requests made while cut off.
    const statuses = samples.map((s) => s.answer?.status);
    expect(statuses.filter((status) => ![200, 201, 503].includes(status ?? 0))).toEqual([]);
    const duringOutage = samples.filter((s) => s.start >= cutAt && s.end < restoreAt);
    expect(duringOutage.length).toBeGreaterThan(100);
    for (const s of duringOutage) {
      expect({ rid: s.rid, status: s.answer?.status }).toEqual({ rid: s.rid, status: 503 });
      expect(JSON.parse(s.answer?.text ?? '')).toEqual(errorEnvelope('service_unavailable', UNAVAILABLE, s.rid));
    }
    expect(duringOutage.filter((s) => s.kind === 'readyz').length).toBeGreaterThan(10);

    // Recovery: every request started RECOVERY_MS after the restore succeeds.
    const firstOk = Math.min(
      ...samples.filter((s) => s.start >= restoreAt && s.answer?.status !== 503).map((s) => s.end),
    );
    const afterRecovery = samples.filter((s) => s.start >= restoreAt + RECOVERY_MS);
    expect(afterRecovery.length).toBeGreaterThan(50);
    expect(afterRecovery.filter((s) => s.answer?.status === 503)).toEqual([]);

    // Every write answered 201 is in the database, and readable through the API.
    const rows = await orm.em
      .getConnection()
      .execute<{ app_id: string }[]>('select app_id from apps where app_id in (?)', [created]);
    expect(rows.map((row) => row.app_id).sort()).toEqual([...created].sort());

    /** Statuses of the requests answered between `from` and `to`. */
    const phase = (from: number, to: number) => {
      const inPhase = samples.filter((s) => s.end >= from && s.end < to);
      const counts: Record<string, number> = {};
      for (const s of inPhase) counts[s.answer?.status ?? 'error'] = (counts[s.answer?.status ?? 'error'] ?? 0) + 1;
      return counts;
    };
    console.log(
      `OUTAGE FIGURES ${JSON.stringify({
        requests: samples.length,
        answeredBeforeCut: phase(0, cutAt),
        answeredWhileCut: phase(cutAt, restoreAt),
        answeredAfterRestore: phase(restoreAt, Number.POSITIVE_INFINITY),
        startedAndAnsweredWhileCut: duringOutage.length,
        maxLatencyMsDuringOutage: Math.max(...duringOutage.map((s) => s.end - s.start)),
        recoveredMsAfterRestore: firstOk - restoreAt,
        writesAnswered201: created.length,
        writesFoundInDatabase: rows.length,
      })}`,
    );
  });
});
