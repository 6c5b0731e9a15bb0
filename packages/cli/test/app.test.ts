import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createTenant, uniqueAppId, useServer } from '@apps-api/api/testing';
import { describe, expect, it } from 'vitest';
import { cli } from './support.js';

const h = useServer();

describe('apps-api app, against the live server', () => {
  it('creates an app, lists it as a table and as JSON, and reads a refusal as exit 1 with code and message', async () => {
    const t = await createTenant(h.em());
    const env = { APPS_API_URL: h.baseUrl, APPS_API_KEY: t.key };
    const appId = uniqueAppId('com.cli');

    const created = await cli(['app', 'create', appId, '--name', 'CLI app', '--org', t.orgId, '--json'], env);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    const app = JSON.parse(created.stdout);
    expect(app).toMatchObject({
      app_id: appId,
      name: 'CLI app',
      owner_org: t.orgId,
      retention: 2592000,
      last_version: null,
    });

    const listed = await cli(['app', 'list', '--org', t.orgId], env);
    expect(listed).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `app_id${' '.repeat(appId.length - 6)}  name     last_version  owner_org`,
        `${appId}  CLI app  -             ${t.orgId}`,
        '1 of 1 apps (page 0)',
        '',
      ].join('\n'),
    });
    const listedJson = await cli(['app', 'list', '--org', t.orgId, '--json'], env);
    expect(JSON.parse(listedJson.stdout)).toEqual({ data: [app], page: 0, limit: 50, total: 1 });

    const again = await cli(['app', 'create', appId.toUpperCase(), '--name', 'Again', '--org', t.orgId], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/^error: Custom ID already in use \(app_id_taken, HTTP 409, request [\w-]+\)\n$/);

    const againJson = await cli(['app', 'create', appId, '--name', 'Again', '--org', t.orgId, '--json'], env);
    expect(againJson.code).toBe(1);
    expect(JSON.parse(againJson.stderr)).toEqual({
      status: 409,
      code: 'app_id_taken',
      error: 'Custom ID already in use',
      request_id: expect.any(String),
    });
  });

  it('prints every failing field of a 400, and a bad key is exit 1 invalid_apikey', async () => {
    const t = await createTenant(h.em());
    const bad = await cli(['app', 'create', 'not an id', '--name', 'x', '--org', t.orgId], {
      APPS_API_URL: h.baseUrl,
      APPS_API_KEY: t.key,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: .+ \(invalid_parameters, HTTP 400, request [\w-]+\)\n {2}app_id: .+\n$/);

    const wrongKey = await cli(['app', 'list', '--json'], { APPS_API_URL: h.baseUrl, APPS_API_KEY: 'capgo_nope' });
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stderr)).toMatchObject({ status: 401, code: 'invalid_apikey' });
  });

  it('says so, with exit 1, when the server cannot be reached', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    const result = await cli(['app', 'list'], { APPS_API_URL: url, APPS_API_KEY: 'capgo_x' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: cannot reach ${url}: connect ECONNREFUSED 127.0.0.1:${port}\n`,
    });
  });
});
