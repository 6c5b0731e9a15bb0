import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Orm, openOrm } from '../../src/db/orm.js';
import type { Answer } from '../fuzz/contract-routes.js';
import { RawClient } from '../fuzz/http.js';
import { type Tenant, createMember, createTenant } from '../support/factories.js';
import { type Haproxy, startHaproxy } from '../support/haproxy.js';
import { errorEnvelope, uniqueAppId } from '../support/harness.js';
import { type S3Server, startS3Proxy } from '../support/s3proxy.js';
import { type SpawnedServer, spawnServer } from '../support/spawn-server.js';
import { sampleBundle } from '../support/zip.js';
import { SteadyLoad, failed } from './load.js';

/** One request every 30 ms (about 33 a second), at most 4,000 in all. */
const EVERY_MS = 30;
const MAX_REQUESTS = 4_000;
/** At each SIGTERM, creates at once on top of the load: 4 bursts of 10, 250 ms apart. */
const BURSTS = 4;
const BURST_SIZE = 10;
const BURST_EVERY_MS = 250;
/** How long the load runs between two events. */
const STEADY_MS = 3_000;
/** The load spreads over this many keys (of as many users), so that it stays under the limits. */
const LOAD_KEYS = 40;
const PER_MINUTE = 100;
const FAILED_AUTH = 10;
/** SPEC §6: a replica exits within 10 s of SIGTERM. */
const EXIT_DEADLINE_MS = 10_000;
const TOO_MANY = 'Too many requests: retry after the number of seconds in Retry-After';

/** What compose.yaml gives every replica, on the run's database. */
const REPLICA_ENV = {
  MIGRATE_ON_START: 'false',
  DB_POOL_MAX: '5',
  // HAProxy is the one proxy, on loopback here.
  TRUST_PROXY: 'loopback',
  SHUTDOWN_DELAY_SECONDS: '3',
  RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
  RATE_LIMIT_FAILED_AUTH: String(FAILED_AUTH),
};

interface Replica {
  name: 'api1' | 'api2';
  port: number;
  current: SpawnedServer;
  /** Every process this replica has been, current one included: their logs say who served what. */
  lives: SpawnedServer[];
}

let orm: Orm;
let tenant: Tenant;
let loadKeys: string[];
let haproxy: Haproxy | undefined;
let s3: S3Server | undefined;
const replicas: Replica[] = [];
let client: RawClient;

/** REPLICA_ENV with the run's database and the shared S3 store (S3Proxy). */
let replicaEnv: Record<string, string>;

/** Starts a replica, the production bundle (`pnpm build`), on `port` (0: any free port). */
const startReplica = (port = 0) => spawnServer({ ...replicaEnv, PORT: String(port) }, ['dist/main.js']);

const alive = (server: SpawnedServer) => server.child.exitCode === null && server.child.signalCode === null;

/** Resolves with what `promise` gives, or throws after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the same replica again on its port, and waits until HAProxy sends it traffic again. */
async function restart(replica: Replica): Promise<void> {
  replica.current = await startReplica(replica.port);
  replica.lives.push(replica.current);
  await (haproxy as Haproxy).waitFor(replica.name, 'UP');
}

/**
 * Which replica logged each of `rids`. Log lines arrive through a pipe a little after the answer:
 * waits (at most 3 s) for all of them; a replica killed with -9 may never write some.
 */
async function servedBy(rids: string[]): Promise<Map<string, string>> {
  const by = new Map<string, string>();
  for (let polls = 0; polls < 30; polls++) {
    for (const replica of replicas) {
      for (const line of replica.lives.flatMap((life) => life.output)) {
        const rid = /"request_id":"([^"]+)"/.exec(line)?.[1];
        if (rid) by.set(rid, replica.name);
      }
    }
    if (rids.every((rid) => by.has(rid))) break;
    await sleep(100);
  }
  return by;
}

const count = <T>(items: T[], keyOf: (item: T) => string) => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  if (inject('embedded')) throw new Error('The cluster test needs DATABASE_URL (a PostgreSQL server)');
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 2 });
  const em = orm.em.fork() as EntityManager;
  tenant = await createTenant(em);
  // One user per key: the per-user limit (as large as the per-key one by default) stays out of the way.
  loadKeys = [tenant.key];
  while (loadKeys.length < LOAD_KEYS) loadKeys.push((await createMember(em, tenant.orgId, 'admin')).key);

  s3 = await startS3Proxy();
  replicaEnv = { ...REPLICA_ENV, DATABASE_URL: inject('databaseUrl'), ...s3.env() };
  const started = await Promise.all([startReplica(), startReplica()]);
  started.forEach((server, i) => {
    replicas.push({
      name: i === 0 ? 'api1' : 'api2',
      port: Number(new URL(server.baseUrl).port),
      current: server,
      lives: [server],
    });
  });
  haproxy = await startHaproxy({
    api1: `127.0.0.1:${replicas[0]?.port}`,
    api2: `127.0.0.1:${replicas[1]?.port}`,
  });
  await haproxy.waitFor('api1', 'UP');
  await haproxy.waitFor('api2', 'UP');
  // A connection per request: the client side of HAProxy is not what is under test.
  client = new RawClient(haproxy.url, 15_000, { maxSockets: Number.POSITIVE_INFINITY, keepAlive: false });
});

afterAll(async () => {
  client?.close();
  for (const replica of replicas) {
    const problems = replica.lives.flatMap((life) => life.output).filter((line) => /"level":[56]0/.test(line));
    if (problems.length > 0) console.log(`${replica.name} ERRORS\n${problems.join('\n')}`);
    if (alive(replica.current)) replica.current.child.kill('SIGKILL');
  }
  await Promise.all(replicas.map((replica) => replica.current.exited));
  if (haproxy) console.log(`HAPROXY\n${haproxy.output.join('\n')}`);
  await haproxy?.stop();
  await s3?.stop();
  await orm?.close();
});

describe('two replicas behind HAProxy on one PostgreSQL', () => {
  it('loses no request in a rolling restart, and no acknowledged write when a replica is killed', async () => {
    const load = new SteadyLoad(client, { orgId: tenant.orgId, keys: loadKeys }, EVERY_MS, MAX_REQUESTS);
    const restarts: Record<string, unknown>[] = [];
    let killAt = 0;
    let deadAt = 0;
    let noticedAt = 0;
    load.start();
    try {
      await sleep(STEADY_MS);

      // Rolling restart: SIGTERM one replica, start it again, wait until HAProxy uses it, then the other.
      load.phase = 'rolling-restart';
      for (const replica of replicas) {
        const signalledAt = load.now();
        replica.current.child.kill('SIGTERM');
        const down = (haproxy as Haproxy).waitFor(replica.name, 'DOWN').then(() => load.now() - signalledAt);
        // Creates crowding in as the replica stops: until HAProxy has taken it out, some go to it.
        for (let i = 0; i < BURSTS; i++) {
          load.burst(BURST_SIZE);
          await sleep(BURST_EVERY_MS);
        }
        const downAfterMs = Math.round(await down);
        const exitCode = await within(replica.current.exited, EXIT_DEADLINE_MS + 5_000, `${replica.name} exit`);
        const exitedAfterMs = load.now() - signalledAt;
        await restart(replica);
        restarts.push({
          replica: replica.name,
          exitCode,
          downAfterMs,
          exitedAfterMs: Math.round(exitedAfterMs),
          usedAgainAfterMs: Math.round(load.now() - signalledAt),
        });
        expect(exitCode).toBe(0);
        expect(exitedAfterMs).toBeLessThan(EXIT_DEADLINE_MS);
      }
      load.phase = 'after-restart';
      await sleep(STEADY_MS);

      // kill -9 of one replica, then it comes back.
      const victim = replicas[1] as Replica;
      load.phase = 'kill-9';
      killAt = load.now();
      victim.current.child.kill('SIGKILL');
      await victim.current.exited;
      // Until the kernel has torn the process down, its listener still queues connections.
      deadAt = load.now();
      await (haproxy as Haproxy).waitFor(victim.name, 'DOWN');
      noticedAt = load.now();
      load.phase = 'after-notice';
      await sleep(STEADY_MS);
      await restart(victim);
      load.phase = 'recovered';
      await sleep(STEADY_MS);
    } finally {
      await load.stop();
    }

    // In flight on the killed replica: sent before its process was gone, answered after the kill.
    const inFlightAtKill = load.samples.filter((s) => s.start <= deadAt && (s.end ?? killAt) >= killAt);
    const failures = load.samples.filter(failed);
    const rows = await orm.em
      .getConnection()
      .execute<{ app_id: string }[]>('select app_id from apps where app_id in (?)', [load.acknowledged]);
    const by = await servedBy(load.samples.map((s) => s.rid));
    console.log(
      `CLUSTER FIGURES requests ${JSON.stringify({
        sent: load.samples.length,
        byPhase: count(load.samples, (s) => s.phase),
        byKind: count(load.samples, (s) => s.kind),
        servedBy: count(load.samples, (s) => by.get(s.rid) ?? 'none'),
      })}`,
    );
    console.log(
      `CLUSTER FIGURES failed ${JSON.stringify(count(failures, (s) => `${s.phase}:${s.kind}:${s.status ?? s.error}`))}`,
    );
    console.log(`CLUSTER FIGURES rolling-restart ${JSON.stringify(restarts)}`);
    console.log(
      `CLUSTER FIGURES kill-9 ${JSON.stringify({
        goneAfterMs: Math.round(deadAt - killAt),
        noticedAfterMs: Math.round(noticedAt - killAt),
        inFlightAtKill: inFlightAtKill.length,
        failedOfThose: inFlightAtKill.filter(failed).length,
        sentBetweenKillAndNotice: load.samples.filter((s) => s.start > killAt && s.start <= noticedAt).length,
      })}`,
    );
    console.log(
      `CLUSTER FIGURES writes ${JSON.stringify({ acknowledged: load.acknowledged.length, foundInDatabase: rows.length })}`,
    );

    expect(load.samples.length).toBeGreaterThan(500);
    expect(load.samples.length).toBeLessThan(MAX_REQUESTS);
    // Both replicas served in every phase where both were up.
    for (const phase of ['steady', 'after-restart', 'recovered']) {
      const served = new Set(load.samples.filter((s) => s.phase === phase).map((s) => by.get(s.rid)));
      expect([phase, served.has('api1'), served.has('api2')]).toEqual([phase, true, true]);
    }
    // Nothing failed but requests in flight at the kill; no GET at all (HAProxy sends those again).
    expect(failures.filter((s) => !inFlightAtKill.includes(s)).map((s) => [s.phase, s.rid, s.status, s.error])).toEqual(
      [],
    );
    expect(failures.filter((s) => s.kind === 'read' || s.kind === 'list').map((s) => s.rid)).toEqual([]);
    // Every create answered 201 is in the database.
    expect(rows.map((row) => row.app_id).sort()).toEqual([...load.acknowledged].sort());
  });

  it('serves a bundle uploaded through one replica from the other', async () => {
    const [api1, api2] = replicas.map((replica) => replica.current.baseUrl) as [string, string];
    const { key } = await createMember(orm.em.fork() as EntityManager, tenant.orgId, 'admin');
    const headers = { authorization: key, 'content-type': 'application/json' };
    const appId = uniqueAppId('com.cluster.bundle');
    const created = await fetch(`${api2}/app`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ app_id: appId, name: 'Bundles', owner_org: tenant.orgId }),
    });
    expect(created.status).toBe(201);

    const zip = sampleBundle('cluster');
    const uploaded = await fetch(`${api1}/bundle/upload?app_id=${appId}&version=1.0.1`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/zip' },
      body: zip,
    });
    const bundle = (await uploaded.json()) as Record<string, unknown>;
    expect([uploaded.status, bundle.storage, bundle.size]).toEqual([201, 'stored', zip.length]);
    const checksum = createHash('sha256').update(zip).digest('hex');
    expect(bundle.checksum).toBe(checksum);

    // The other replica lists the very same bundle...
    const listed = await fetch(`${api2}/bundle?app_id=${appId}&version=1.0.1`, { headers: { authorization: key } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { data: unknown[] }).data).toEqual([bundle]);
    // ...and a device asking the other replica is sent to the file in the shared bucket.
    const channel = await fetch(`${api2}/channel`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ app_id: appId, channel: 'production', version: '1.0.1', public: true }),
    });
    expect(channel.status).toBe(201);
    const check = await fetch(`${api2}/updates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        platform: 'android',
        device_id: '00009a6b-eefe-490a-9c60-8e965132ae51',
        app_id: appId,
        custom_id: '',
        version_build: '1.0.0',
        version_code: '1',
        version_os: '14',
        version_name: 'builtin',
        plugin_version: '8.51.23',
        is_emulator: false,
        is_prod: true,
        defaultChannel: '',
      }),
    });
    const offer = (await check.json()) as { version: string; url: string; checksum: string; session_key: string };
    expect([check.status, offer.version, offer.checksum, offer.session_key]).toEqual([200, '1.0.1', checksum, '']);
    const download = await fetch(offer.url);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect([download.status, bytes.equals(zip)]).toEqual([200, true]);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(checksum);
    console.log(
      `CLUSTER FIGURES bundle ${JSON.stringify({ uploadedThrough: 'api1', listedThrough: 'api2', bytes: bytes.length, checksumMatches: true })}`,
    );
  });

  it('keeps the per-key and per-IP rate limits exact across the two replicas', async () => {
    const { key } = await createMember(orm.em.fork() as EntityManager, tenant.orgId, 'admin');
    const burst = (n: number, prefix: string, withKey: string) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const rid = `${prefix}-${i}`;
          const answer: Answer = await client.send({
            method: 'GET',
            path: '/app',
            headers: { authorization: withKey, 'x-request-id': rid },
          });
          return { ...answer, rid };
        }),
      );

    const perKey = await burst(150, 'per-key', key);
    expect(count(perKey, (a) => String(a.status))).toEqual({ 200: PER_MINUTE, 429: 150 - PER_MINUTE });
    const ok = perKey.filter((a) => a.status === 200);
    const limited = perKey.filter((a) => a.status === 429);
    for (const a of limited) {
      expect(JSON.parse(a.text)).toEqual(errorEnvelope('rate_limited', TOO_MANY, a.rid));
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
    }

    // Last: bad keys from 127.0.0.1, the address HAProxy forwards for every client here, are refused from now on.
    const badKey = await burst(40, 'failed-auth', 'capgo_stolen_or_guessed');
    expect(
      count(badKey, (a) => String(a.status)),
      badKey[0]?.text,
    ).toEqual({ 401: FAILED_AUTH, 429: 40 - FAILED_AUTH });

    const by = await servedBy([...perKey, ...badKey].map((a) => a.rid));
    expect(new Set(ok.map((a) => by.get(a.rid)))).toEqual(new Set(['api1', 'api2']));
    expect(new Set(badKey.map((a) => by.get(a.rid)))).toEqual(new Set(['api1', 'api2']));
    console.log(
      `CLUSTER FIGURES rate-limits ${JSON.stringify({
        perKey: { limit: PER_MINUTE, sent: 150, ...count(perKey, (a) => `${by.get(a.rid)}:${a.status}`) },
        failedAuth: { limit: FAILED_AUTH, sent: 40, ...count(badKey, (a) => `${by.get(a.rid)}:${a.status}`) },
      })}`,
    );
  });
});
