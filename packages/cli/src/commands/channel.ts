import { type Channel, ChannelListToJSON, ChannelToJSON } from '@apps-api/client';
import { type Command, type Context, PAGE_OPTIONS, integer, optionalText, text } from '../context.js';
import { UsageError } from '../errors.js';
import { type Result, table } from '../output.js';

const APP = {
  type: 'string',
  placeholder: 'app_id',
  required: true,
  description: 'the app, such as com.example.app',
} as const;

const served = (channel: Channel) => channel.version ?? 'builtin';

async function list(context: Context): Promise<Result> {
  const appId = text(context, 'app');
  const answer = await context.client().channel.getChannels({
    app_id: appId,
    page: integer(context, 'page'),
    limit: integer(context, 'limit'),
  });
  // Without `channel` the API answers a page (ChannelList), never one Channel.
  if (!('data' in answer)) throw new Error('the server answered one channel where a page was asked for');
  const page = answer;
  const rows = page.data.map((c) => [c.name, served(c), c._public, c.ios, c.android, c.allow_device_self_set]);
  return {
    value: ChannelListToJSON(page),
    text: `${table(['channel', 'version', 'public', 'ios', 'android', 'self_set'], rows)}\n${page.data.length} of ${page.total} channels of ${appId}`,
  };
}

async function set(context: Context): Promise<Result> {
  const [name = ''] = context.positionals;
  const appId = text(context, 'app');
  const version = optionalText(context, 'version');
  const builtin = context.options.builtin === true;
  if ((version === undefined) === !builtin) throw new UsageError('give exactly one of --version <v> and --builtin');
  if (context.options.public && context.options.private)
    throw new UsageError('give at most one of --public and --private');
  // Left out, `public` keeps its value (false for a new channel); the generated model calls it `_public`.
  const visibility = context.options.public ? { _public: true } : context.options.private ? { _public: false } : {};
  const channel = await context.client().channel.upsertChannel({
    body: { app_id: appId, channel: name, version: builtin ? null : version, ...visibility },
  });
  // The generated model renames `public` (a reserved word) to `_public`; scripts get the API's own names.
  return { value: ChannelToJSON(channel), text: `channel ${channel.name} of ${appId} now serves ${served(channel)}` };
}

export const channelCommands: Command[] = [
  {
    words: ['channel', 'list'],
    positionals: [],
    summary: "List an app's channels and the version each serves.",
    options: { app: APP, ...PAGE_OPTIONS },
    run: list,
  },
  {
    words: ['channel', 'set'],
    positionals: ['<name>'],
    summary: 'Point a channel (created when new) at a bundle, or at the built-in code; optionally make it public.',
    options: {
      app: APP,
      version: { type: 'string', placeholder: 'semver', description: 'the bundle to serve' },
      builtin: { type: 'boolean', description: "serve the app's built-in code instead" },
      public: { type: 'boolean', description: 'make it the channel of every device that names no other' },
      private: { type: 'boolean', description: 'make it a channel only overrides and self-assignment reach' },
    },
    run: set,
  },
];
