import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openStorage } from '../../src/storage/index.js';
import type { BundleStorage } from '../../src/storage/storage.js';

export interface TestStorage {
  storage: BundleStorage;
  close(): Promise<void>;
}

/**
 * The storage of one test file: a fresh folder, or (under `pnpm test:s3`) a fresh prefix of the
 * S3Proxy bucket, opened exactly as the server opens its own.
 */
export async function openTestStorage(em: EntityManager, publicUrl: string): Promise<TestStorage> {
  const s3Env = inject('s3Env');
  if (s3Env) {
    const config = loadConfig({ ...s3Env, STORAGE_URL: `${s3Env.STORAGE_URL}/t${randomBytes(4).toString('hex')}` });
    const storage = await openStorage(config, publicUrl, em);
    return { storage, close: async () => (storage as { close?: () => void }).close?.() };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'apps-api-storage-'));
  const storage = await openStorage(loadConfig({ DATA_DIR: dataDir }), publicUrl, em);
  return { storage, close: () => rm(dataDir, { recursive: true, force: true }) };
}
