import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Readable } from 'node:stream';
import { type BundleStorage, type ByteRange, DOWNLOAD_URL_TTL_SECONDS } from './storage.js';

export interface S3Location {
  bucket: string;
  /** Prepended to every key ('' or ending in '/'). */
  prefix: string;
}

/** `s3://bucket/some/prefix` → bucket and `some/prefix/`. */
export function parseS3Url(url: string): S3Location {
  const { host, pathname } = new URL(url);
  const prefix = pathname.replace(/^\/+|\/+$/g, '');
  return { bucket: host, prefix: prefix ? `${prefix}/` : '' };
}

const isNotFound = (error: unknown) => {
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
};

/**
 * Bundles in an S3-compatible bucket shared by every replica. Uploads are multipart with one part
 * in flight (5 MiB parts): memory stays flat whatever the zip's size, and a failed upload is
 * aborted so that no part is left behind.
 */
export class S3Storage implements BundleStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(
    private readonly location: S3Location,
    config: S3ClientConfig,
  ) {
    // Checksums only where S3 requires them: the SDK's default CRC trailers (aws-chunked bodies)
    // are not understood by every S3-compatible store (S3Proxy, older MinIO) and add nothing to
    // TLS plus our own SHA-256 of the zip.
    this.client = new S3Client({
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...config,
    });
  }

  private objectKey(key: string): string {
    return `${this.location.prefix}${key}`;
  }

  async put(key: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.location.bucket, Key: this.objectKey(key), Body: body, ContentType: 'application/zip' },
      queueSize: 1,
      partSize: 5 * 1024 * 1024,
      leavePartsOnError: false,
    });
    // The SDK reads the body as an async iterator; an error on it (client gone) must end the upload.
    const failed = new Promise<never>((_, reject) => body.once('error', reject));
    failed.catch(() => undefined);
    try {
      await Promise.race([upload.done(), failed]);
    } catch (error) {
      await upload.abort().catch(() => undefined);
      // A small body goes up as one PutObject, which an abort cannot undo.
      await this.remove(key).catch(() => undefined);
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }));
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: this.objectKey(prefix),
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        // Some stores (S3Proxy on a filesystem) list folder markers; they are not objects of ours.
        if (object.Key && !object.Key.endsWith('/')) keys.push(object.Key.slice(this.location.prefix.length));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }),
      );
      return head.ContentLength ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const object = await this.client.send(
      new GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(key),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return object.Body as Readable;
  }

  downloadUrl(key: string): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.location.bucket, Key: this.objectKey(key) }), {
      expiresIn: DOWNLOAD_URL_TTL_SECONDS,
    });
  }

  /** Ends the client's sockets (shutdown). */
  close(): void {
    this.client.destroy();
  }
}
