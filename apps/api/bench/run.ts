/**
 * `pnpm bench`: the service against a bare node:http + pg baseline, on the local PostgreSQL.
 * A script that prints numbers, not a test. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import {
  cpuMsOf,
  databaseCpuByPid,
  databaseCpuMsSince,
  freePort,
  rssOf,
  type Server,
  startServer,
  watchRss,
} from './processes.js';
import { type Measurement, type Report, loadNow, machineFacts, toMarkdown, toText } from './report.js';
import { type Dataset, createBenchDatabase, seed } from './seed.js';
import { startStatementCounter } from './statement-counter.js';
import { type UpdatesDataset, assertSameUpdateAnswers, seedUpdates, updatesScenarios } from './updates.js';

const env = process.env;
const settings = {
  serverUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
  duration: Number(env.BENCH_DURATION ?? 5),
  warmup: Number(env.BENCH_WARMUP ?? 2),
  /** Measured runs per server and scenario, alternating which server goes first. */
  rounds: Math.max(1, Number(env.BENCH_ROUNDS ?? 5)),
  apps: Number(env.BENCH_APPS ?? 10_000),
  poolMax: Number(env.BENCH_POOL_MAX ?? 10),
  /** Named prepared statements for the two GET lookups, in both servers alike (the service's default). */
  prepared: env.BENCH_PREPARED !== 'false',
  /** Comma-separated scenario ids to run (default: all), e.g. `get,list-deep` while profiling. */
  only: env.BENCH_SCENARIOS?.split(',').map((id) => id.trim()),
  /** A folder: the service runs with --cpu-prof and writes its profile there on exit. */
  cpuProfileDir: env.BENCH_CPU_PROF,
  /** The service's entry point, relative to apps/api: another build can be measured against the same baseline. */
  serviceEntry: env.BENCH_SERVICE_ENTRY ?? 'dist/main.js',
  /** GET /app/:app_id sent through the statement-counting proxy (under the default per-key limit of 2000 a minute). */
  countedGets: Number(env.BENCH_COUNTED_GETS ?? 1500),
};

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICE_ARGS = [settings.serviceEntry];
const BASELINE_ARGS = ['--import', 'tsx', 'bench/baseline-server.ts'];
/** The last full page, and the middle one: the deepest a page gets when either end of the list is near. */
const DEEP_PAGE = (apps: number) => Math.max(0, Math.floor(apps / 50) - 1);
const MIDDLE_PAGE = (apps: number) => Math.floor(apps / 100);

/**
 * One measured request: what the service is sent and what the baseline is sent for the same work
 * (the service's request when `baseline` is omitted). Adding a scenario is adding one entry below.
 */
interface Scenario {
  id: string;
  name: string;
  /** Milliseconds to wait after the load before reading CPU times, so writes the service defers (device telemetry) count for this run. */
  settleMs?: number;
  service: (server: Server, data: Dataset) => autocannon.Request;
  baseline?: (server: Server, data: Dataset) => autocannon.Request;
}

let updatesData: UpdatesDataset;

/** Numbers the apps POST /app creates, across warm-up and measured runs, so each app_id is new. */
let created = 0;
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

const scenarios: Scenario[] = [
  {
    id: 'get',
    name: 'GET /app/:app_id',
    service: (_server, data) => ({
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/app/${pick(data.sampleAppIds)}` }),
    }),
  },
  {
    id: 'list-first',
    name: 'GET /app?limit=50&page=0',
    service: () => ({ method: 'GET', path: '/app?limit=50&page=0' }),
  },
  {
    id: 'list-middle',
    name: `GET /app?limit=50&page=${MIDDLE_PAGE(settings.apps)}`,
    service: () => ({ method: 'GET', path: `/app?limit=50&page=${MIDDLE_PAGE(settings.apps)}` }),
  },
  {
    id: 'list-deep',
    name: `GET /app?limit=50&page=${DEEP_PAGE(settings.apps)}`,
    service: () => ({ method: 'GET', path: `/app?limit=50&page=${DEEP_PAGE(settings.apps)}` }),
  },
  {
    id: 'update',
    name: 'PUT /app/:app_id',
    service: (_server, data) => {
      let n = 0;
      return {
        method: 'PUT',
        setupRequest: (req) => ({
          ...req,
          path: `/app/${pick(data.sampleAppIds)}`,
          body: JSON.stringify({ name: `Renamed ${++n}`, retention: 86_400 }),
        }),
      };
    },
  },
  ...updatesScenarios(() => updatesData),
  {
    // Last, because it adds apps to the org the list scenarios read.
    id: 'create',
    name: 'POST /app',
    service: (server, data) => ({
      method: 'POST',
      path: '/app',
      setupRequest: (req) => {
        const n = ++created;
        return {
          ...req,
          body: JSON.stringify({ app_id: `com.bench.${server.name}.n${n}`, name: `New ${n}`, owner_org: data.orgId }),
        };
      },
    }),
  },
];

function load(server: Server, data: Dataset, scenario: Scenario, run: { seconds?: number; amount?: number }) {
  const request = server.name === 'baseline' && scenario.baseline ? scenario.baseline : scenario.service;
  return autocannon({
    url: server.url,
    connections: settings.connections,
    ...(run.amount ? { amount: run.amount } : { duration: run.seconds }),
    headers: { authorization: `Bearer ${data.key}`, 'content-type': 'application/json' },
    requests: [request(server, data)],
  });
}

async function measure(server: Server, data: Dataset, scenario: Scenario, round: number): Promise<Measurement> {
  const loadBefore = Number(loadNow().split(' ')[0]);
  const stopWatching = watchRss(server.child.pid);
  const cpuBefore = cpuMsOf(server.child.pid) ?? 0;
  const databaseBefore = databaseCpuByPid();
  const result = await load(server, data, scenario, { seconds: settings.duration });
  if (scenario.settleMs) await new Promise((resolve) => setTimeout(resolve, scenario.settleMs));
  const cpuMs = (cpuMsOf(server.child.pid) ?? 0) - cpuBefore;
  const databaseMs = databaseCpuMsSince(databaseBefore);
  const perRequest = (ms: number) => (result.requests.total > 0 ? (ms * 1000) / result.requests.total : 0);
  return {
    id: scenario.id,
    scenario: scenario.name,
    round,
    server: server.name as Measurement['server'],
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
    maxRssBytes: stopWatching(),
    cpuMicrosPerRequest: perRequest(cpuMs),
    databaseCpuMicrosPerRequest: databaseMs === undefined ? undefined : perRequest(databaseMs),
    load: loadBefore,
  };
}

/** Both servers must answer the same JSON, or the comparison means nothing. */
async function assertSameAnswers(servers: Server[], data: Dataset): Promise<void> {
  for (const target of [
    `/app/${data.sampleAppIds[0]}`,
    '/app?limit=50&page=0',
    `/app?limit=50&page=${MIDDLE_PAGE(data.appCount)}`,
    `/app?limit=50&page=${DEEP_PAGE(data.appCount)}`,
    `/app?limit=50&page=${DEEP_PAGE(data.appCount) + 1}`,
  ]) {
    const bodies = await Promise.all(
      servers.map(async (server) => {
        const res = await fetch(server.url + target, { headers: { authorization: data.key } });
        return `${res.status} ${await res.text()}`;
      }),
    );
    if (new Set(bodies).size !== 1)
      throw new Error(`service and baseline disagree on GET ${target}:\n${bodies.join('\n')}`);
  }
}

async function postgresVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('show server_version');
    return `PostgreSQL ${rows[0].server_version} (local)`;
  } finally {
    await client.end();
  }
}

/**
 * GET /app/:app_id sent to a fresh service whose database connections go through a counting proxy,
 * with the default rate limits: the statements (and writes) the database runs per request, counted
 * from the service being ready until its background writes are due.
 */
async function countStatements(databaseUrl: string, data: Dataset): Promise<Report['statements']> {
  // The measured runs leased far past the default limits: start these windows afresh.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('delete from rate_limit_hits').finally(() => client.end());
  const counter = await startStatementCounter(databaseUrl);
  const service = await startServer({
    name: 'service',
    args: SERVICE_ARGS,
    cwd: apiDir,
    port: await freePort(),
    env: {
      ...env,
      DATABASE_URL: counter.url,
      DB_POOL_MAX: String(settings.poolMax),
      DB_PREPARED_STATEMENTS: String(settings.prepared),
      MIGRATE_ON_START: 'false',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const get = scenarios.find((s) => s.id === 'get') as Scenario;
    const before = counter.counts();
    const result = await load(service, data, get, { amount: settings.countedGets });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`counted GETs failed: ${result.non2xx} non-2xx, ${result.errors} errors`);
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // last_used_at is written within 2 s
    const after = counter.counts();
    const requests = result.requests.total;
    return {
      requests,
      perRequest: (after.statements - before.statements) / requests,
      writesPerRequest: (after.writes - before.writes) / requests,
    };
  } finally {
    await service.stop();
    await counter.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadBefore = loadNow();
  process.stdout.write(`machine: ${machineFacts()}; load ${loadBefore}\n`);
  const database = await createBenchDatabase(settings.serverUrl);
  const servers: Server[] = [];
  try {
    const data = await seed(database.url, { appCount: settings.apps, keyCount: 5 });
    updatesData = await seedUpdates(database.url, data.orgId, data.userId);
    process.stdout.write(`seeded ${data.appCount} apps and ${data.keyCount} keys in ${database.url}\n`);

    const common = {
      ...env,
      DATABASE_URL: database.url,
      DB_POOL_MAX: String(settings.poolMax),
      DB_PREPARED_STATEMENTS: String(settings.prepared),
    };
    const service = await startServer({
      name: 'service',
      args: [
        ...(settings.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${settings.cpuProfileDir}`] : []),
        ...SERVICE_ARGS,
      ],
      cwd: apiDir,
      port: await freePort(),
      env: {
        ...common,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        // Keeps the per-key rate limit on (its cost is part of every request) but out of reach.
        RATE_LIMIT_PER_MINUTE: '1000000000',
      },
    });
    servers.push(service);
    const baseline = await startServer({
      name: 'baseline',
      args: BASELINE_ARGS,
      cwd: apiDir,
      port: await freePort(),
      env: common,
    });
    servers.push(baseline);
    const idleRss = { service: rssOf(service.child.pid) ?? 0, baseline: rssOf(baseline.child.pid) ?? 0 };
    await assertSameAnswers([service, baseline], data);
    await assertSameUpdateAnswers([service.url, baseline.url], updatesData);

    const measurements: Measurement[] = [];
    for (const scenario of scenarios.filter((s) => !settings.only || settings.only.includes(s.id))) {
      for (const server of [baseline, service]) await load(server, data, scenario, { seconds: settings.warmup });
      // Alternating which server goes first spreads a change in the machine's load over both.
      for (let round = 0; round < settings.rounds; round++) {
        for (const server of round % 2 === 0 ? [baseline, service] : [service, baseline]) {
          const m = await measure(server, data, scenario, round);
          measurements.push(m);
          process.stdout.write(
            `${m.scenario.padEnd(28)} round ${round + 1} ${m.server.padEnd(8)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  ${m.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs CPU/req  ${m.databaseCpuMicrosPerRequest?.toFixed(0) ?? '–'} µs DB CPU/req  p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}  load ${m.load}\n`,
          );
        }
      }
    }
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    const statements = await countStatements(database.url, data);
    process.stdout.write(
      `database statements per GET /app/:app_id: ${statements.perRequest.toFixed(3)} (writes ${statements.writesPerRequest.toFixed(3)}) over ${statements.requests} requests\n`,
    );

    const report: Report = {
      startedAt,
      command: 'pnpm bench',
      settings: `${settings.connections} connections; per scenario ${settings.warmup} s warm-up of each server, then ${settings.rounds} rounds of ${settings.duration} s per server, alternating which goes first; DB pool ${settings.poolMax}, prepared statements ${settings.prepared ? 'on' : 'off'} in both; service: NODE_ENV=production LOG_LEVEL=warn \`node ${SERVICE_ARGS.join(' ')}\``,
      postgres: await postgresVersion(database.url),
      dataset: `1 org, 1 user (super_admin), ${data.appCount} apps, ${data.keyCount} keys; load uses one \`all\` key`,
      ready: { service: service.readyMs, baseline: baseline.readyMs },
      readyCpu: { service: service.readyCpuMs, baseline: baseline.readyCpuMs },
      idleRss,
      loadBefore,
      loadAfter: loadNow(),
      measurements,
      statements,
    };
    process.stdout.write(`\n${toText(report)}\n`);
    const resultsDir = path.join(apiDir, 'bench');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'RESULTS.md'), toMarkdown(report));
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), path.join(resultsDir, 'RESULTS.md'))}\n`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
