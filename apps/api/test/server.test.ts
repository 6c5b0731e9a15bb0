import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ROOT, runEntry } from './support/process.js';
import { spawnServer } from './support/spawn-server.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'apps-api-server-'));
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

describe('the server process on the embedded database', () => {
  it('creates an admin key on the first start only, guards the data folder, and stops cleanly on SIGTERM', async () => {
    const first = await spawnServer({ DATA_DIR: dataDir });
    const key = first.output.join('\n').match(/capgo_[0-9A-Za-z]{40}/)?.[0];
    expect(key).toBeDefined();
    const orgId = first.output.join('\n').match(/organization "Default organization" \(([0-9a-f-]{36})\)/)?.[1];

    // The database listens on a private Unix socket only, and the server keeps its one connection:
    // no other account can reach it, and no other client (not even this user's) can hold it.
    expect(listeningTcpPorts(first.child.pid ?? 0)).toEqual([Number(new URL(first.baseUrl).port)]);
    const socketFolder = path.join(dataDir, 'run');
    const socket = path.join(socketFolder, '.s.PGSQL.5432');
    expect(statSync(socketFolder).mode & 0o777).toBe(0o700);
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const outsider = new pg.Client({ host: socketFolder, user: 'postgres', database: 'postgres' });
    const held = await outsider
      .connect()
      .then(() => outsider.query('select pg_sleep(20)'))
      .then(
        () => 'held',
        (error: Error) => error.message,
      );
    expect(held).not.toBe('held');
    await outsider.end().catch(() => {});
    const answeredIn = Date.now();
    expect((await fetch(`${first.baseUrl}/app`, { headers: { authorization: 'capgo_unknown' } })).status).toBe(401);
    expect(Date.now() - answeredIn).toBeLessThan(5_000);

    const created = await fetch(`${first.baseUrl}/app`, {
      method: 'POST',
      headers: { authorization: key ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Persisted', app_id: 'com.embedded.app', owner_org: orgId }),
    });
    expect(created.status).toBe(201);
    const wrongKey = 'capgo_WrongKeyThatMustNeverBeLogged000000000';
    for (const header of ['authorization', 'capgkey', 'x-api-key']) {
      expect((await fetch(`${first.baseUrl}/app`, { headers: { [header]: wrongKey } })).status).toBe(401);
    }
    // Access logs are on (LOG_LEVEL=info) yet neither key reaches them: the key appears once, in the banner.
    expect(first.output.join('\n').split(key ?? '').length - 1).toBe(1);
    expect(first.output.join('\n')).not.toContain(wrongKey);
    expect(first.output.join('\n')).toContain('"path":"/app","status":401');

    const busy = await runEntry('src/cli/admin.ts', ['revoke-key', '--id', '00000000-0000-4000-8000-000000000000'], {
      DATA_DIR: dataDir,
    });
    expect(busy.code).toBe(1);
    expect(busy.stdout).toBe('');
    expect(busy.stderr).toContain('is in use by the server');

    const stopped = await first.stop('SIGTERM');
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(10_000);

    const second = await spawnServer({ DATA_DIR: dataDir });
    expect(second.output.join('\n')).not.toMatch(/capgo_[0-9A-Za-z]{40}/);
    const fetched = await fetch(`${second.baseUrl}/app/com.embedded.app`, { headers: { 'x-api-key': key ?? '' } });
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as { name: string }).name).toBe('Persisted');
    expect((await second.stop('SIGINT')).code).toBe(0);
  }, 240_000);

  it('restarts at once after kill -9, even when the pid it last wrote now belongs to a live process', async () => {
    const crashed = await spawnServer({ DATA_DIR: dataDir });
    crashed.child.kill('SIGKILL');
    await new Promise((resolve) => crashed.child.once('exit', resolve));
    // What the old pid check trusted: a live pid in the lock file (here, this test's own).
    writeFileSync(path.join(dataDir, 'lock'), JSON.stringify({ pid: process.pid, owner: 'server' }));

    const restarted = await spawnServer({ DATA_DIR: dataDir });
    expect((await fetch(`${restarted.baseUrl}/readyz`)).status).toBe(200);
    expect((await restarted.stop('SIGTERM')).code).toBe(0);
  }, 240_000);

  it('runs the same from the production bundle (esbuild), docs page included', async () => {
    // Inside apps/api (under node_modules, which git ignores) so the bundle resolves its external packages.
    const cache = path.join(API_ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const outdir = mkdtempSync(path.join(cache, 'bundle-test-'));
    const bundleData = mkdtempSync(path.join(tmpdir(), 'apps-api-bundle-data-'));
    try {
      const built = await runEntry('scripts/build.mjs', [outdir], {});
      expect(built.code, built.stderr).toBe(0);
      const server = await spawnServer({ DATA_DIR: bundleData }, [path.join(outdir, 'main.js')]);
      expect(server.output.join('\n')).toMatch(/capgo_[0-9A-Za-z]{40}/);
      for (const [route, type] of [
        ['/readyz', 'application/json; charset=utf-8'],
        ['/openapi.json', 'application/json; charset=utf-8'],
        ['/docs', 'text/html; charset=utf-8'],
        ['/docs/assets/swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
      ]) {
        const res = await fetch(`${server.baseUrl}${route}`);
        expect(res.status, route).toBe(200);
        expect(res.headers.get('content-type'), route).toBe(type);
      }
      expect((await server.stop('SIGTERM')).code).toBe(0);

      // The bundled CLIs, as the container image runs them (no TypeScript there).
      const migrated = await runEntry(path.join(outdir, 'cli', 'migrate.js'), [], { DATA_DIR: bundleData });
      expect([migrated.code, migrated.stdout, migrated.stderr]).toEqual([0, '{"applied":[]}\n', '']);
      const bootstrapped = await runEntry(
        path.join(outdir, 'cli', 'admin.js'),
        ['bootstrap', '--email', 'ops@example.com', '--org', 'Bundle'],
        { DATA_DIR: bundleData },
      );
      expect(bootstrapped.code, bootstrapped.stderr).toBe(0);
      expect(Object.keys(JSON.parse(bootstrapped.stdout))).toEqual(['user_id', 'org_id', 'api_key']);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(bundleData, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a bad configuration, naming the variable', async () => {
    const result = await runEntry('src/main.ts', [], { PORT: 'eighty', MIGRATE_ON_START: 'maybe', DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT: must be a port number');
    expect(result.stderr).toContain('MIGRATE_ON_START: must be true or false');
  });
});
