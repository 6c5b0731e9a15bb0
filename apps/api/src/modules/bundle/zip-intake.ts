import { createHash } from 'node:crypto';
import { PassThrough, type Readable, Transform, type TransformCallback } from 'node:stream';
import yauzl from 'yauzl';
import type { BundleStorage } from '../../storage/storage.js';

/** Why an upload's bytes were refused; the service turns it into 400 invalid_bundle or 413. */
export class ZipRejected extends Error {
  constructor(
    readonly reason: 'too_large' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ZipRejected';
  }
}

/** A zip starts with a local file header, or is the end record of an empty archive. */
const ZIP_MAGIC = [Buffer.from('PK\u0003\u0004', 'latin1'), Buffer.from('PK\u0005\u0006', 'latin1')];

/**
 * What the upload's bytes pass through on their way to storage: counts them (failing past
 * `maxBytes`), hashes them (SHA-256) and checks the first four bytes, so that a body which is not
 * a zip, or too large, stops at once instead of being stored first. Holds no more than a chunk.
 */
export class ZipIntake extends Transform {
  private readonly hash = createHash('sha256');
  private head = Buffer.alloc(0);
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      done(new ZipRejected('too_large', `the body exceeds ${this.maxBytes} bytes`));
      return;
    }
    if (this.head.length < 4) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, 4 - this.head.length)]);
      if (this.head.length === 4 && !ZIP_MAGIC.some((magic) => magic.equals(this.head))) {
        done(new ZipRejected('invalid', 'the body is not a zip archive'));
        return;
      }
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.head.length < 4) done(new ZipRejected('invalid', 'the body is not a zip archive'));
    else done();
  }

  /** SHA-256 of everything that went through, lower-case hex; call once the stream has ended. */
  checksum(): string {
    return this.hash.digest('hex');
  }
}

/** Caps on the central directory, so a hostile archive cannot make the check slow. */
export const MAX_ZIP_ENTRIES = 100_000;
const WINDOW_BYTES = 1024 * 1024;

/**
 * Reads a stored object for yauzl through a 1 MiB window: the central directory is read front to
 * back, so this costs one storage read per MiB of it (not two per entry) and holds at most 1 MiB.
 */
class StoredObjectReader extends yauzl.RandomAccessReader {
  private window: { start: number; bytes: Buffer } | undefined;

  constructor(
    private readonly storage: BundleStorage,
    private readonly key: string,
    private readonly size: number,
  ) {
    super();
  }

  private async bytesFor(start: number, end: number): Promise<Buffer> {
    const inWindow = (w: { start: number; bytes: Buffer } | undefined) =>
      w && start >= w.start && end <= w.start + w.bytes.length;
    if (!inWindow(this.window)) {
      const last = Math.min(this.size, Math.max(end, start + WINDOW_BYTES)) - 1;
      const chunks: Buffer[] = [];
      for await (const chunk of await this.storage.read(this.key, { start, end: last })) chunks.push(chunk as Buffer);
      this.window = { start, bytes: Buffer.concat(chunks) };
      if (!inWindow(this.window)) throw new Error('the stored object is shorter than expected');
    }
    const window = this.window as { start: number; bytes: Buffer };
    return window.bytes.subarray(start - window.start, end - window.start);
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.bytesFor(start, end).then(
      (bytes) => out.end(bytes),
      (error: Error) => out.destroy(error),
    );
    return out;
  }
}

/**
 * Checks the stored zip's central directory: readable, at least one entry, at most
 * MAX_ZIP_ENTRIES, and no entry with an absolute path, a drive letter, a backslash or a `..`
 * segment (yauzl's strict file names). Resolves, or rejects with ZipRejected('invalid').
 */
export function checkStoredZip(storage: BundleStorage, key: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const invalid = (message: string) => reject(new ZipRejected('invalid', message));
    const reader = new StoredObjectReader(storage, key, size);
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, autoClose: true, strictFileNames: true, validateEntrySizes: true },
      (error, zip) => {
        if (error || !zip) return invalid(`the zip cannot be read (${error?.message ?? 'no archive'})`);
        if (zip.entryCount === 0) {
          zip.close();
          return invalid('the zip has no entries');
        }
        if (zip.entryCount > MAX_ZIP_ENTRIES) {
          zip.close();
          return invalid(`the zip has more than ${MAX_ZIP_ENTRIES} entries`);
        }
        zip.on('entry', () => zip.readEntry());
        zip.on('end', () => resolve());
        zip.on('error', (entryError: Error) => invalid(entryError.message));
        zip.readEntry();
      },
    );
  });
}
