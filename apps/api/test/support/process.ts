import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Launch, spawnServer } from './spawn-server.js';

export const API_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Environment for a child: ours minus the database and port settings, plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, PORT: _port, DATA_DIR: _dir, ...rest } = process.env;
  return { ...rest, LOG_LEVEL: 'info', ...env };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry of apps/api to completion. */
export function runEntry(entry: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: API_ROOT, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** Sends `signal` (to the process group when it has its own) and resolves with the exit code and the milliseconds it took. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; ms: number }>;
}

/** `spawnServer` with this file's environment (ours, minus the database and port settings) and a stop(). */
export async function startServer(
  env: Record<string, string>,
  entry?: string[],
  launch?: Launch,
): Promise<ServerProcess> {
  const server = await spawnServer(childEnv(env) as Record<string, string>, entry, launch);
  return {
    child: server.child,
    baseUrl: server.baseUrl,
    output: () => server.output.join('\n'),
    stop: async (signal = 'SIGTERM') => {
      const started = Date.now();
      // A process group is signalled whole, as a terminal's Ctrl-C or a supervisor's `kill -- -pgid` does.
      if (launch?.processGroup && server.child.pid) process.kill(-server.child.pid, signal);
      else server.child.kill(signal);
      const code = await server.exited;
      return { code: typeof code === 'number' ? code : null, ms: Date.now() - started };
    },
  };
}
