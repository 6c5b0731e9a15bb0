/**
 * CPU µs per request of each piece of the service's request path, one at a time, on real node
 * `IncomingMessage`/`ServerResponse` objects without a socket or database: what each middleware
 * costs by itself, steadier than any req/s figure on a shared machine. A script that prints
 * numbers, not a test. Usage: `node --import tsx bench/middleware-cost.ts [iterations=50000]`.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { contract } from '@apps-api/contract';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { pino } from 'pino';
import { accessLog } from '../src/common/logger.js';
import { requestId } from '../src/common/request-id.js';
import helmet from 'helmet';
import { useJsonWriter } from '../src/common/json-response.js';
import { API_CSP, securityHeaders } from '../src/common/security.js';
import { ormConfig } from '../src/db/orm.js';
import { toAppBody } from '../src/modules/app/app.mapper.js';
import type { AppRecord } from '../src/modules/app/app.record.js';
import { MikroORM } from '@mikro-orm/postgresql';

const iterations = Number(process.argv[2] ?? 50_000);
const app = express();
/** The same app with the service's JSON writer (src/common/json-response.ts). */
const served = express();
useJsonWriter(served);

function exchange(on = app): { req: Request; res: Response } {
  const req = new IncomingMessage(new Socket()) as Request;
  req.method = 'GET';
  req.url = '/app/com.bench.app1';
  req.headers = { authorization: 'Bearer capgo_x', host: '127.0.0.1', 'user-agent': 'bench' };
  const res = new ServerResponse(req) as unknown as Response;
  Object.setPrototypeOf(req, on.request);
  Object.setPrototypeOf(res, on.response);
  (res as unknown as { req: Request }).req = req;
  (req as unknown as { res: Response }).res = res;
  (res as unknown as { app: unknown }).app = on;
  req.ctx = { requestId: 'bench' };
  return { req, res };
}

/** CPU µs per call of `work`, less the cost of making a fresh request/response pair. */
function cost(work: (req: Request, res: Response) => void, on = app): number {
  const run = (body: (req: Request, res: Response) => void) => {
    for (let i = 0; i < 2_000; i++) body(...(Object.values(exchange(on)) as [Request, Response]));
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) {
      const { req, res } = exchange(on);
      body(req, res);
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / iterations;
  };
  const control = run(() => {});
  return Math.max(0, run(work) - control);
}

const middleware = (handler: RequestHandler) => (req: Request, res: Response) => handler(req, res, () => {});

const sample: AppRecord = {
  id: '0f9c6a55-9b7e-4f55-8f4e-3c0b8f1a2d11',
  appId: 'com.bench.app1',
  appIdKey: 'com.bench.app1',
  name: 'Bench app 1',
  iconUrl: 'https://example.com/icon.png',
  ownerOrg: '6b2d9ad5-1c1e-4b8e-9a57-0b6a3b1f6a10',
  userId: '1b2d9ad5-1c1e-4b8e-9a57-0b6a3b1f6a10',
  defaultUploadChannel: 'production',
  retention: 2_592_000,
  lastVersion: null,
  transferHistory: [],
  createdAt: new Date(),
  updatedAt: new Date(),
} as unknown as AppRecord;

async function main(): Promise<void> {
  // helmet as it was mounted (one middleware per header), against the recorded list the service sets.
  const helmetHeaders = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: 'deny' },
  });
  const security = securityHeaders();
  const infoLogger = pino({ level: 'info', base: undefined }, pino.destination('/dev/null'));
  const warnLogger = pino({ level: 'warn', base: undefined }, pino.destination('/dev/null'));
  const params = contract.app.getApp.pathParams;
  // Never connects: forking only builds the per-request context.
  const orm = await MikroORM.init({
    ...ormConfig({ clientUrl: 'postgres://bench@127.0.0.1:1/none', poolMax: 1 }),
    connect: false,
  });

  const rows: [string, number][] = [
    ['helmet (12 headers, one middleware each; mounted until issue 15)', cost(middleware(helmetHeaders))],
    ['security headers: the recorded 13 from one middleware (served)', cost(middleware(security.middleware))],
    ['request id (header echo or randomUUID)', cost(middleware(requestId))],
    ['access log at warn (production: off)', cost(middleware(accessLog(warnLogger)))],
    [
      'access log at info (one JSON line per request)',
      cost((req, res) => {
        middleware(accessLog(infoLogger))(req, res);
        res.emit('finish');
      }),
    ],
    ['EntityManager fork per request', cost(() => orm.em.fork())],
    ['ts-rest/zod: path params of GET /app/:app_id', cost(() => params?.safeParse({ app_id: 'com.bench.app1' }))],
    ["mapper + express's res.json (until issue 15)", cost((_req, res) => res.status(200).json(toAppBody(sample)))],
    ["express's res.json alone (body built)", cost((_req, res) => res.status(200).json({ ok: true }))],
    ['mapper + the JSON writer (served)', cost((_req, res) => res.status(200).json(toAppBody(sample)), served)],
    ['the JSON writer alone (body built)', cost((_req, res) => res.status(200).json({ ok: true }), served)],
    [
      'node writeHead + end (what the baseline does)',
      cost((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ ok: true }));
      }),
    ],
    ['JSON.stringify of an app body', cost(() => JSON.stringify(toAppBody(sample)))],
  ];
  await orm.close();
  process.stdout.write(`CPU µs per request, ${iterations} iterations each (Node ${process.version}):\n`);
  for (const [name, micros] of rows) process.stdout.write(`${micros.toFixed(1).padStart(7)} µs  ${name}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
