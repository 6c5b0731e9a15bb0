/**
 * The floor under every express route: CPU µs per request of the same constant JSON answer to
 * `GET /app/:app_id` from node's bare `http` server, from express 5 (one route), and from express
 * with ts-rest (the contract's app router). No database, no middleware of ours: what the framework
 * itself costs on this machine, against the budget `pnpm bench`'s 0.8 target leaves. A script that
 * prints numbers, not a test. Usage: `node --import tsx bench/framework-floor.ts [requests=30000] [rounds=3]`.
 */
import { createServer, type RequestListener } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { contract } from '@apps-api/contract';
import { createExpressEndpoints, initServer } from '@ts-rest/express';
import autocannon from 'autocannon';
import express from 'express';
import { cpuMsOf, freePort, type Server, startServer } from './processes.js';

const FRAMEWORKS = ['node:http', 'express', 'express + ts-rest'] as const;
type Framework = (typeof FRAMEWORKS)[number];

const body = {
  app_id: 'com.bench.app1',
  id: '0f9c6a55-9b7e-4f55-8f4e-3c0b8f1a2d11',
  name: 'Bench app 1',
  icon_url: '',
  owner_org: '6b2d9ad5-1c1e-4b8e-9a57-0b6a3b1f6a10',
  user_id: null,
  default_upload_channel: 'production',
  retention: 2_592_000,
  last_version: null,
  transfer_history: [],
  created_at: '2026-12-03T00:00:00.000Z',
  updated_at: '2026-12-03T00:00:00.000Z',
};

function listener(framework: Framework): RequestListener {
  if (framework === 'node:http') {
    return (req, res) => {
      if (req.url === '/readyz') return void res.end('ok');
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
  }
  const app = express();
  app.set('etag', false);
  app.get('/readyz', (_req, res) => void res.end('ok'));
  if (framework === 'express') app.get('/app/:app_id', (_req, res) => void res.json(body));
  else {
    const getApp = { getApp: contract.app.getApp };
    const routes = initServer().router(getApp, { getApp: async () => ({ status: 200 as const, body }) });
    createExpressEndpoints(getApp, routes, app, { logInitialization: false });
  }
  return app;
}

async function measure(server: Server, requests: number): Promise<number> {
  const before = cpuMsOf(server.child.pid) ?? 0;
  const result = await autocannon({ url: `${server.url}/app/com.bench.app1`, connections: 10, amount: requests });
  if (result.non2xx + result.errors > 0)
    throw new Error(`${server.name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return (((cpuMsOf(server.child.pid) ?? 0) - before) * 1000) / result.requests.total;
}

async function main(): Promise<void> {
  const serve = process.env.FRAMEWORK_FLOOR_SERVE as Framework | undefined;
  if (serve) {
    createServer(listener(serve)).listen(Number(process.env.PORT), '127.0.0.1');
    process.on('SIGTERM', () => process.exit(0));
    return;
  }
  const requests = Number(process.argv[2] ?? 30_000);
  const rounds = Number(process.argv[3] ?? 3);
  const self = fileURLToPath(import.meta.url);
  const servers: Server[] = [];
  try {
    for (const framework of FRAMEWORKS) {
      servers.push(
        await startServer({
          name: framework,
          args: ['--import', 'tsx', self],
          cwd: path.dirname(self),
          port: await freePort(),
          env: { ...process.env, NODE_ENV: 'production', FRAMEWORK_FLOOR_SERVE: framework },
        }),
      );
    }
    for (const server of servers) await measure(server, requests / 3);
    const micros = new Map<string, number[]>(servers.map((server) => [server.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        micros.get(server.name)?.push(await measure(server, requests));
      }
    }
    process.stdout.write(`CPU µs per request, median of ${rounds} rounds of ${requests} requests (10 connections):\n`);
    for (const [name, values] of micros) {
      const sorted = [...values].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
      process.stdout.write(
        `${median.toFixed(0).padStart(6)} µs  ${name}  [${values.map((v) => v.toFixed(0)).join(' ')}]\n`,
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
