import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedDatabase } from '../../src/db/embedded.js';
import { migrateUp, openOrm } from '../../src/db/orm.js';
import { startS3Proxy } from './s3proxy.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    embedded: boolean;
    /** Set by `pnpm test:s3` (TEST_STORAGE=s3): the environment that points storage at a real S3 server. */
    s3Env: Record<string, string> | null;
  }
}

/**
 * One database per test run, migrated once: a fresh database on the server of DATABASE_URL
 * (dropped afterwards), or an in-memory embedded PostgreSQL when DATABASE_URL is unset.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  let databaseUrl: string;
  let teardown: () => Promise<void>;

  if (serverUrl) {
    const name = `apps_api_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    teardown = async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists "${name}" with (force)`);
      await client.end();
    };
  } else {
    const embedded = await startEmbeddedDatabase({ owner: 'test run', maxConnections: 16 });
    databaseUrl = embedded.url;
    teardown = () => embedded.stop();
  }

  const orm = await openOrm({ clientUrl: databaseUrl, poolMax: 1 });
  await migrateUp(orm);
  await orm.close();

  project.provide('databaseUrl', databaseUrl);
  project.provide('embedded', !serverUrl);

  // `pnpm test:s3` runs the storage tests against a real S3 server (S3Proxy) instead of a folder.
  const s3 = process.env.TEST_STORAGE === 's3' ? await startS3Proxy() : undefined;
  project.provide('s3Env', s3?.env() ?? null);
  return async () => {
    await s3?.stop();
    await teardown();
  };
}
