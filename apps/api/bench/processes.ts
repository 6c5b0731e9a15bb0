import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  /** Milliseconds from spawning the process to the first 200 from /readyz. */
  readyMs: number;
  /** CPU time the process had used by then: what start-up costs, whatever else the machine runs. */
  readyCpuMs: number;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Resident set size of a process in bytes (Linux), or undefined once it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ: the unit of utime and stime in /proc/<pid>/stat on Linux

/** CPU time (user + system) a process has used so far, in milliseconds (Linux), or undefined once it is gone. */
export function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) used so far by each process named `postgres…` on this machine (Linux), by pid: the
 * local database server's backends and helpers. Empty when the database runs elsewhere.
 */
export function databaseCpuByPid(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${entry}/comm`, 'utf8');
    } catch {
      continue; // The process ended meanwhile.
    }
    const ms = name.startsWith('postgres') ? cpuMsOf(Number(entry)) : undefined;
    if (ms !== undefined) byPid.set(Number(entry), ms);
  }
  return byPid;
}

/** Database CPU (ms) used since `before`, or undefined when no local database process was seen. Processes that ended meanwhile are not counted. */
export function databaseCpuMsSince(before: Map<number, number>): number | undefined {
  const after = databaseCpuByPid();
  if (after.size === 0) return undefined;
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

/** Samples a process's RSS every 100 ms until stopped; returns the largest value seen. */
export function watchRss(pid: number | undefined): () => number {
  let max = rssOf(pid) ?? 0;
  const timer = setInterval(() => {
    max = Math.max(max, rssOf(pid) ?? 0);
  }, 100);
  return () => {
    clearInterval(timer);
    return Math.max(max, rssOf(pid) ?? 0);
  };
}

async function answersReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/readyz`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Spawns `node <args>` in `cwd` and waits for /readyz to answer 200, polling every 5 ms. The
 * process is node itself (no pnpm or shell in between), as production runs it.
 */
export async function startServer(options: {
  name: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
}): Promise<Server> {
  const url = `http://127.0.0.1:${options.port}`;
  const started = performance.now();
  const env = { ...options.env, PORT: String(options.port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let ready = false;
  while (!ready) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}:\n${output}`);
    if (performance.now() - started > 60_000) throw new Error(`${options.name} not ready after 60 s:\n${output}`);
    ready = await answersReady(url);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const readyMs = performance.now() - started;
  const readyCpuMs = cpuMsOf(child.pid) ?? 0;

  return {
    name: options.name,
    url,
    child,
    readyMs,
    readyCpuMs,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) process.stderr.write(`${options.name} exited with ${code}:\n${output}\n`);
    },
  };
}
