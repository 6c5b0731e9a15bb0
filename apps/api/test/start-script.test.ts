import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import { API_ROOT } from './support/process.js';
import { spawnServer } from './support/spawn-server.js';

const REPO_ROOT = path.resolve(API_ROOT, '../..');

/** The pnpm running this test (`npm_execpath`), else the one on PATH: the README's `pnpm start` is run with it. */
const PNPM = path.basename(process.env.npm_execpath ?? '').startsWith('pnpm')
  ? String(process.env.npm_execpath)
  : 'pnpm';

/** True while any process of the group `pgid` is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('pnpm start', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'builds, serves, and exits 0 with nothing left behind when its process group gets %s',
    async (signal) => {
      const server = await spawnServer(
        {
          DATABASE_URL: inject('databaseUrl'),
          MIGRATE_ON_START: 'false',
          DB_POOL_MAX: '2',
          HOME: process.env.HOME ?? '',
          // turbo finds the package manager on PATH.
          PATH: [path.dirname(PNPM), process.env.PATH].join(path.delimiter),
        },
        ['start'],
        { command: PNPM, cwd: REPO_ROOT, processGroup: true },
      );
      const pgid = server.child.pid as number;
      expect((await fetch(`${server.baseUrl}/readyz`)).status).toBe(200);

      const stopped = await server.stop(signal);
      expect({ code: stopped.code, output: server.output.join('\n') }).toEqual({
        code: 0,
        output: expect.stringContaining('"msg":"stopped"'),
      });
      expect(server.output.join('\n')).not.toMatch(/ELIFECYCLE|Terminated/);
      expect(stopped.ms).toBeLessThan(10_000);
      // pnpm may report node's exit a moment before node's process is reaped: allow it 2 s to be gone.
      for (let waited = 0; groupAlive(pgid) && waited < 2_000; waited += 50) await sleep(50);
      expect(groupAlive(pgid)).toBe(false);
    },
    120_000,
  );
});
