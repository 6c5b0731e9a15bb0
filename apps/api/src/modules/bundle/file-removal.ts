import type { EntityManager } from '@mikro-orm/postgresql';
import type { BundleStorage } from '../../storage/storage.js';
import { completeRemoval, countFailedRemoval, findQueuedRemovals } from './bundle.repository.js';

/**
 * Removes files whose rows are already gone or deleted (queued in storage_removals in the same
 * transaction). A file that cannot be removed now stays queued; retention retries it. Returns the
 * keys still queued.
 */
export async function removeQueuedFiles(em: EntityManager, storage: BundleStorage, keys: string[]): Promise<string[]> {
  const left: string[] = [];
  for (const key of keys) {
    try {
      await storage.remove(key);
      await completeRemoval(em, key);
    } catch {
      left.push(key);
      await countFailedRemoval(em, key).catch(() => undefined);
    }
  }
  return left;
}

/** One pass over the queue (retention runs it): at most `limit` files. */
export async function drainRemovalQueue(em: EntityManager, storage: BundleStorage, limit = 1000) {
  const queued = await findQueuedRemovals(em, limit);
  const left = await removeQueuedFiles(
    em,
    storage,
    queued.map((removal) => removal.storageKey),
  );
  return { removed: queued.length - left.length, failed: left.length };
}
