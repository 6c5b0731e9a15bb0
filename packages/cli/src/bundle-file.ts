import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { UsageError } from './errors.js';

/**
 * The files of a bundle, on disk: a folder zipped (streamed, one file open at a time), the
 * checks made before anything is sent, and the SHA-256 the server is asked to verify.
 */

/** Strict SemVer 2.0 (semver.org's pattern), as the API's `version`; a test keeps it equal to the contract's. */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** The server's default `BUNDLE_MAX_BYTES`. */
export const DEFAULT_MAX_BYTES = 104_857_600;

export function checkVersion(version: string): void {
  if (version.length > 255 || !SEMVER_PATTERN.test(version)) {
    throw new UsageError(
      `--version ${JSON.stringify(version)} is not a SemVer 2.0 version such as 1.2.3 or 1.2.3-beta.1 (no leading "v")`,
    );
  }
}

/** Every file under `dir`, as zip entry names (forward slashes, relative), sorted so a folder always zips the same way. */
async function filesOf(dir: string, prefix = ''): Promise<{ absolute: string; name: string }[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const files: { absolute: string; name: string }[] = [];
  for (const entry of entries) {
    const absolute = path.join(dir, entry.name);
    const name = `${prefix}${entry.name}`;
    const kind = entry.isSymbolicLink() ? await stat(absolute) : entry;
    if (kind.isDirectory()) files.push(...(await filesOf(absolute, `${name}/`)));
    else if (kind.isFile()) files.push({ absolute, name });
  }
  return files;
}

/** Zips the folder's contents (at the zip's root, where the plugin looks for index.html) into `target`. */
export async function zipFolder(dir: string, target: string): Promise<{ files: number }> {
  const files = await filesOf(dir);
  if (files.length === 0) throw new UsageError(`${dir} has no files to bundle`);
  const zip = new ZipFile();
  for (const file of files) zip.addFile(file.absolute, file.name);
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(target));
  return { files: files.length };
}

/** A zip starts with a local file header, or, when empty, with the end-of-central-directory record. */
export async function checkZip(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(4), 0, 4, 0);
    const magic = buffer.subarray(0, bytesRead).toString('hex');
    if (magic !== '504b0304' && magic !== '504b0506') throw new UsageError(`${file} is not a zip file`);
  } finally {
    await handle.close();
  }
}

export function checkSize(file: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new UsageError(
      `${file} is ${size} bytes, more than the limit of ${maxBytes} (--max-size, default the server's ${DEFAULT_MAX_BYTES})`,
    );
  }
}

/** Lower-case SHA-256 hex of a file, read as a stream. */
export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
