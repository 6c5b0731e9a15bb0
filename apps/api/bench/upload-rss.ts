import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Proxy } from '../test/support/s3proxy.js';
import { spawnServer } from '../test/support/spawn-server.js';
import { makeZip } from '../test/support/zip.js';
import { rssOf, watchRss } from './processes.js';
import { createBenchDatabase, seed } from './seed.js';

/**
 * RSS growth of the server while it takes one large bundle upload (BENCH_UPLOAD_MB, default 50):
 * the upload is streamed, so growth must stay far below the zip's size (the bar: 30 MB for
 * 50 MB). Prints the figures. Needs DATABASE_URL; BENCH_STORAGE=s3 stores through S3Proxy.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/upload-rss.ts
 */
const MB = 1024 * 1024;
const sizeMb = Number(process.env.BENCH_UPLOAD_MB ?? 50);
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) throw new Error('DATABASE_URL is required');

const work = await mkdtemp(join(tmpdir(), 'upload-rss-'));
const database = await createBenchDatabase(serverUrl);
const s3 = process.env.BENCH_STORAGE === 's3' ? await startS3Proxy() : undefined;
try {
  const dataset = await seed(database.url, { appCount: 1, keyCount: 1 });
  const appId = dataset.sampleAppIds[0] as string;
  // Incompressible content, as real bundles' images and fonts mostly are; written in 1 MB files.
  const zipPath = join(work, 'bundle.zip');
  await writeFile(
    zipPath,
    makeZip(Array.from({ length: sizeMb }, (_, i) => ({ name: `assets/blob-${i}.bin`, data: randomBytes(MB - 200) }))),
  );
  const zipBytes = (await stat(zipPath)).size;

  const server = await spawnServer({
    DATABASE_URL: database.url,
    DATA_DIR: join(work, 'data'),
    RETENTION_INTERVAL_SECONDS: '0',
    ...(s3?.env() ?? {}),
  });
  try {
    // Warm up (BENCH_WARMUP_MB, default 8): lazy modules, pools and V8's young generation (which grows
    // to its working size on the first MBs of any stream and stays committed) are measured apart.
    const warmupMb = Number(process.env.BENCH_WARMUP_MB ?? 8);
    const warmup = makeZip(
      Array.from({ length: Math.max(1, warmupMb) }, (_, i) => ({ name: `w${i}.bin`, data: randomBytes(warmupMb ? MB - 200 : 10) })),
    );
    const cold = rssOf(server.child.pid) ?? 0;
    await upload(server.baseUrl, dataset.key, appId, '0.0.1', warmup);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pid = server.child.pid;
    const before = rssOf(pid) ?? 0;
    const peak = watchRss(pid);
    const started = Date.now();
    const status = await upload(server.baseUrl, dataset.key, appId, '1.0.0', zipPath);
    const ms = Date.now() - started;
    const max = peak();
    if (status !== 201) throw new Error(`upload answered ${status}`);
    const figures = {
      storage: s3 ? 's3 (S3Proxy)' : 'local folder',
      upload_mb: Number((zipBytes / MB).toFixed(1)),
      warmup_mb: warmupMb,
      rss_at_start_mb: Number((cold / MB).toFixed(1)),
      rss_before_mb: Number((before / MB).toFixed(1)),
      rss_peak_mb: Number((max / MB).toFixed(1)),
      rss_growth_mb: Number(((max - before) / MB).toFixed(1)),
      seconds: Number((ms / 1000).toFixed(1)),
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
} finally {
  await s3?.stop();
  await database.drop();
  await rm(work, { recursive: true, force: true });
}

/** Streams the zip (a file path, or bytes) to /bundle/upload; resolves with the status. */
function upload(baseUrl: string, key: string, appId: string, version: string, zip: string | Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/bundle/upload?app_id=${encodeURIComponent(appId)}&version=${version}`, {
      method: 'POST',
      headers: { authorization: key, 'content-type': 'application/zip', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(zip)) req.end(zip);
    else createReadStream(zip).pipe(req);
  });
}
