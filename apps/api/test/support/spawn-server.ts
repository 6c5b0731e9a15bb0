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
  /** Sends `signal` and resolves with the exit code (null for a signal) and the milliseconds it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * The one way tests start the real server: on an ephemeral port, resolving when it logs "ready":
 * `src/main.ts` through tsx, or what `entry` names (the production bundle). The child sees only
 * `env` (and PATH), never this process's database settings.
 */
export async function spawnServer(
  env: Record<string, string>,
  entry = ['--import', 'tsx', 'src/main.ts'],
): Promise<SpawnedServer> {
  const child = spawn(process.execPath, entry, {
    cwd: API_ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
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
    child.kill(signal);
    const code = await exited;
    return { code: typeof code === 'number' ? code : null, ms: Date.now() - started };
  };
  return { baseUrl, child, output, exited, stop };
}
