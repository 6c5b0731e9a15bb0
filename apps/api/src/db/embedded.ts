import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export class EmbeddedDatabaseBusyError extends Error {}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One process at a time may open the embedded database: PGlite has no locking of its own and two
 * writers would corrupt the folder. A lock file holds the owner's pid; a lock whose owner is gone
 * is taken over.
 */
function acquireLock(dataDir: string, owner: string): () => void {
  const lockPath = path.join(dataDir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, owner }));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(lockPath);
      if (holder && isAlive(holder.pid)) {
        throw new EmbeddedDatabaseBusyError(
          `The embedded database in ${path.resolve(dataDir)} is in use by the ${holder.owner} (pid ${holder.pid}). ` +
            'Stop it first, or point both at a PostgreSQL server with DATABASE_URL.',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new EmbeddedDatabaseBusyError(`Could not lock the embedded database in ${path.resolve(dataDir)}`);
}

function readLock(lockPath: string): { pid: number; owner: string } | undefined {
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; owner: string };
  } catch {
    return undefined;
  }
}

/**
 * Starts PGlite on `dataDir` (or in memory) behind a loopback PostgreSQL socket, so the ordinary
 * MikroORM postgres driver talks to it. Clients of one process must use a pool of one connection.
 */
export async function startEmbeddedDatabase(options: {
  dataDir?: string;
  owner: string;
  maxConnections?: number;
}): Promise<EmbeddedDatabase> {
  let releaseLock = () => {};
  let dataDirPath: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    releaseLock = acquireLock(options.dataDir, options.owner);
    dataDirPath = path.join(options.dataDir, 'pgdata');
  }
  try {
    const db = await PGlite.create(dataDirPath ? { dataDir: dataDirPath } : {});
    const server = new PGLiteSocketServer({
      db,
      host: '127.0.0.1',
      port: 0,
      maxConnections: options.maxConnections ?? 1,
    });
    await server.start();
    return {
      url: `postgres://postgres@${server.getServerConn()}/postgres`,
      async stop() {
        await server.stop();
        await db.close();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
