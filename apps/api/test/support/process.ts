import { spawn } from 'node:child_process';
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
