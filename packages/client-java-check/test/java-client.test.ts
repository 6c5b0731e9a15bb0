import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTenant, uniqueAppId, useServer } from '@apps-api/api/testing';
import { describe, expect, it } from 'vitest';

/**
 * The Java client that `scripts/build-java.ts` generated from the committed document and built with
 * Maven (`pnpm test:java` runs the build first), run as a separate JVM against the real server.
 */
const DIR = path.resolve(import.meta.dirname, '..');
const CLASSPATH = [path.join(DIR, 'check/target/classes'), path.join(DIR, 'check/target/lib/*')].join(path.delimiter);

const h = useServer();

function runJava(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', CLASSPATH, 'dev.appsapi.check.JavaClientCheck'], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the generated Java client (openapi-generator java/native)', () => {
  it('is built (run `pnpm test:java`, which generates and builds it first)', () => {
    expect(existsSync(path.join(DIR, 'check/target/classes/dev/appsapi/check/JavaClientCheck.class'))).toBe(true);
  });

  it('creates, reads, lists, updates and deletes an app, and reads a 409 and a 404 as typed ErrorBody values', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId('com.java');
    const result = await runJava({
      APPS_API_URL: h.baseUrl,
      APPS_API_KEY: t.key,
      APPS_API_ORG: t.orgId,
      APPS_API_APP: appId,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const lines = result.stdout.trimEnd().split('\n');
    const created = (await h.http().get(`/app/${appId}`).set('authorization', t.key)).status;
    expect(created).toBe(404); // the program deleted it
    const requestIds = lines
      .filter((line) => line.startsWith('status '))
      .map((line) => /request_id=(\S+)/.exec(line)?.[1]);
    expect(lines).toEqual([
      `created ${appId} name=Java check retention=2592000 owner=${t.orgId}`,
      expect.stringMatching(
        new RegExp(`^got ${appId.replace(/\./g, '\\.')} id=[0-9a-f-]{36} icon=https://example.com/java.png$`),
      ),
      `listed total=1 first=${appId}`,
      'updated name=Java check 2 retention=3600 icon=https://example.com/java.png',
      `status 409 request_id=${requestIds[0]} header=${requestIds[0]}`,
      'refused app_id_taken "Custom ID already in use" is409=true',
      'deleted ok',
      `status 404 request_id=${requestIds[1]} header=${requestIds[1]}`,
      'gone app_not_found "App not found"',
    ]);
    expect(requestIds.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
  });

  it('stops with exit 2 and a message when its settings are missing', async () => {
    const result = await runJava({ APPS_API_URL: h.baseUrl });
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'APPS_API_KEY is not set\n' });
  });
});
