import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { bundleObjectKey } from '../src/storage/storage.js';
import { useServer } from './support/harness.js';
import { makeZip } from './support/zip.js';

// The storage port, as the server uses it: a folder by default, S3Proxy under `pnpm test:s3`.
const h = useServer();

describe(`bundle storage`, () => {
  it('puts, lists, sizes, reads ranges, hands out a download URL that works without a key, and removes', async () => {
    const app = randomUUID();
    const key = bundleObjectKey(app, randomUUID());
    const zip = makeZip([{ name: 'index.html', data: 'y'.repeat(70_000) }]);
    await h.storage.put(key, Readable.from([zip.subarray(0, 30_000), zip.subarray(30_000)]));
    expect(await h.storage.list(`${app}/`)).toEqual([key]);
    expect(await h.storage.size(key)).toBe(zip.length);
    const chunks: Buffer[] = [];
    for await (const chunk of await h.storage.read(key, { start: 5, end: 9 })) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(zip.subarray(5, 10));

    const download = await fetch(await h.storage.downloadUrl(key));
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(zip);

    await h.storage.remove(key);
    await h.storage.remove(key);
    expect(await h.storage.list(`${app}/`)).toEqual([]);
    expect(await h.storage.size(key)).toBeNull();
  });

  it('leaves nothing behind when the body fails', async () => {
    const app = randomUUID();
    const key = bundleObjectKey(app, randomUUID());
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1));
        this.destroy(new Error('client gone'));
      },
    });
    await expect(h.storage.put(key, failing)).rejects.toThrow('client gone');
    expect(await h.storage.list(`${app}/`)).toEqual([]);
  });
});
