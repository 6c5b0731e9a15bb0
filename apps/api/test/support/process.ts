import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
  /** Sends `signal` and resolves with the exit code and the milliseconds it took. */
  stop: (signal?: NodeJS.Signals) => Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts the server on an ephemeral port and waits for its "ready" log line: `src/main.ts` through
 * tsx, or the production bundle when `entry` names it.
 */
export function startServer(
  env: Record<string, string>,
  entry = ['--import', 'tsx', 'src/main.ts'],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, entry, {
    cwd: API_ROOT,
    env: childEnv({ PORT: '0', ...env }),
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const ready = output.match(/"url":"(http:\/\/[^"]+)"[^\n]*"msg":"ready"/);
      if (!ready) return;
      clearTimeout(timer);
      resolve({
        child,
        baseUrl: ready[1] ?? '',
        output: () => output,
        stop: (signal = 'SIGTERM') =>
          new Promise((done) => {
            const started = Date.now();
            child.once('exit', (code) => done({ code, ms: Date.now() - started }));
            child.kill(signal);
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}
