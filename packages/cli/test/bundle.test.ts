import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SimulatedPlugin, createAppVia, createTenant, uniqueAppId, useServer } from '@apps-api/api/testing';
import { describe, expect, it } from 'vitest';
import { zipFolder } from '../src/bundle-file.js';
import { cli } from './support.js';
import { unzipToMemory } from './unzip.js';

const h = useServer();

const FILES: Record<string, Buffer> = {
  'index.html': Buffer.from('<!doctype html><title>shipped from CI</title><script src="js/app.js"></script>'),
  'js/app.js': Buffer.from('console.log("1.0.0");\n'),
  'assets/blob.bin': randomBytes(300_000),
  'assets/deep/empty.txt': Buffer.alloc(0),
};

async function webFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-web-'));
  for (const [name, content] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

async function appWithKey() {
  const t = await createTenant(h.em());
  const appId = uniqueAppId('com.ship');
  await createAppVia(h, t.key, { app_id: appId, name: 'Ship', owner_org: t.orgId });
  return { appId, env: { APPS_API_URL: h.baseUrl, APPS_API_KEY: t.key } };
}

describe('apps-api bundle upload, against the live server', () => {
  it('zips a folder and ships it on a public channel: a device fetches it through /updates, every file byte for byte', async () => {
    const { appId, env } = await appWithKey();
    const channel = await cli(['channel', 'set', 'production', '--app', appId, '--builtin', '--public'], env);
    expect(channel).toEqual({ code: 0, stdout: `channel production of ${appId} now serves builtin\n`, stderr: '' });

    const dir = await webFolder();
    const uploaded = await cli(
      ['bundle', 'upload', dir, '--app', appId, '--version', '1.0.1', '--channel', 'production', '--json'],
      env,
    );
    expect({ code: uploaded.code, stderr: uploaded.stderr }).toEqual({ code: 0, stderr: '' });
    const bundle = JSON.parse(uploaded.stdout);
    expect(bundle).toMatchObject({ app_id: appId, name: '1.0.1', storage: 'stored', external_url: null });
    expect(bundle.checksum).toMatch(/^[0-9a-f]{64}$/);

    // The device (native 1.0.0): asks /updates as @capgo/capacitor-updater does, downloads, checks the SHA-256, installs.
    const device = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, versionBuild: '1.0.0' });
    expect(await device.checkForUpdate()).toEqual({ type: 'installed', version: '1.0.1', previous: 'builtin' });
    const answer = device.answers.at(-1)?.body as { version: string; url: string; checksum: string };
    expect(answer).toMatchObject({ version: '1.0.1', checksum: bundle.checksum });
    const download = await fetch(answer.url);
    expect(download.status).toBe(200);
    const zip = Buffer.from(await download.arrayBuffer());
    expect(zip.length).toBe(bundle.size);
    const files = await unzipToMemory(zip);
    expect([...files.keys()].sort()).toEqual(Object.keys(FILES).sort());
    for (const [name, content] of Object.entries(FILES)) expect(files.get(name)?.equals(content), name).toBe(true);
    expect(await device.checkForUpdate()).toMatchObject({ type: 'no_update', kind: 'up_to_date' });

    const channels = await cli(['channel', 'list', '--app', appId], env);
    expect(channels).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'channel     version  public  ios   android  self_set',
        'production  1.0.1    true    true  true     false',
        `1 of 1 channels of ${appId}`,
        '',
      ].join('\n'),
    });
  });

  it('takes a zip as it is, prints the bundle for people, and lists and deletes bundles', async () => {
    const { appId, env } = await appWithKey();
    const dir = await webFolder();
    const first = JSON.parse(
      (await cli(['bundle', 'upload', dir, '--app', appId, '--version', '1.0.0', '--json'], env)).stdout,
    );
    const zipFile = path.join(await mkdtemp(path.join(tmpdir(), 'cli-zip-')), 'web.zip');
    await zipFolder(dir, zipFile);

    const second = await cli(['bundle', 'upload', zipFile, '--app', appId, '--version', '1.1.0-beta.1'], env);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe(''); // no progress bar: stderr is not a terminal
    const lines = second.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `uploaded web.zip (${(first.size / 1000).toFixed(1)} kB, sha256 ${first.checksum})`,
      `bundle 1.1.0-beta.1 of ${appId}`,
      expect.stringMatching(/^ {2}id {12}\d+$/),
    ]);
    expect(lines).toContain(`  checksum      ${first.checksum}`);

    const listed = JSON.parse((await cli(['bundle', 'list', '--app', appId, '--json'], env)).stdout);
    expect(listed).toMatchObject({ page: 0, limit: 50, total: 2 });
    expect(listed.data.map((b: { name: string }) => b.name)).toEqual(['1.1.0-beta.1', '1.0.0']);

    const deleted = await cli(['bundle', 'delete', '--app', appId, '--version', '1.0.0'], env);
    expect(deleted).toEqual({ code: 0, stdout: `deleted bundle 1.0.0 of ${appId}\n`, stderr: '' });
    const table = await cli(['bundle', 'list', '--app', appId], env);
    expect(table.stdout.split('\n').slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^1\\.1\\.0-beta\\.1  stored   ${first.size}  ${first.checksum}  \\d{4}-`)),
      `1 of 1 bundles of ${appId} (page 0, newest first)`,
      '',
    ]);
  });

  it("answers the server's refusals with exit 1, code and message", async () => {
    const { appId, env } = await appWithKey();
    const dir = await webFolder();
    const setup = [
      await cli(['channel', 'set', 'production', '--app', appId, '--builtin'], env),
      await cli(['bundle', 'upload', dir, '--app', appId, '--version', '2.0.0', '--channel', 'production'], env),
    ];
    expect(setup.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);

    const again = await cli(['bundle', 'upload', dir, '--app', appId, '--version', '2.0.0', '--json'], env);
    const linked = await cli(['bundle', 'delete', '--app', appId, '--version', '2.0.0', '--json'], env);
    const noChannel = await cli(
      ['bundle', 'upload', dir, '--app', appId, '--version', '2.0.1', '--channel', 'beta', '--json'],
      env,
    );
    const noApp = await cli(['bundle', 'list', '--app', 'com.nobody.here'], env);
    expect([again, linked, noChannel].map((r) => [r.code, r.stdout, JSON.parse(r.stderr)])).toEqual([
      [
        1,
        '',
        {
          status: 409,
          code: 'version_already_exists',
          error: 'Version already exists',
          request_id: expect.any(String),
        },
      ],
      [
        1,
        '',
        {
          status: 409,
          code: 'bundle_linked_to_channel',
          error: 'Cannot delete a bundle linked to a channel',
          request_id: expect.any(String),
        },
      ],
      [1, '', { status: 404, code: 'channel_not_found', error: 'Channel not found', request_id: expect.any(String) }],
    ]);
    expect(noApp.code).toBe(1);
    expect(noApp.stderr).toMatch(/^error: App not found \(app_not_found, HTTP 404, request [\w-]+\)\n$/);

    // Nothing of the refused uploads remains.
    const listed = JSON.parse((await cli(['bundle', 'list', '--app', appId, '--json'], env)).stdout);
    expect(listed.data.map((b: { name: string }) => b.name)).toEqual(['2.0.0']);
  });
});

describe('apps-api device override and stats', () => {
  it('sets and removes a device override, and prints the day table', async () => {
    const { appId, env } = await appWithKey();
    await cli(['channel', 'set', 'beta', '--app', appId, '--builtin'], env);
    const device = randomUUID();
    const set = await cli(['device', 'override', 'set', device, '--app', appId, '--channel', 'beta'], env);
    const removed = await cli(['device', 'override', 'remove', device, '--app', appId, '--json'], env);
    const unknown = await cli(
      ['device', 'override', 'set', device, '--app', appId, '--channel', 'nope', '--json'],
      env,
    );
    expect(set).toEqual({ code: 0, stdout: `device ${device} of ${appId} now follows channel beta\n`, stderr: '' });
    expect(removed).toEqual({ code: 0, stdout: '{"status":"ok"}\n', stderr: '' });
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ status: 404, code: 'channel_not_found' });

    const today = new Date().toISOString().slice(0, 10);
    const stats = await cli(['stats', '--app', appId, '--from', today, '--to', today], env);
    expect(stats).toEqual({
      code: 0,
      stderr: '',
      stdout: `date        devices  update_checks  updates_offered  installs  failures\n${today}  0        0              0                0         0\n`,
    });
    const badDay = await cli(['stats', '--app', appId, '--from', '2026/01/01', '--to', today], env);
    expect(badDay.code).toBe(2);
    expect(badDay.stderr.split('\n')[0]).toBe('error: --from must be a UTC day as YYYY-MM-DD, got "2026/01/01"');
  });
});
