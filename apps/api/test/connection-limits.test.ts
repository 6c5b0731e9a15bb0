import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createHttpServer, SERVER_TIMEOUTS } from '../src/common/http-server.js';
import { createLogger } from '../src/common/logger.js';
import { type Orm, openOrm } from '../src/db/orm.js';
import { createTenant } from './support/factories.js';

const PER_ADDRESS = 100;
const IN_ALL = 3_500;

let server: Server;
let port: number;
let orm: Orm;
const held: Socket[] = [];

beforeAll(async () => {
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 2 });
  const app = buildApp({
    runtime: { state: 'ready', orm },
    logger: createLogger('silent'),
    settings: { RATE_LIMIT_FAILED_AUTH: 0 },
  });
  // Header timeouts long enough that no stalled connection is cut while a loaded machine opens them all.
  const patient = { ...SERVER_TIMEOUTS, headersTimeout: 120_000, requestTimeout: 120_000 };
  server = createHttpServer(app, patient, { maxConnections: IN_ALL, maxConnectionsPerAddress: PER_ADDRESS });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  await orm.close();
});

/** `count` connections from `localAddress` that send half a request line and stall; resolves once all are open. */
async function halfOpen(localAddress: string, count: number): Promise<void> {
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
            socket.write('GET /app HTTP/1.1\r\nHost: x\r\n');
            resolve();
          });
          socket.on('error', () => resolve());
          held.push(socket);
        }),
    ),
  );
}

const countOf = (target: Server) =>
  new Promise<number>((resolve, reject) => target.getConnections((e, n) => (e ? reject(e) : resolve(n))));

/**
 * The server's count of open connections once it has accepted what the kernel queued: waits for
 * `expected` (up to 20 s on a loaded machine), then a little longer, so a count past it shows.
 */
async function settledCount(target: Server, expected: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  while ((await countOf(target)) < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  return countOf(target);
}

describe('connection caps', () => {
  it('keeps answering valid requests while thousands of half-sent requests are open', async () => {
    const t = await createTenant(orm.em.fork());
    // 30 addresses × 100 stalled connections each, then 2,000 more from one of them.
    for (let host = 2; host < 32; host++) await halfOpen(`127.0.0.${host}`, PER_ADDRESS);
    await halfOpen('127.0.0.2', 2_000);
    expect(held.length).toBe(5_000);
    // The 2,000 over one address's share were closed at once; 3,000 remain, under the total cap.
    expect(await settledCount(server, 3_000)).toBe(3_000);

    const started = Date.now();
    const live = await fetch(`http://127.0.0.1:${port}/livez`);
    expect(live.status).toBe(200);
    const apps = await fetch(`http://127.0.0.1:${port}/app`, { headers: { authorization: t.key } });
    expect(apps.status).toBe(200);
    console.log(
      `FIGURES ${JSON.stringify({ halfOpen: 3_000, refused: 2_000, validRequestsMs: Date.now() - started })}`,
    );
  }, 60_000);

  it('closes connections past the total cap as they arrive', async () => {
    const small = createHttpServer((_req, res) => res.end(), SERVER_TIMEOUTS, {
      maxConnections: 50,
      maxConnectionsPerAddress: 1_000,
    });
    small.listen(0, '127.0.0.1');
    await new Promise((resolve) => small.once('listening', resolve));
    const sockets = Array.from({ length: 80 }, () => {
      const socket = connect((small.address() as AddressInfo).port, '127.0.0.1');
      socket.on('error', () => {});
      return socket;
    });
    expect(await settledCount(small, 50)).toBe(50);
    for (const socket of sockets) socket.destroy();
    small.closeAllConnections();
    await new Promise((resolve) => small.close(resolve));
  });
});
