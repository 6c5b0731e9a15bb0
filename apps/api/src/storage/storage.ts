import type { Readable } from 'node:stream';

/** How long a download URL handed to a device stays valid (SPEC-live-updates §3). */
export const DOWNLOAD_URL_TTL_SECONDS = 24 * 60 * 60;

/** Bytes `start` to `end`, both included, as in an HTTP Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where bundle zips live: a folder on this machine or an S3-compatible bucket, chosen by
 * `STORAGE_URL` (storage/index.ts). Everything else sees only this port. Keys are
 * `<app uuid>/<random uuid>.zip` (bundleObjectKey), never taken from user input.
 */
export interface BundleStorage {
  /** `local` or `s3`: for logs, not for branching on. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `body` to `key`. Resolves once the object is complete; rejects if the body errors
   * (client gone, size limit, not a zip) or the store fails, leaving no object and no part behind.
   */
  put(key: string, body: Readable): Promise<void>;
  /** Removes the object; resolves also when it does not exist. */
  remove(key: string): Promise<void>;
  /** Every key under `prefix` (partial uploads included): for checks and tests, not for request paths. */
  list(prefix: string): Promise<string[]>;
  /** Size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** The object's bytes, or the `range` of them. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /**
   * A URL a device can GET the zip from without a key, valid `DOWNLOAD_URL_TTL_SECONDS`: a
   * presigned S3 URL, or `<PUBLIC_URL>/files/...` signed by this server (HMAC, shared secret).
   */
  downloadUrl(key: string): Promise<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The key of a new upload: unique per upload, so a failed upload only ever removes its own object. */
export function bundleObjectKey(appUuid: string, fileUuid: string): string {
  if (!UUID.test(appUuid) || !UUID.test(fileUuid)) throw new Error('bundle object keys are made of uuids');
  return `${appUuid}/${fileUuid}.zip`;
}

/** Whether `key` is one bundleObjectKey could have made (the /files route serves nothing else). */
export function isBundleObjectKey(key: string): boolean {
  const [app, file, ...rest] = key.split('/');
  return rest.length === 0 && UUID.test(app ?? '') && /^(.+)\.zip$/.test(file ?? '') && UUID.test((file ?? '').slice(0, -4));
}
