import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const API_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface SpawnedServer {
  baseUrl: string;
  child: ChildProcess;
  /** Every line the process wrote, stdout and stderr. */
  output: string[];
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends `signal` (to its process group when it has one) and resolves with the exit code (null for a signal) and the milliseconds it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export interface Launch {
  /** The program; node itself unless given (`pnpm` for `pnpm start`). */
  command?: string;
  cwd?: string;
  /** In a process group of its own (its pid is the group's id), to signal the whole group as a terminal would. */
  processGroup?: boolean;
}

/**
 * The one way tests start the real server: on an ephemeral port, resolving when it logs "ready":
 * `src/main.ts` through tsx, or what `entry` names (the production bundle; with `launch.command`,
 * that program's arguments). The child sees only `env` (and PATH), never this process's database settings.
 */
export async function spawnServer(
  env: Record<string, string>,
  entry = ['--import', 'tsx', 'src/main.ts'],
  launch: Launch = {},
): Promise<SpawnedServer> {
  const child = spawn(launch.command ?? process.execPath, entry, {
    cwd: launch.cwd ?? API_ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: launch.processGroup ?? false,
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    // The program could not be started at all (not installed, not on PATH): no 'exit' follows.
    child.once('error', (error) => resolve(`not started: ${error.message}`));
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded 2-core machine the embedded database alone can take many seconds to open.
    const timer = setTimeout(() => {
      // Not left running: it would hold its port and, on the embedded database, its data folder.
      child.kill('SIGKILL');
      reject(new Error(`server not ready in 90 s:\n${output.join('\n')}`));
    }, 90_000);
    const onLine = (line: string) => {
      output.push(line);
      const url = /"msg":"ready"/.test(line) ? /"url":"([^"]+)"/.exec(line)?.[1] : undefined;
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        lines.forEach(onLine);
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before ready:\n${output.join('\n')}`));
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const started = Date.now();
    // A process group is signalled whole, as a terminal's Ctrl-C or a supervisor's `kill -- -pgid` does.
    if (launch.processGroup && child.pid) process.kill(-child.pid, signal);
    else child.kill(signal);
    const code = await exited;
    return { code: typeof code === 'number' ? code : null, ms: Date.now() - started };
  };
  return { baseUrl, child, output, exited, stop };
}
