import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../common/logger.js';
import type { Orm } from '../db/orm.js';
import { queryRows } from '../db/raw.js';
import { queueRemovals } from '../modules/bundle/bundle.repository.js';
import { drainRemovalQueue } from '../modules/bundle/file-removal.js';
import type { BundleStorage } from '../storage/storage.js';

/** The advisory lock id of the retention run ('retentio' in ASCII): one replica at a time. */
export const RETENTION_LOCK = 0x726574656e74696fn;

export interface RetentionResult {
  /** False when another replica was running it. */
  ran: boolean;
  bundlesDeleted: number;
  filesRemoved: number;
  filesFailed: number;
}

/**
 * One retention run (SPEC-live-updates §3): under a transaction-scoped advisory lock, marks deleted
 * every live bundle older than its app's `retention` seconds that no channel points at, queues its
 * file and moves `last_version`; once that is committed, removes the queued files (including those
 * whose removal failed before). A crash between the two leaves files queued, never a row pointing
 * at a missing file.
 */
export async function runRetention(em: EntityManager, storage: BundleStorage): Promise<RetentionResult> {
  const marked = await em.transactional(async (tx) => {
    const txEm = tx as EntityManager;
    const [lock] = await txEm.execute<{ locked: boolean }[]>('select pg_try_advisory_xact_lock(?) as locked', [
      RETENTION_LOCK.toString(),
    ]);
    if (!lock?.locked) return undefined;
    const expired = await txEm.execute<{ app: string; storage_key: string | null }[]>(
      `update bundles b set deleted_at = now(), updated_at = now()
       from apps a
       where b.app = a.id and b.deleted_at is null
         and b.created_at < now() - a.retention * interval '1 second'
         and not exists (select 1 from channels c where c.version = b.id)
       returning b.app, b.storage_key`,
    );
    await queueRemovals(
      txEm,
      expired.flatMap((row) => (row.storage_key ? [row.storage_key] : [])),
    );
    const apps = [...new Set(expired.map((row) => row.app))];
    if (apps.length > 0) {
      await queryRows(
        txEm,
        `update apps set last_version = (
           select b.name from bundles b where b.app = apps.id and b.deleted_at is null
           order by b.created_at desc, b.id desc limit 1)
         where id = any($1::uuid[])`,
        [apps],
      );
    }
    return expired.length;
  });
  if (marked === undefined) return { ran: false, bundlesDeleted: 0, filesRemoved: 0, filesFailed: 0 };
  const files = await drainRemovalQueue(em, storage);
  return { ran: true, bundlesDeleted: marked, filesRemoved: files.removed, filesFailed: files.failed };
}

export interface RetentionJob {
  stop(): Promise<void>;
}

/** Runs retention every `intervalSeconds` (0 = never) until stopped; a run in progress is awaited by stop. */
export function startRetention(options: {
  orm: Orm;
  storage: BundleStorage;
  intervalSeconds: number;
  logger: Logger;
}): RetentionJob {
  const { orm, storage, intervalSeconds, logger } = options;
  if (intervalSeconds === 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runRetention(orm.em.fork() as EntityManager, storage)
      .then((result) => {
        if (result.bundlesDeleted > 0 || result.filesRemoved > 0 || result.filesFailed > 0) {
          logger.info({ retention: result }, 'retention run');
        }
      })
      .catch((error: unknown) => logger.warn({ err: error }, 'retention run failed; retried next time'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
