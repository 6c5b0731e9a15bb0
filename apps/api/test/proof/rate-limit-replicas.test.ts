import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Orm, openOrm } from '../../src/db/orm.js';
import type { Answer } from '../fuzz/contract-routes.js';
import { RawClient } from '../fuzz/http.js';
import { createTenant } from '../support/factories.js';
import { errorEnvelope } from '../support/harness.js';
import { type SpawnedServer, spawnServer } from '../support/spawn-server.js';

/** Large enough that each replica leases 10 requests at a time (2.5% of the limit), not one by one. */
const PER_MINUTE = 400;
const SENT = 500;
const FAILED_AUTH = 10;
const TOO_MANY = 'Too many requests: retry after the number of seconds in Retry-After';

let orm: Orm;
let replicas: SpawnedServer[] = [];
let clients: RawClient[] = [];

beforeAll(async () => {
  if (inject('embedded')) throw new Error('The proof suite needs DATABASE_URL (a PostgreSQL server)');
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 1 });
  const env = {
    DATABASE_URL: inject('databaseUrl'),
    MIGRATE_ON_START: 'false',
    RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
    RATE_LIMIT_FAILED_AUTH: String(FAILED_AUTH),
    // Loopback is a trusted proxy, so this test speaks from its own client address (X-Forwarded-For).
    TRUST_PROXY: 'loopback',
  };
  replicas = await Promise.all([spawnServer(env), spawnServer(env)]);
  clients = replicas.map((replica) => new RawClient(replica.baseUrl, 15_000, { maxSockets: Number.POSITIVE_INFINITY }));
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const replica of replicas) replica.child.kill('SIGTERM');
  await Promise.all(replicas.map((replica) => replica.exited));
  await orm?.close();
});

type Sent = Answer & { replica: number; rid: string };

/** `count` GET /app, alternating between the two replicas, 50 at a time. */
async function burst(count: number, ip: string, key: string): Promise<Sent[]> {
  const answers: Sent[] = [];
  for (let start = 0; start < count; start += 50) {
    answers.push(...(await wave(start, Math.min(count, start + 50), ip, key)));
  }
  return answers;
}

function wave(from: number, to: number, ip: string, key: string): Promise<Sent[]> {
  return Promise.all(
    Array.from({ length: to - from }, async (_, n) => {
      const i = from + n;
      const rid = `replicas-${ip}-${i}`;
      const client = clients[i % 2] as RawClient;
      const answer = await client.send({
        method: 'GET',
        path: '/app',
        headers: { authorization: key, 'x-forwarded-for': ip, 'x-request-id': rid },
      });
      return { ...answer, replica: i % 2, rid };
    }),
  );
}

const tally = (answers: { status: number; replica: number }[]) => {
  const counts: Record<string, number> = {};
  for (const a of answers)
    counts[`replica${a.replica}:${a.status}`] = (counts[`replica${a.replica}:${a.status}`] ?? 0) + 1;
  return counts;
};

describe('rate limits across two replicas on one database', () => {
  // Leases never grant more than the limit, and both replicas here get enough requests to spend theirs.
  it('lets exactly RATE_LIMIT_PER_MINUTE requests of one key through, however they are spread', async () => {
    const t = await createTenant(orm.em.fork() as EntityManager);
    const answers = await burst(SENT, '198.18.0.1', t.key);
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok.length).toBe(PER_MINUTE);
    expect(limited.length).toBe(SENT - PER_MINUTE);
    expect(new Set(ok.map((a) => a.replica))).toEqual(new Set([0, 1]));
    for (const a of limited) {
      expect(JSON.parse(a.text)).toEqual(errorEnvelope('rate_limited', TOO_MANY, a.rid));
      expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
      expect(a.headers.ratelimit).toMatch(/^"api-key"; r=0; t=\d+$/);
    }
    // Each lease adds its size (10) to the shared count: the statements the key's counter cost.
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ hits: number }[]>(`select hits from rate_limit_hits where key = ?`, [`key:${t.keyId}`]);
    const leases = Number(row?.hits) / 10;
    expect(leases).toBeLessThan(SENT / 5);
    console.log(
      `REPLICA FIGURES per-key ${JSON.stringify({ limit: PER_MINUTE, sent: SENT, allowed: ok.length, leaseStatements: leases, ...tally(answers) })}`,
    );
  });

  it('counts failed authentication per IP across both, then refuses its bad keys on both, never a valid key', async () => {
    const t = await createTenant(orm.em.fork() as EntityManager);
    const ip = '198.18.0.2';
    const answers = await burst(40, ip, 'capgo_stolen_or_guessed');
    const unauthorized = answers.filter((a) => a.status === 401);
    const limited = answers.filter((a) => a.status === 429);
    expect(unauthorized.length).toBe(FAILED_AUTH);
    expect(limited.length).toBe(40 - FAILED_AUTH);
    for (const a of limited) expect(Number(a.headers['retry-after'])).toBeGreaterThan(800);

    const withValidKey = await burst(4, ip, t.key);
    expect(withValidKey.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const badAgain = await burst(2, ip, 'capgo_stolen_or_guessed');
    expect(badAgain.map((a) => a.status)).toEqual([429, 429]);
    const elsewhere = await burst(2, '198.18.0.3', t.key);
    expect(elsewhere.map((a) => a.status)).toEqual([200, 200]);
    console.log(
      `REPLICA FIGURES failed-auth ${JSON.stringify({ limit: FAILED_AUTH, sent: 40, answered401: unauthorized.length, ...tally(answers), validKeyAfterwards: withValidKey.map((a) => a.status) })}`,
    );
  });
});
