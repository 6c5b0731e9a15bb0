import type { EntityManager } from '@mikro-orm/postgresql';
import { runSql } from '../../db/sql.js';
import { Bundle, StorageRemoval } from './bundle.entity.js';

export function findLiveBundle(em: EntityManager, app: string, name: string): Promise<Bundle | null> {
  return em.findOne(Bundle, { app, name, deletedAt: null });
}

/** A page of live bundles, newest first, and how many there are. */
export function findLiveBundlePage(
  em: EntityManager,
  app: string,
  query: { offset: number; limit: number; name?: string },
): Promise<[Bundle[], number]> {
  return em.findAndCount(
    Bundle,
    { app, deletedAt: null, ...(query.name === undefined ? {} : { name: query.name }) },
    { orderBy: { createdAt: 'desc', id: 'desc' }, offset: query.offset, limit: query.limit },
  );
}

/**
 * Holds the app's row until the transaction ends, so that bundle changes of one app (and the
 * `last_version` they move) happen one after the other. `for no key update`, the lock an update of
 * the row takes: it does not make the device telemetry writer wait, which only locks the app
 * `for key share` (stats.writer.ts); deleting the app still waits.
 */
export async function lockApp(em: EntityManager, app: string): Promise<boolean> {
  const rows = await runSql<{ id: string }>(em, 'select id from apps where id = $1 for no key update', [app]);
  return rows.length > 0;
}

/** `apps.last_version` = the name of the app's newest live bundle, or null (SPEC-live-updates §1). */
export async function refreshLastVersion(em: EntityManager, app: string): Promise<void> {
  await runSql(
    em,
    `update apps set last_version = (
       select b.name from bundles b where b.app = apps.id and b.deleted_at is null
       order by b.created_at desc, b.id desc limit 1)
     where id = $1`,
    [app],
  );
}

/** Queues stored files for removal, in the caller's transaction. */
export async function queueRemovals(em: EntityManager, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await runSql(
    em,
    `insert into storage_removals (storage_key, attempts, created_at)
     select key, 0, now() from unnest($1::varchar[]) as key on conflict do nothing`,
    [keys],
  );
}

/** The queued removals, oldest first. */
export function findQueuedRemovals(em: EntityManager, limit: number): Promise<StorageRemoval[]> {
  return em.find(StorageRemoval, {}, { orderBy: { createdAt: 'asc', storageKey: 'asc' }, limit });
}

/** The file is gone: forget the removal and the key of the deleted bundle that had it. */
export async function completeRemoval(em: EntityManager, key: string): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.nativeDelete(StorageRemoval, { storageKey: key });
    await tx.nativeUpdate(Bundle, { storageKey: key, deletedAt: { $ne: null } }, { storageKey: null });
  });
}

export async function countFailedRemoval(em: EntityManager, key: string): Promise<void> {
  await runSql(em, 'update storage_removals set attempts = attempts + 1 where storage_key = $1', [key]);
}

/** Stored files of an app, live and deleted, whose removal is not yet done. */
export async function storageKeysOfApp(em: EntityManager, app: string): Promise<string[]> {
  const bundles = await em.find(Bundle, { app, storageKey: { $ne: null } }, { fields: ['storageKey'] });
  return bundles.map((bundle) => bundle.storageKey as string);
}
