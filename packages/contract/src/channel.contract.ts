import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { AuthHeaders, ONE_OF_NOTE, StatusOk, authErrorResponses, bodyErrorResponses } from './common.js';
import { ErrorBody } from './errors.js';
import { AppIdField, ChannelName, PageQuery, SEMVER_PATTERN, Timestamp } from './live-update.common.js';

const c = initContract();

export const DISABLE_AUTO_UPDATE_MODES = ['major', 'minor', 'patch', 'version_number', 'none'] as const;

export const DisableAutoUpdate = z
  .enum(DISABLE_AUTO_UPDATE_MODES)
  .describe(
    'Which updates devices must not get automatically: across a `major`, `minor` or `patch` version, below `min_update_version` (`version_number`), or `none`. Default `major`.',
  );

export const Channel = z
  .object({
    id: z.number().int().min(1).describe('Positive integer id, as in Capgo (the plugin requires a number).'),
    app_id: z.string(),
    name: z.string(),
    version: z.string().nullable().describe("Name of the bundle devices get; null = the app's built-in code."),
    public: z.boolean().describe('The default channel of devices that name none. Cannot be a device override.'),
    ios: z.boolean(),
    android: z.boolean(),
    electron: z.boolean(),
    allow_device_self_set: z.boolean().describe('Devices may choose this channel themselves (`/channel_self`).'),
    allow_emulator: z.boolean(),
    allow_device: z.boolean(),
    allow_dev: z.boolean(),
    allow_prod: z.boolean(),
    disable_auto_update: DisableAutoUpdate,
    disable_auto_update_under_native: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('Which bundle a group of devices should run.');

export const ChannelList = z
  .object({
    data: z.array(Channel),
    page: z.number().int().describe('The 0-based page returned.'),
    limit: z.number().int().describe('The page size used.'),
    total: z.number().int().describe('Number of channels of the app.'),
  })
  .describe("One page of the app's channels, ordered by name (byte order).");

export const GetChannelsQuery = z.object({
  app_id: AppIdField,
  channel: ChannelName.optional().describe('Answer this one channel instead of a page.'),
  ...PageQuery,
});

const Flag = (what: string) => z.boolean().optional().describe(what);

export const UpsertChannelBody = z
  .object({
    app_id: AppIdField,
    channel: ChannelName,
    version: z
      .string()
      .max(255, 'Must be at most 255 characters')
      .refine(
        (value) => value === 'builtin' || SEMVER_PATTERN.test(value),
        'Must be a SemVer 2.0 version such as 1.2.3, or "builtin"',
      )
      .nullable()
      .optional()
      .describe('A live bundle name (unknown: 404 `bundle_not_found`), or null / `"builtin"` for the built-in code.'),
    public: Flag(
      'Default false on creation. A public channel serves devices that ask for no channel; it cannot be a device override.',
    ),
    ios: Flag('Default true on creation.'),
    android: Flag('Default true on creation.'),
    electron: Flag('Default true on creation.'),
    allow_device_self_set: Flag('Default false on creation.'),
    allow_emulator: Flag('Default true on creation.'),
    allow_device: Flag('Default true on creation.'),
    allow_dev: Flag('Default true on creation.'),
    allow_prod: Flag('Default true on creation.'),
    disable_auto_update: DisableAutoUpdate.optional(),
    disable_auto_update_under_native: Flag('Default true on creation.'),
  })
  .strict()
  .describe(
    'Creates the channel of that name, or updates it: fields left out keep their value (or take the defaults on creation). Unknown fields are rejected with 400.',
  );

export const DeleteChannelQuery = z.object({ app_id: AppIdField, channel: ChannelName });

export type Channel = z.infer<typeof Channel>;
export type ChannelList = z.infer<typeof ChannelList>;
export type GetChannelsQuery = z.infer<typeof GetChannelsQuery>;
export type UpsertChannelBody = z.infer<typeof UpsertChannelBody>;
export type DeleteChannelQuery = z.infer<typeof DeleteChannelQuery>;

export const ChannelListOrChannel = z
  .union([ChannelList, Channel])
  .describe(`A \`ChannelList\`, or one \`Channel\` when \`channel\` is given. ${ONE_OF_NOTE}`);

const appMissing = 'No such app visible to the key (`app_not_found`)';

export const channelContract = c.router(
  {
    getChannels: {
      method: 'GET',
      path: '/channel',
      query: GetChannelsQuery,
      summary: 'List channels, or get one',
      description: `Without \`channel\`: a page of the app's channels ordered by name (byte order). With \`channel\`: that one Channel (\`page\` and \`limit\` are then ignored).`,
      responses: {
        200: ChannelListOrChannel,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        404: ErrorBody.describe(`${appMissing}, or \`channel\` unknown (\`channel_not_found\`).`),
        ...authErrorResponses,
      },
    },
    upsertChannel: {
      method: 'POST',
      path: '/channel',
      body: UpsertChannelBody,
      summary: 'Create or update a channel',
      description: `Creates the channel (201) or updates the existing one of that exact name (200), and answers it. Needs \`write\`.`,
      responses: {
        200: Channel,
        201: Channel,
        400: ErrorBody.describe('Invalid body (`invalid_parameters`).'),
        403: ErrorBody.describe('The key can see the app but lacks `write` (`insufficient_permissions`).'),
        404: ErrorBody.describe(`${appMissing}, or \`version\` names no live bundle (\`bundle_not_found\`).`),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteChannel: {
      method: 'DELETE',
      path: '/channel',
      query: DeleteChannelQuery,
      body: c.noBody(),
      summary: 'Delete a channel',
      description: `Deletes the channel; device overrides to it go with it. The bundle it pointed at stays. Needs \`admin\`.`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: ErrorBody.describe('The key can see the app but lacks `admin` (`insufficient_permissions`).'),
        404: ErrorBody.describe(`${appMissing}, or unknown channel (\`channel_not_found\`).`),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
