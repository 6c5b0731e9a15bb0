import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SEMVER_PATTERN as CONTRACT_SEMVER } from '@apps-api/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEMVER_PATTERN, sha256Of, zipFolder } from '../src/bundle-file.js';
import { renderProgress } from '../src/output.js';
import { cli } from './support.js';
import { unzipToMemory } from './unzip.js';

/** A server that only counts what reaches it: the checks below must refuse before sending anything. */
let requests = 0;
let url = '';
const server = createServer((_req, res) => {
  requests += 1;
  res.writeHead(500).end();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function folderWith(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cli-test-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

const env = () => ({ APPS_API_URL: url, APPS_API_KEY: 'capgo_test' });
const UPLOAD_USAGE =
  'usage: apps-api bundle upload <dir|zip> --app <app_id> --version <semver> [--channel <name>] [--max-size <bytes>]\n';

describe('bundle upload, before sending anything', () => {
  it('refuses a version that is not SemVer 2.0 with exit 2', async () => {
    const dir = await folderWith({ 'index.html': '<p>hi</p>' });
    const result = await cli(['bundle', 'upload', dir, '--app', 'com.example.app', '--version', 'v1.0.0'], env());
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: --version "v1.0.0" is not a SemVer 2.0 version such as 1.2.3 or 1.2.3-beta.1 (no leading "v")\n${UPLOAD_USAGE}`,
    });
    expect(requests).toBe(0);
  });

  it('refuses a bundle larger than --max-size with exit 2', async () => {
    const dir = await folderWith({ 'index.html': 'x'.repeat(5000) });
    const result = await cli(
      ['bundle', 'upload', dir, '--app', 'com.example.app', '--version', '1.0.0', '--max-size', '100', '--json'],
      env(),
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      code: 'usage',
      error: expect.stringMatching(
        /^\/.*\/bundle\.zip is \d+ bytes, more than the limit of 100 \(--max-size, default the server's 104857600\)$/,
      ),
    });
    expect(requests).toBe(0);
  });

  it('refuses a file that is not a zip, a missing path and an empty folder with exit 2', async () => {
    const dir = await folderWith({ 'notes.txt': 'not a zip' });
    const empty = await folderWith({});
    const args = ['--app', 'com.example.app', '--version', '1.0.0', '--json'];
    const notZip = await cli(['bundle', 'upload', path.join(dir, 'notes.txt'), ...args], env());
    const missing = await cli(['bundle', 'upload', path.join(dir, 'nope'), ...args], env());
    const none = await cli(['bundle', 'upload', empty, ...args], env());
    expect([notZip, missing, none].map((r) => [r.code, JSON.parse(r.stderr)])).toEqual([
      [2, { code: 'usage', error: `${path.join(dir, 'notes.txt')} is not a zip file` }],
      [2, { code: 'usage', error: `${path.join(dir, 'nope')}: no such file or folder` }],
      [2, { code: 'usage', error: `${empty} has no files to bundle` }],
    ]);
    expect(requests).toBe(0);
  });

  it("uses the contract's SemVer pattern", () => {
    expect(SEMVER_PATTERN.source).toBe(CONTRACT_SEMVER.source);
  });
});

describe('usage', () => {
  it('prints help with exit 0, and the overview with exit 2 when no command is given', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('apps-api bundle upload <dir|zip> --app <app_id> --version <semver>');
    expect(help.stdout).toContain('Exit status: 0 done; 1 the server refused');
    const none = await cli([]);
    expect({ code: none.code, stdout: none.stdout }).toEqual({ code: 2, stdout: '' });
    expect(none.stderr).toBe(help.stdout);
  });

  it('answers an unknown command, an unknown option, a missing option or key with exit 2 and no stack trace', async () => {
    const unknown = await cli(['bundle', 'frobnicate'], env());
    const option = await cli(['app', 'list', '--colour', 'red'], env());
    const required = await cli(['bundle', 'delete', '--app', 'com.example.app'], env());
    const noKey = await cli(['app', 'list'], { APPS_API_URL: url });
    const both = await cli(
      ['channel', 'set', 'production', '--app', 'com.example.app', '--builtin', '--version', '1.0.0'],
      env(),
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command: bundle frobnicate\n\nShip live updates from CI\./);
    expect(unknown.stderr).not.toContain('apps-api app list');
    expect([option, required, noKey, both].map((r) => [r.code, r.stdout, r.stderr.split('\n')[0]])).toEqual([
      [
        2,
        '',
        "error: Unknown option '--colour'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--colour\"",
      ],
      [2, '', 'error: --version is required'],
      [2, '', 'error: no API key: pass --key or set APPS_API_KEY'],
      [2, '', 'error: give exactly one of --version <v> and --builtin'],
    ]);
    expect(requests).toBe(0);
  });
});

describe('the zip of a folder', () => {
  it('holds every file at its relative path, byte for byte, and its SHA-256 is that of the file', async () => {
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    const dir = await folderWith({ 'index.html': '<html></html>', 'js/app.js': 'console.log(1)', 'img/a.bin': binary });
    const zip = path.join(await mkdtemp(path.join(tmpdir(), 'cli-zip-')), 'b.zip');
    expect(await zipFolder(dir, zip)).toEqual({ files: 3 });
    const entries = await unzipToMemory(await readFile(zip));
    expect([...entries.keys()]).toEqual(['img/a.bin', 'index.html', 'js/app.js']);
    expect(entries.get('img/a.bin')?.equals(binary)).toBe(true);
    expect(entries.get('js/app.js')?.toString()).toBe('console.log(1)');
    const { createHash } = await import('node:crypto');
    expect(await sha256Of(zip)).toBe(
      createHash('sha256')
        .update(await readFile(zip))
        .digest('hex'),
    );
  });
});

describe('the progress bar', () => {
  it('shows the share sent and the sizes', () => {
    expect(renderProgress('Uploading 1.0.0', 2_500_000, 10_000_000, 20)).toBe(
      'Uploading 1.0.0 [#####...............]  25% 2.5 MB / 10.0 MB',
    );
    expect(renderProgress('Uploading 1.0.0', 0, 0, 4)).toBe('Uploading 1.0.0 [####] 100% 0 B / 0 B');
  });
});
