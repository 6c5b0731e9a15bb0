import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export class EmbeddedDatabaseBusyError extends Error {}

export interface EmbeddedDatabase {
  url: string;
  /** The Unix socket the database listens on (0600, in a 0700 folder). */
  socketPath: string;
  stop(): Promise<void>;
}

/** Longest socket path every platform accepts (sun_path is 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH = 100;
const SOCKET_NAME = '.s.PGSQL.5432';

function listen(server: Server, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether a process listens on the socket file: a file nobody listens on is left over from a crash. */
function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * One process at a time may open the embedded database: PGlite has no locking of its own and two
 * writers would corrupt the folder. The lock is a listening socket, which the kernel releases
 * with the process however it ends (kill -9 included), so there is no stale lock and no pid to
 * trust. On Linux it is an abstract socket named after the folder: binding it is atomic. Elsewhere
 * it is a socket file in the folder, taken over when nobody listens on it.
 */
async function acquireLock(dataDir: string, owner: string): Promise<() => Promise<void>> {
  const folder = realpathSync(dataDir);
  const infoPath = path.join(folder, 'lock');
  const lock = createServer();
  lock.unref();
  const busy = () => {
    const holder = readHolder(infoPath);
    const who = holder ? `the ${holder.owner} (pid ${holder.pid})` : 'another process';
    return new EmbeddedDatabaseBusyError(
      `The embedded database in ${folder} is in use by ${who}. ` +
        'Stop it first, or point both at a PostgreSQL server with DATABASE_URL.',
    );
  };
  try {
    if (process.platform === 'linux') {
      await listen(lock, `\0apps-api-embedded-${createHash('sha256').update(folder).digest('hex')}`);
    } else {
      const socketPath = path.join(folder, 'lock.sock');
      try {
        await listen(lock, socketPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || (await isListening(socketPath))) throw error;
        rmSync(socketPath, { force: true });
        await listen(lock, socketPath);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw busy();
    throw error;
  }
  // Who holds it, for the message above only: the lock itself is the socket.
  writeFileSync(infoPath, JSON.stringify({ pid: process.pid, owner }));
  return async () => {
    rmSync(infoPath, { force: true });
    await new Promise<void>((resolve) => lock.close(() => resolve()));
  };
}

function readHolder(infoPath: string): { pid: number; owner: string } | undefined {
  try {
    return JSON.parse(readFileSync(infoPath, 'utf8')) as { pid: number; owner: string };
  } catch {
    return undefined;
  }
}

/**
 * A folder only this user can enter, for the database's socket: `<dataDir>/run` when the path is
 * short enough for a socket, else a new folder in the system's temporary directory.
 */
function privateSocketFolder(dataDir: string | undefined): { folder: string; temporary: boolean } {
  if (dataDir) {
    const folder = path.join(realpathSync(dataDir), 'run');
    if (path.join(folder, SOCKET_NAME).length <= MAX_SOCKET_PATH) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
      chmodSync(folder, 0o700);
      // We hold the lock: a socket file left here is from a process that is gone.
      rmSync(path.join(folder, SOCKET_NAME), { force: true });
      return { folder, temporary: false };
    }
  }
  return { folder: mkdtempSync(path.join(tmpdir(), 'apps-api-pg-')), temporary: true };
}

/**
 * Starts PGlite on `dataDir` (or in memory) behind a PostgreSQL Unix socket that only this user
 * can reach (0600 in a 0700 folder; no TCP port), so the ordinary MikroORM postgres driver talks
 * to it and no other account on the machine can. With one connection allowed (the default), the
 * server's pool holds it for good, so nothing else can connect and stall its queries.
 */
export async function startEmbeddedDatabase(options: {
  dataDir?: string;
  owner: string;
  maxConnections?: number;
}): Promise<EmbeddedDatabase> {
  let releaseLock = async () => {};
  let dataDirPath: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    releaseLock = await acquireLock(options.dataDir, options.owner);
    dataDirPath = path.join(options.dataDir, 'pgdata');
  }
  const socket = privateSocketFolder(options.dataDir);
  const socketPath = path.join(socket.folder, SOCKET_NAME);
  const removeSocketFolder = () => {
    if (socket.temporary) rmSync(socket.folder, { recursive: true, force: true });
  };
  try {
    const db = await PGlite.create(dataDirPath ? { dataDir: dataDirPath } : {});
    const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: options.maxConnections ?? 1 });
    await server.start();
    chmodSync(socketPath, 0o600);
    return {
      // pg reads a host that starts with "/" as the folder of a Unix socket named .s.PGSQL.<port>.
      url: `postgres://postgres@${encodeURIComponent(socket.folder)}:5432/postgres`,
      socketPath,
      async stop() {
        await server.stop();
        await db.close();
        removeSocketFolder();
        await releaseLock();
      },
    };
  } catch (error) {
    removeSocketFolder();
    await releaseLock();
    throw error;
  }
}
