import { resolve } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config.js';
import { LocalStorage } from './local.js';
import { S3Storage, parseS3Url } from './s3.js';
import { loadSigningSecret } from './signing.js';
import type { BundleStorage } from './storage.js';

export type StorageSettings = Pick<
  Config,
  | 'STORAGE_URL'
  | 'DATA_DIR'
  | 'S3_ENDPOINT'
  | 'S3_REGION'
  | 'S3_FORCE_PATH_STYLE'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY'
>;

/** The configured storage: S3 when STORAGE_URL is s3://…, else files under <DATA_DIR>/bundles. */
export async function openStorage(
  config: StorageSettings,
  publicUrl: string,
  em: EntityManager,
): Promise<BundleStorage> {
  if (config.STORAGE_URL) {
    return new S3Storage(parseS3Url(config.STORAGE_URL), {
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      // Without explicit keys the SDK's own chain applies (instance roles and the like).
      credentials:
        config.AWS_ACCESS_KEY_ID && config.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: config.AWS_ACCESS_KEY_ID, secretAccessKey: config.AWS_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return new LocalStorage(resolve(config.DATA_DIR, 'bundles'), publicUrl, await loadSigningSecret(em));
}
