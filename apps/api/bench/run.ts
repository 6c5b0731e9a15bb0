/**
 * `pnpm bench`: the service against a bare node:http + pg baseline, on the local PostgreSQL.
 * A script that prints numbers, not a test. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuMsOf, freePort, rssOf, type Server, startServer, watchRss } from './processes.js';
import { type Measurement, type Report, loadNow, machineFacts, toMarkdown, toText } from './report.js';
import { type Dataset, createBenchDatabase, seed } from './seed.js';
import { type UpdatesDataset, assertSameUpdateAnswers, seedUpdates, updatesScenarios } from './updates.js';

const env = process.env;
const settings = {
  serverUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  connections: Number(env.BENCH_CONNECTIONS ?? 10),
  duration: Number(env.BENCH_DURATION ?? 10),
  warmup: Number(env.BENCH_WARMUP ?? 3),
  apps: Number(env.BENCH_APPS ?? 10_000),
  poolMax: Number(env.BENCH_POOL_MAX ?? 10),
  /** Named prepared statements for the two GET lookups, in both servers alike (the service's default). */
  prepared: env.BENCH_PREPARED !== 'false',
  /** Comma-separated scenario ids to run (default: all), e.g. `get,list-deep` while profiling. */
  only: env.BENCH_SCENARIOS?.split(',').map((id) => id.trim()),
  /** A folder: the service runs with --cpu-prof and writes its profile there on exit. */
  cpuProfileDir: env.BENCH_CPU_PROF,
};

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVICE_ARGS = ['dist/main.js'];
const BASELINE_ARGS = ['--import', 'tsx', 'bench/baseline-server.ts'];
/** The last full page, and the middle one: the deepest a page gets when either end of the list is near. */
const DEEP_PAGE = (apps: number) => Math.max(0, Math.floor(apps / 50) - 1);
const MIDDLE_PAGE = (apps: number) => Math.floor(apps / 100);

interface Scenario {
  id: string;
  name: string;
  request: (server: Server, data: Dataset) => autocannon.Request;
}

let updatesData: UpdatesDataset;

/** Numbers the apps POST /app creates, across warm-up and measured runs, so each app_id is new. */
let created = 0;
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;

const scenarios: Scenario[] = [
  {
    id: 'get',
    name: 'GET /app/:app_id',
    request: (_server, data) => ({
      method: 'GET',
      setupRequest: (req) => ({ ...req, path: `/app/${pick(data.sampleAppIds)}` }),
    }),
  },
  {
    id: 'list-first',
    name: 'GET /app?limit=50&page=0',
    request: () => ({ method: 'GET', path: '/app?limit=50&page=0' }),
  },
  {
    id: 'list-middle',
    name: `GET /app?limit=50&page=${MIDDLE_PAGE(settings.apps)}`,
    request: () => ({ method: 'GET', path: `/app?limit=50&page=${MIDDLE_PAGE(settings.apps)}` }),
  },
  {
    id: 'list-deep',
    name: `GET /app?limit=50&page=${DEEP_PAGE(settings.apps)}`,
    request: () => ({ method: 'GET', path: `/app?limit=50&page=${DEEP_PAGE(settings.apps)}` }),
  },
  {
    id: 'update',
    name: 'PUT /app/:app_id',
    request: (_server, data) => {
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
    request: (server, data) => ({
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

function load(server: Server, data: Dataset, scenario: Scenario, seconds: number) {
  return autocannon({
    url: server.url,
    connections: settings.connections,
    duration: seconds,
    headers: { authorization: `Bearer ${data.key}`, 'content-type': 'application/json' },
    requests: [scenario.request(server, data)],
  });
}

async function measure(server: Server, data: Dataset, scenario: Scenario): Promise<Measurement> {
  await load(server, data, scenario, settings.warmup);
  const loadBefore = Number(loadNow().split(' ')[0]);
  const stopWatching = watchRss(server.child.pid);
  const cpuBefore = cpuMsOf(server.child.pid) ?? 0;
  const result = await load(server, data, scenario, settings.duration);
  const cpuMs = (cpuMsOf(server.child.pid) ?? 0) - cpuBefore;
  return {
    id: scenario.id,
    scenario: scenario.name,
    server: server.name as Measurement['server'],
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
    maxRssBytes: stopWatching(),
    cpuMicrosPerRequest: result.requests.total > 0 ? (cpuMs * 1000) / result.requests.total : 0,
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
      for (const server of [baseline, service]) {
        const m = await measure(server, data, scenario);
        measurements.push(m);
        process.stdout.write(
          `${m.scenario.padEnd(28)} ${m.server.padEnd(8)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  errors ${m.errors}\n`,
        );
      }
    }

    const report: Report = {
      startedAt,
      command: 'pnpm bench',
      settings: `${settings.connections} connections, ${settings.warmup} s warm-up then ${settings.duration} s per server and scenario, DB pool ${settings.poolMax}, prepared statements ${settings.prepared ? 'on' : 'off'} in both; service: NODE_ENV=production LOG_LEVEL=warn \`node ${SERVICE_ARGS.join(' ')}\``,
      postgres: await postgresVersion(database.url),
      dataset: `1 org, 1 user (super_admin), ${data.appCount} apps, ${data.keyCount} keys; load uses one \`all\` key`,
      ready: { service: service.readyMs, baseline: baseline.readyMs },
      readyCpu: { service: service.readyCpuMs, baseline: baseline.readyCpuMs },
      idleRss,
      loadBefore,
      loadAfter: loadNow(),
      measurements,
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
