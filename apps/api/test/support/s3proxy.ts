import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * The one starter of a real S3 server for tests: S3Proxy 2.6.0 on the filesystem, on 127.0.0.1
 * and a free port. The jar is fetched outside git by `.ci/run` (mvn dependency:copy); set
 * S3PROXY_JAR to use another copy.
 */
export const S3PROXY_JAR =
  process.env.S3PROXY_JAR ?? join(homedir(), '.cache', 's3proxy', 's3proxy-2.6.0-jar-with-dependencies.jar');

export interface S3Server {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** A bucket created for this server. */
  bucket: string;
  /** Environment for a server process that should store bundles in this bucket. */
  env(prefix?: string): Record<string, string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`S3Proxy exited (${child.exitCode}):\n${output()}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`S3Proxy did not answer on ${endpoint} within 60 s:\n${output()}`);
}

export async function startS3Proxy(jar = S3PROXY_JAR): Promise<S3Server> {
  if (!existsSync(jar)) {
    throw new Error(
      `S3Proxy jar not found at ${jar}: mvn dependency:copy -Dartifact=org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies -DoutputDirectory=$(dirname ${jar})`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 's3proxy-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `test-${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(16).toString('hex');
  const properties = join(dir, 's3proxy.properties');
  await writeFile(
    properties,
    [
      `s3proxy.endpoint=${endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${accessKeyId}`,
      `s3proxy.credential=${secretAccessKey}`,
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${join(dir, 'data')}`,
      '',
    ].join('\n'),
  );
  const child = spawn('java', ['-jar', jar, '--properties', properties], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(endpoint, child, () => output);
    const bucket = `bundles-${randomBytes(4).toString('hex')}`;
    const region = 'us-east-1';
    const client = new S3Client({
      endpoint,
      region,
      forcePathStyle: true,
      credentials: { accessKeyId, secretAccessKey },
    });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    return {
      endpoint,
      region,
      accessKeyId,
      secretAccessKey,
      bucket,
      env: (prefix = '') => ({
        STORAGE_URL: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
        S3_ENDPOINT: endpoint,
        S3_REGION: region,
        S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
