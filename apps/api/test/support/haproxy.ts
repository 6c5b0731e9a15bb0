import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

/** The one HAProxy configuration, also mounted by compose.yaml. */
export const HAPROXY_CONFIG = fileURLToPath(new URL('../../../../deploy/haproxy.cfg', import.meta.url));

export interface Haproxy {
  url: string;
  /** Its stdout and stderr: server state changes and alerts. */
  output: string[];
  /** A server's status as HAProxy's runtime API says it (`UP`, `DOWN`, `UP 1/2`, `DOWN 1/2`…). */
  status: (server: string) => Promise<string>;
  /** Polls until `server` is `wanted`; resolves with the milliseconds waited, throws after `timeoutMs`. */
  waitFor: (server: string, wanted: 'UP' | 'DOWN', timeoutMs?: number) => Promise<number>;
  stop: () => Promise<void>;
}

/** Sends one command to HAProxy's runtime API and resolves with its whole answer. */
function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(socketPath, () => socket.end(`${command}\n`));
    socket.setTimeout(2_000, () => socket.destroy(new Error(`HAProxy runtime API: no answer to "${command}"`)));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/**
 * Starts HAProxy (`haproxy` on PATH; Debian's package) with `deploy/haproxy.cfg` in front of
 * `servers` (`api1`, `api2` → `127.0.0.1:<port>`), on a free loopback port, and resolves once its
 * runtime API answers.
 */
export async function startHaproxy(servers: { api1: string; api2: string }): Promise<Haproxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'apps-api-haproxy-'));
  const socketPath = path.join(dir, 'admin.sock');
  const output: string[] = [];
  let child: ChildProcess | undefined;
  let port = 0;
  // The free port may be taken by another process before HAProxy binds it: try again, a bounded number of times.
  for (let attempt = 1; attempt <= 3 && !child; attempt++) {
    port = await freePort();
    const candidate = spawn('haproxy', ['-db', '-f', HAPROXY_CONFIG], {
      env: {
        PATH: process.env.PATH ?? '',
        HAPROXY_BIND: `127.0.0.1:${port}`,
        HAPROXY_STATS_SOCKET: socketPath,
        API1_ADDR: servers.api1,
        API2_ADDR: servers.api2,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [candidate.stdout, candidate.stderr]) {
      stream?.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    }
    const exited = new Promise<string>((resolve) => {
      candidate.once('error', (error) => resolve(`cannot run haproxy (apt-get install haproxy): ${error.message}`));
      candidate.once('exit', (code) => resolve(`haproxy exited (${code})`));
    });
    let answering = false;
    for (let polls = 0; polls < 100 && !answering && candidate.exitCode === null; polls++) {
      answering = await runtimeCommand(socketPath, 'show info').then(
        (info) => info.includes('Name: HAProxy'),
        () => false,
      );
      if (!answering) await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    if (answering) child = candidate;
    else {
      candidate.kill('SIGKILL');
      const reason = await exited;
      if (attempt === 3 || reason.startsWith('cannot run')) {
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`HAProxy did not start: ${reason}\n${output.join('\n')}`);
      }
    }
  }
  const running = child as ChildProcess;
  const stopped = new Promise((resolve) => running.once('exit', resolve));

  const status = async (server: string) => {
    const csv = (await runtimeCommand(socketPath, 'show stat')).split('\n');
    const header = (csv[0] ?? '').replace(/^# /, '').split(',');
    const row = csv.map((line) => line.split(',')).find((cells) => cells[0] === 'replicas' && cells[1] === server);
    return row?.[header.indexOf('status')] ?? 'unknown';
  };

  return {
    url: `http://127.0.0.1:${port}`,
    output,
    status,
    waitFor: async (server, wanted, timeoutMs = 15_000) => {
      const started = Date.now();
      let last = '';
      while (Date.now() - started < timeoutMs) {
        last = await status(server);
        if (last === wanted) return Date.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`HAProxy: ${server} still "${last}", not ${wanted}, after ${timeoutMs} ms`);
    },
    stop: async () => {
      if (running.exitCode === null && running.signalCode === null) {
        running.kill('SIGTERM');
        const gone = await Promise.race([stopped.then(() => true), new Promise((r) => setTimeout(r, 5_000, false))]);
        if (!gone) {
          running.kill('SIGKILL');
          await stopped;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
