import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Orm, openOrm } from '../../src/db/orm.js';
import { HOSTILE_BODIES } from '../fuzz/requests.js';
import { createTenant, type Tenant } from '../support/factories.js';
import { type SpawnedServer, spawnServer } from '../support/spawn-server.js';

/** Issue 9: 50 worst-case bodies at once must not keep /livez from answering within this. */
const LIVEZ_BOUND_MS = 500;
const CONCURRENT = 50;

let orm: Orm;
let server: SpawnedServer;
let tenant: Tenant;

beforeAll(async () => {
  if (inject('embedded')) throw new Error('The proof suite needs DATABASE_URL (a PostgreSQL server)');
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 1 });
  tenant = await createTenant(orm.em.fork() as EntityManager);
  server = await spawnServer({
    DATABASE_URL: inject('databaseUrl'),
    MIGRATE_ON_START: 'false',
    RATE_LIMIT_PER_MINUTE: '0',
  });
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGTERM');
  await orm?.close();
});

/** Every route that reads a JSON body, with the field its hostile body wraps. */
const TARGETS: [string, string, string][] = [
  ['POST', '/app', 'name'],
  ['PUT', '/app/com.cost.app', 'name'],
  ['POST', '/apikey', 'limited_to_orgs'],
  ['PUT', '/apikey/00000000-0000-4000-8000-000000000000', 'limited_to_apps'],
  ['POST', '/organization', 'name'],
  ['PUT', '/organization', 'name'],
  ['POST', '/organization/members', 'email'],
  ['POST', '/organization/members/accept', 'orgId'],
];

type Round = { method: string; path: string; body: string | undefined }[];

/** Sends each round's requests at once, round after round, while probing /livez every 20 ms. */
async function underLoad(rounds: Round[]) {
  const livezMs: number[] = [];
  const statuses: Record<number, number> = {};
  let probing = true;
  const probe = (async () => {
    while (probing) {
      const started = performance.now();
      const res = await fetch(`${server.baseUrl}/livez`);
      await res.arrayBuffer();
      livezMs.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const started = performance.now();
  for (const round of rounds) {
    const answers = await Promise.all(
      round.map(async ({ method, path, body }) => {
        const res = await fetch(`${server.baseUrl}${path}`, {
          method,
          headers: { authorization: tenant.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body,
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const totalMs = Math.round(performance.now() - started);
  probing = false;
  await probe;
  return {
    requests: rounds.length * CONCURRENT,
    totalMs,
    livezProbes: livezMs.length,
    livezWorstMs: Math.round(Math.max(...livezMs)),
    statuses,
  };
}

describe('the cost of one request is bounded', () => {
  it(`keeps /livez under ${LIVEZ_BOUND_MS} ms while ${CONCURRENT} worst-case bodies of each shape arrive at once`, async () => {
    // Built before the clock starts: building them here would stall this process's own probe.
    const rounds = HOSTILE_BODIES.map((build) =>
      Array.from({ length: CONCURRENT }, (_, i) => {
        const [method, path, key] = TARGETS[i % TARGETS.length] as [string, string, string];
        return { method, path, body: build(key) };
      }),
    );
    const ordinary = rounds.map(() =>
      Array.from({ length: CONCURRENT }, () => ({
        method: 'GET',
        path: '/app',
        body: undefined as string | undefined,
      })),
    );
    const valid = await underLoad(ordinary);
    const hostile = await underLoad(rounds);
    // The same number of ordinary requests first, for comparison: what the machine itself costs.
    console.log(
      `COST FIGURES ${JSON.stringify({ shapes: HOSTILE_BODIES.length, concurrent: CONCURRENT, hostile, ordinaryGetApp: valid })}`,
    );
    expect(Object.keys(hostile.statuses).every((status) => Number(status) < 500)).toBe(true);
    expect(server.child.exitCode).toBeNull();
    expect(hostile.livezWorstMs).toBeLessThan(LIVEZ_BOUND_MS);
  });
});
