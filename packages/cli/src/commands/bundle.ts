import { openAsBlob } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Bundle, BundleListToJSON, BundleToJSON, StatusOkToJSON } from '@apps-api/client';
import { DEFAULT_MAX_BYTES, checkSize, checkVersion, checkZip, sha256Of, zipFolder } from '../bundle-file.js';
import { type Command, type Context, PAGE_OPTIONS, integer, optionalText, text } from '../context.js';
import { UsageError } from '../errors.js';
import { type Result, fields, formatBytes, progressBar, table } from '../output.js';

const APP = {
  type: 'string',
  placeholder: 'app_id',
  required: true,
  description: 'the app, such as com.example.app',
} as const;

function describeBundle(bundle: Bundle): string {
  const { name, app_id, id, checksum, size, storage, external_url, created_at } = bundle;
  return `bundle ${name} of ${app_id}\n${fields({ id, checksum, size, storage, external_url, created_at })}`;
}

/** The zip to send: the given one, or the folder zipped into `scratch`. */
async function zipOf(input: string, scratch: string): Promise<{ file: string; files?: number }> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new UsageError(`${input}: no such file or folder`);
  if (info.isDirectory()) {
    const file = path.join(scratch, 'bundle.zip');
    return { file, files: (await zipFolder(input, file)).files };
  }
  await checkZip(input);
  return { file: input };
}

async function upload(context: Context): Promise<Result> {
  const [input = ''] = context.positionals;
  const appId = text(context, 'app');
  const version = text(context, 'version');
  const channel = optionalText(context, 'channel');
  const maxBytes = integer(context, 'max-size') ?? DEFAULT_MAX_BYTES;
  checkVersion(version);
  const scratch = await mkdtemp(path.join(tmpdir(), 'apps-api-bundle-'));
  try {
    const { file, files } = await zipOf(input, scratch);
    const { size } = await stat(file);
    checkSize(file, size, maxBytes);
    const checksum = await sha256Of(file);
    const client = context.client(progressBar(context.out, `Uploading ${version}`, size));
    const bundle = await client.bundle.uploadBundle({
      app_id: appId,
      version,
      checksum,
      ...(channel === undefined ? {} : { channel }),
      body: await openAsBlob(file, { type: 'application/zip' }),
    });
    const what = files === undefined ? path.basename(input) : `${files} files from ${input}`;
    const linked = channel === undefined ? '' : `\nchannel ${channel} now serves ${bundle.name}`;
    return {
      value: BundleToJSON(bundle),
      text: `uploaded ${what} (${formatBytes(size)}, sha256 ${checksum})\n${describeBundle(bundle)}${linked}`,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function list(context: Context): Promise<Result> {
  const appId = text(context, 'app');
  const version = optionalText(context, 'version');
  const page = await context.client().bundle.listBundles({
    app_id: appId,
    ...(version === undefined ? {} : { version }),
    page: integer(context, 'page'),
    limit: integer(context, 'limit'),
  });
  const rows = page.data.map((b) => [b.name, b.storage, b.size, b.checksum, b.created_at]);
  const shown = `${page.data.length} of ${page.total} bundles of ${appId} (page ${page.page}, newest first)`;
  return {
    value: BundleListToJSON(page),
    text: `${table(['version', 'storage', 'bytes', 'checksum', 'created_at'], rows)}\n${shown}`,
  };
}

async function remove(context: Context): Promise<Result> {
  const appId = text(context, 'app');
  const version = text(context, 'version');
  const answer = await context.client().bundle.deleteBundle({ app_id: appId, version });
  return { value: StatusOkToJSON(answer), text: `deleted bundle ${version} of ${appId}` };
}

export const bundleCommands: Command[] = [
  {
    words: ['bundle', 'upload'],
    positionals: ['<dir|zip>'],
    summary: 'Zip a folder (or take a zip), check it, and upload it as a new bundle; optionally point a channel at it.',
    options: {
      app: APP,
      version: {
        type: 'string',
        placeholder: 'semver',
        required: true,
        description: 'the bundle version, SemVer 2.0 (1.2.3)',
      },
      channel: { type: 'string', placeholder: 'name', description: 'an existing channel to point at the new bundle' },
      'max-size': {
        type: 'string',
        placeholder: 'bytes',
        description: `refuse larger zips before sending (default ${DEFAULT_MAX_BYTES}, the server's default)`,
      },
    },
    run: upload,
  },
  {
    words: ['bundle', 'list'],
    positionals: [],
    summary: "List an app's bundles, newest first.",
    options: {
      app: APP,
      version: { type: 'string', placeholder: 'semver', description: 'only this version' },
      ...PAGE_OPTIONS,
    },
    run: list,
  },
  {
    words: ['bundle', 'delete'],
    positionals: [],
    summary: 'Delete a bundle (refused while a channel points at it).',
    options: {
      app: APP,
      version: { type: 'string', placeholder: 'semver', required: true, description: 'the version to delete' },
    },
    run: remove,
  },
];
