import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from './support/process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'apps-api-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** TCP ports the process listens on, read from /proc: its socket inodes matched against /proc/net/tcp*. */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // fields: sl local_address rem_address st … inode (10th); 0A = LISTEN
      if (fields[3] === '0A' && inodes.has(fields[9] ?? ''))
        ports.push(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

describe('the embedded database', () => {
  it('listens on a private Unix socket only, whose one connection the server keeps: no outsider can stall it', async () => {
    const server = await startServer({ DATA_DIR: dataDir });
    try {
      const pid = server.child.pid ?? 0;
      expect(listeningTcpPorts(pid)).toEqual([Number(new URL(server.baseUrl).port)]);

      const folder = path.join(dataDir, 'run');
      const socket = path.join(folder, '.s.PGSQL.5432');
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(statSync(socket).isSocket()).toBe(true);
      expect(statSync(socket).mode & 0o777).toBe(0o600);

      // Even this user, who may open the socket, cannot get a connection to hold with pg_sleep.
      const outsider = new pg.Client({
        host: folder,
        user: 'postgres',
        database: 'postgres',
        connectionTimeoutMillis: 5_000,
      });
      const refused = await outsider
        .connect()
        .then(() => outsider.query('select pg_sleep(20)'))
        .then(
          () => 'held',
          (error: Error) => error.message,
        );
      expect(refused).not.toBe('held');
      await outsider.end().catch(() => {});

      const started = Date.now();
      const res = await fetch(`${server.baseUrl}/app`, { headers: { authorization: 'capgo_unknown' } });
      expect(res.status).toBe(401);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await server.stop('SIGTERM');
    }
  }, 120_000);

  it('restarts at once after kill -9, even when the pid it last wrote now belongs to a live process', async () => {
    const first = await startServer({ DATA_DIR: dataDir });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    // What the old pid check trusted: a live pid in the lock file (here, this test's own).
    writeFileSync(path.join(dataDir, 'lock'), JSON.stringify({ pid: process.pid, owner: 'server' }));

    const second = await startServer({ DATA_DIR: dataDir });
    expect((await fetch(`${second.baseUrl}/readyz`)).status).toBe(200);
    expect((await second.stop('SIGTERM')).code).toBe(0);
  }, 120_000);
});
