import type { Readable } from 'node:stream';

/** How long a download URL handed to a device stays valid (SPEC-live-updates §3). */
export const DOWNLOAD_URL_TTL_SECONDS = 24 * 60 * 60;

/**
 * Where bundle zips live: a folder on this machine or an S3-compatible bucket, chosen by
 * `STORAGE_URL` (storage/index.ts). Everything else sees only this port. Keys are relative
 * paths such as `apps/<app uuid>/<random uuid>.zip`, never derived from user input alone.
 */
export interface BundleStorage {
  /** `local` or `s3`: for logs and the README, not for branching on. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` to `key`. Resolves once the object is complete and durable; rejects if the
   * body errors (client gone, size limit, bad zip) or the store fails, leaving nothing behind.
   */
  put(key: string, body: Readable): Promise<void>;
  /** Removes the object; resolves also when it does not exist. */
  remove(key: string): Promise<void>;
  /** Keys under `prefix`, for tests and checks; not for request paths. */
  list(prefix: string): Promise<string[]>;
  /**
   * A URL a device can GET the zip from without a key, valid `DOWNLOAD_URL_TTL_SECONDS`: a
   * presigned S3 URL, or `<PUBLIC_URL>/files/...` signed by this server (HMAC, shared secret).
   */
  downloadUrl(key: string): Promise<string>;
}
