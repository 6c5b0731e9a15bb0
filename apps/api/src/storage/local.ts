import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type FileSignature, isValidFileSignature, signFileKey } from './signing.js';
import type { BundleStorage, ByteRange } from './storage.js';

const PARTIAL_SUFFIX = '.partial';

/**
 * Bundles as files under one folder (`<DATA_DIR>/bundles`): one machine only. A file is written
 * under a temporary name and renamed once complete, so no reader ever sees half a zip.
 */
export class LocalStorage implements BundleStorage {
  readonly kind = 'local' as const;

  constructor(
    private readonly root: string,
    private readonly publicUrl: string,
    private readonly secret: Buffer,
  ) {}

  private pathOf(key: string): string {
    const path = join(this.root, ...key.split('/'));
    if (relative(this.root, path).startsWith('..')) throw new Error('storage key escapes the storage folder');
    return path;
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = this.pathOf(key);
    const partial = `${path}.${randomUUID()}${PARTIAL_SUFFIX}`;
    await mkdir(dirname(path), { recursive: true });
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await walk(path);
        else keys.push(relative(this.root, path).split(sep).join('/'));
      }
    };
    await walk(this.root);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? info.size : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    // Fail here (missing file) rather than in the middle of a response.
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return stream;
  }

  /** Whether `signature` is one this server's secret made for `key` and has not expired. */
  isSigned(key: string, signature: FileSignature): boolean {
    return isValidFileSignature(this.secret, key, signature);
  }

  async downloadUrl(key: string): Promise<string> {
    const { expires, signature } = signFileKey(this.secret, key);
    return `${this.publicUrl}/files/${key}?expires=${expires}&signature=${signature}`;
  }
}
