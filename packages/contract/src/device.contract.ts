import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { AuthHeaders, ONE_OF_NOTE, StatusOk, authErrorResponses, bodyErrorResponses, integerQuery } from './common.js';
import { ErrorBody } from './errors.js';
import { AppIdField, ChannelName, DeviceId, Timestamp } from './live-update.common.js';

const c = initContract();

export const Device = z
  .object({
    device_id: z.string().describe('Lower-case UUID.'),
    app_id: z.string(),
    custom_id: z.string().describe('Set by the app through the plugin; `""` when none.'),
    platform: z.string().describe('`ios`, `android` or `electron`, as the device said.'),
    version_name: z.string().describe('The bundle the device runs (`builtin` for the shipped code).'),
    version_build: z.string().nullable().describe('Native app version.'),
    os_version: z.string().nullable(),
    plugin_version: z.string().nullable(),
    is_prod: z.boolean(),
    is_emulator: z.boolean(),
    install_source: z.string().nullable(),
    default_channel: z.string().nullable().describe('The channel the device asks for; null when none.'),
    channel: z.string().nullable().describe("Name of the device's override channel (`POST /device`); null when none."),
    created_at: Timestamp.describe('First seen.'),
    updated_at: Timestamp.describe('Last seen: every device request refreshes it.'),
  })
  .describe('A phone running the app, as its last request described it.');

export const DeviceList = z
  .object({
    data: z.array(Device),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
    hasMore: z.boolean().describe('Whether another page follows.'),
  })
  .describe('Devices, most recently seen first.');

export const GetDevicesQuery = z.object({
  app_id: AppIdField,
  device_id: DeviceId.optional().describe('Answer this one device instead of a page.'),
  limit: integerQuery(1, 1000).default(50).describe('Devices per page, 1–1000. Default 50.'),
  cursor: z
    .string()
    .max(200, 'Must be at most 200 characters')
    .optional()
    .describe(
      'Opaque: the `nextCursor` of the previous page (a malformed one is a 400). Pages stay consistent while devices keep checking in: a device is never listed twice, and one that checks in again moves to the front.',
    ),
});

export const SetDeviceOverrideBody = z
  .object({ app_id: AppIdField, device_id: DeviceId, channel: ChannelName })
  .strict()
  .describe('Unknown fields are rejected with 400.');

export const DeleteDeviceOverrideQuery = z.object({ app_id: AppIdField, device_id: DeviceId });

export type Device = z.infer<typeof Device>;
export type DeviceList = z.infer<typeof DeviceList>;
export type GetDevicesQuery = z.infer<typeof GetDevicesQuery>;
export type SetDeviceOverrideBody = z.infer<typeof SetDeviceOverrideBody>;
export type DeleteDeviceOverrideQuery = z.infer<typeof DeleteDeviceOverrideQuery>;

export const DeviceListOrDevice = z
  .union([DeviceList, Device])
  .describe(`A \`DeviceList\`, or one \`Device\` when \`device_id\` is given. ${ONE_OF_NOTE}`);

const appMissing = 'No such app visible to the key (`app_not_found`)';

export const deviceContract = c.router(
  {
    getDevices: {
      method: 'GET',
      path: '/device',
      query: GetDevicesQuery,
      summary: 'List devices, or get one',
      description: `Without \`device_id\`: devices that have checked in, most recently seen first, by cursor. With \`device_id\`: that one Device; a device that has an override but has never checked in is a 404.`,
      responses: {
        200: DeviceListOrDevice,
        400: ErrorBody.describe('Invalid query or cursor (`invalid_parameters`).'),
        404: ErrorBody.describe(`${appMissing}, or unknown device (\`device_not_found\`).`),
        ...authErrorResponses,
      },
    },
    setDeviceOverride: {
      method: 'POST',
      path: '/device',
      body: SetDeviceOverrideBody,
      summary: "Set a device's channel override",
      description: `The device gets this channel's bundle whatever it asks for. The device need not have checked in yet. Public channels cannot be overrides. Needs \`write\`.`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe(
          'Invalid body (`invalid_parameters`), or a public channel (`public_channel_override`).',
        ),
        403: ErrorBody.describe('The key can see the app but lacks `write` (`insufficient_permissions`).'),
        404: ErrorBody.describe(`${appMissing}, or unknown channel (\`channel_not_found\`).`),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteDeviceOverride: {
      method: 'DELETE',
      path: '/device',
      query: DeleteDeviceOverrideQuery,
      body: c.noBody(),
      summary: "Remove a device's channel override",
      description: `Answers 200 also when the device had no override. Needs \`write\`.`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: ErrorBody.describe('The key can see the app but lacks `write` (`insufficient_permissions`).'),
        404: ErrorBody.describe(`${appMissing}.`),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
