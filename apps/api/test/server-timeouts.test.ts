import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createHttpServer } from '../src/common/http-server.js';
import { createLogger } from '../src/common/logger.js';
import { type Orm, openOrm } from '../src/db/orm.js';
import { createTenant } from './support/factories.js';

let server: Server;
let port: number;
let orm: Orm;

beforeAll(async () => {
  orm = await openOrm({ clientUrl: inject('databaseUrl'), poolMax: 1 });
  const app = buildApp({ runtime: { state: 'ready', orm }, logger: createLogger('silent') });
  server = createHttpServer(app, { headersTimeout: 500, requestTimeout: 1_000, keepAliveTimeout: 500 });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await orm.close();
});

/** Sends `data` and never finishes the request; resolves with what the server sent before closing. */
function sendAndStall(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error('the server kept a stalled connection open'));
    });
  });
}

describe('server timeouts', () => {
  it('cut off a client that never finishes its headers with 408', async () => {
    const answer = await sendAndStall('GET /livez HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('cut off a client that never finishes its body with 408', async () => {
    const t = await createTenant(orm.em.fork() as EntityManager);
    const answer = await sendAndStall(
      `POST /app HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${t.key}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('close an idle keep-alive connection', async () => {
    const answer = await sendAndStall('GET /livez HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nKeep-Alive: timeout=0\r\n|\r\nConnection: keep-alive\r\n/i);
  });
});
