import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { Channel } from './channel.contract.js';
import { AuthHeaders, StatusOk, authErrorResponses, bodyErrorResponses, isHttpUrl } from './common.js';
import { ErrorBody } from './errors.js';
import { AppIdField, BundleVersion, ChannelName, PageQuery, Timestamp } from './live-update.common.js';

const c = initContract();

/** Upload size limit when `BUNDLE_MAX_BYTES` is unset (100 MiB). */
export const BUNDLE_MAX_BYTES_DEFAULT = 104_857_600;

const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'Must be a SHA-256 digest in hex (64 characters)')
  .transform((value) => value.toLowerCase());

const ExternalChecksum = z
  .string()
  .regex(/^([0-9a-fA-F]{64}|[0-9a-fA-F]{8})$/, 'Must be SHA-256 hex (64 characters) or CRC32 hex (8 characters)')
  .transform((value) => value.toLowerCase())
  .describe(
    "The zip's checksum as devices will verify it: SHA-256 hex (64 characters), or CRC32 hex (8 characters) for plugins older than 5.10/6.25/7.0.30. Stored lower-cased.",
  );

const HttpsUrl = z
  .string()
  .max(2048, 'Must be at most 2048 characters')
  .refine((value) => /^https:\/\//i.test(value) && isHttpUrl(value), 'Must be an https:// URL')
  .describe('Where devices download the zip: an `https://` URL (anything else is a 400), at most 2048 characters.');

const SessionKey = z
  .string()
  .min(1, 'Must not be empty')
  .max(1024, 'Must be at most 1024 characters')
  .describe(
    'Encrypted bundles: `<base64 IV>:<base64 RSA-encrypted AES key>`, stored and returned as sent (opaque), at most 1024 characters.',
  );

const KeyId = z
  .string()
  .min(1, 'Must not be empty')
  .max(255, 'Must be at most 255 characters')
  .describe('Id of the public key the bundle was encrypted for (opaque), at most 255 characters.');

const LinkChannel = ChannelName.describe(
  'Also point this existing channel at the new bundle; an unknown channel is a 404 `channel_not_found` and nothing is created. Needs `write` besides `upload`.',
);

export const BundleStorage = z
  .enum(['stored', 'external'])
  .describe('`stored`: uploaded to this service; `external`: hosted elsewhere.');

export const Bundle = z
  .object({
    id: z.number().int().min(1).describe('Positive integer id, as in Capgo.'),
    app_id: z.string().describe('The app it belongs to.'),
    name: z.string().describe('The version (SemVer 2.0).'),
    checksum: z
      .string()
      .describe(
        'Lower-case hex. Stored bundles: SHA-256 (64 characters) computed by the server. External ones: as registered (SHA-256, or CRC32 of 8 characters).',
      ),
    storage: BundleStorage,
    external_url: z.string().nullable().describe('The https URL of an external bundle; null for stored ones.'),
    size: z.number().int().nullable().describe('Size of a stored zip in bytes; null for external bundles.'),
    session_key: z.string().nullable(),
    key_id: z.string().nullable(),
    min_update_version: z
      .string()
      .nullable()
      .describe('Lowest version a device must run to update to this one; null = none.'),
    link: z.string().nullable().describe('A URL about this bundle (release notes, commit).'),
    comment: z.string().nullable(),
    user_id: z.string().uuid().nullable().describe('The user whose key created it; null if that user is gone.'),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('One version of the app’s web code (a zip).');

export const BundleList = z
  .object({
    data: z.array(Bundle),
    page: z.number().int().describe('The 0-based page returned.'),
    limit: z.number().int().describe('The page size used.'),
    total: z.number().int().describe('Number of live bundles matching the query across all pages.'),
  })
  .describe('One page of live bundles, newest first.');

export const ListBundlesQuery = z.object({
  app_id: AppIdField,
  ...PageQuery,
  version: BundleVersion.optional().describe('Only the bundle of this name (a list of zero or one).'),
});

export const CreateBundleBody = z
  .object({
    app_id: AppIdField,
    version: BundleVersion,
    external_url: HttpsUrl,
    checksum: ExternalChecksum,
    session_key: SessionKey.optional(),
    key_id: KeyId.optional(),
    channel: LinkChannel.optional(),
  })
  .strict()
  .describe('An externally hosted bundle. Unknown fields are rejected with 400.');

export const UploadBundleQuery = z.object({
  app_id: AppIdField,
  version: BundleVersion,
  checksum: Sha256Hex.optional().describe(
    'SHA-256 hex the uploaded zip must have; a mismatch is a 400 `checksum_mismatch` and nothing is stored.',
  ),
  channel: LinkChannel.optional(),
});

export const UploadBundleBody = z
  .unknown()
  .describe(
    'The zip itself, as `application/zip` or `application/octet-stream` (other types: 415), at most `BUNDLE_MAX_BYTES` bytes (default 104857600; more: 413). Streamed to storage, never held in memory.',
  );

export const LinkBundleBody = z
  .object({ app_id: AppIdField, version: BundleVersion, channel: ChannelName })
  .strict()
  .describe('Points `channel` at the live bundle `version`. Unknown fields are rejected with 400.');

const OptionalLink = z
  .string()
  .max(2048, 'Must be at most 2048 characters')
  .refine(isHttpUrl, 'Must be an http(s) URL')
  .nullable()
  .optional()
  .describe('http(s) URL, at most 2048 characters; null clears it.');

export const BundleMetadataBody = z
  .object({
    app_id: AppIdField,
    version: BundleVersion,
    link: OptionalLink,
    comment: z
      .string()
      .max(2048, 'Must be at most 2048 characters')
      .nullable()
      .optional()
      .describe('Free text, at most 2048 characters; null clears it.'),
    min_update_version: BundleVersion.nullable().optional().describe('A SemVer version, or null to clear it.'),
  })
  .strict()
  .refine((body) => body.link !== undefined || body.comment !== undefined || body.min_update_version !== undefined, {
    message: 'At least one of link, comment, min_update_version is required',
  })
  .describe(
    '`app_id`, `version` and at least one of `link`, `comment`, `min_update_version`. Unknown fields are rejected with 400.',
  );

export const DeleteBundleQuery = z.object({ app_id: AppIdField, version: BundleVersion });

export type Bundle = z.infer<typeof Bundle>;
export type BundleList = z.infer<typeof BundleList>;
export type ListBundlesQuery = z.infer<typeof ListBundlesQuery>;
export type CreateBundleBody = z.infer<typeof CreateBundleBody>;
export type UploadBundleQuery = z.infer<typeof UploadBundleQuery>;
export type LinkBundleBody = z.infer<typeof LinkBundleBody>;
export type BundleMetadataBody = z.infer<typeof BundleMetadataBody>;
export type DeleteBundleQuery = z.infer<typeof DeleteBundleQuery>;

const forbidden = (right: string) =>
  ErrorBody.describe(`The key can see the app but lacks \`${right}\` (\`insufficient_permissions\`).`);
const appMissing = 'No such app visible to the key (`app_not_found`)';
const versionTaken = ErrorBody.describe(
  'A live or deleted bundle of the app already has this name (`version_already_exists`).',
);

export const bundleContract = c.router(
  {
    listBundles: {
      method: 'GET',
      path: '/bundle',
      query: ListBundlesQuery,
      summary: 'List bundles',
      description: `Live bundles of the app, newest first (\`created_at\` descending, then \`id\` descending), \`page\` 0-based as for /app. Deleted bundles never appear.`,
      responses: {
        200: BundleList,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        404: ErrorBody.describe(`${appMissing}.`),
        ...authErrorResponses,
      },
    },
    createBundle: {
      method: 'POST',
      path: '/bundle',
      body: CreateBundleBody,
      summary: 'Register an external bundle',
      description: `Registers a zip hosted elsewhere (\`storage: "external"\`). Needs \`upload\` (and \`write\` with \`channel\`). The app's \`last_version\` becomes this bundle.`,
      responses: {
        201: Bundle,
        400: ErrorBody.describe('Invalid body, non-https `external_url`, unknown field (`invalid_parameters`).'),
        403: forbidden('upload'),
        404: ErrorBody.describe(`${appMissing}, or \`channel\` unknown (\`channel_not_found\`).`),
        409: versionTaken,
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    uploadBundle: {
      method: 'POST',
      path: '/bundle/upload',
      query: UploadBundleQuery,
      body: UploadBundleBody,
      summary: 'Upload a bundle',
      description: `Streams the zip to the configured storage and answers the new bundle (\`storage: "stored"\`, \`size\` and SHA-256 \`checksum\` computed). The zip must be readable and no entry may have an absolute path, a drive letter, a backslash or a \`..\` segment (400 \`invalid_bundle\`). All or nothing: on any failure (bad zip, too large, checksum mismatch, client gone, storage or database down) no bundle and no stored file remain. Needs \`upload\` (and \`write\` with \`channel\`).`,
      responses: {
        201: Bundle,
        400: ErrorBody.describe(
          'Invalid query (`invalid_parameters`), not a valid zip or an unsafe entry path (`invalid_bundle`), or `checksum` not matching (`checksum_mismatch`).',
        ),
        403: forbidden('upload'),
        404: ErrorBody.describe(`${appMissing}, or \`channel\` unknown (\`channel_not_found\`).`),
        409: versionTaken,
        413: ErrorBody.describe('Body larger than `BUNDLE_MAX_BYTES` (`payload_too_large`).'),
        415: ErrorBody.describe(
          'Content type other than `application/zip` or `application/octet-stream` (`unsupported_media_type`).',
        ),
        ...authErrorResponses,
      },
      metadata: { binaryBody: ['application/zip', 'application/octet-stream'] },
    },
    linkBundle: {
      method: 'PUT',
      path: '/bundle',
      body: LinkBundleBody,
      summary: 'Link a bundle to a channel',
      description: `Points the channel at the bundle and answers the channel. Needs \`write\`.`,
      responses: {
        200: Channel,
        400: ErrorBody.describe('Invalid body (`invalid_parameters`).'),
        403: forbidden('write'),
        404: ErrorBody.describe(
          `${appMissing}, unknown bundle (\`bundle_not_found\`) or channel (\`channel_not_found\`).`,
        ),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    updateBundleMetadata: {
      method: 'POST',
      path: '/bundle/metadata',
      body: BundleMetadataBody,
      summary: 'Edit bundle metadata',
      description: `Sets or clears \`link\`, \`comment\` and \`min_update_version\`; fields left out keep their value. Needs \`write\`.`,
      responses: {
        200: Bundle,
        400: ErrorBody.describe('Invalid body, or none of the three fields (`invalid_parameters`).'),
        403: forbidden('write'),
        404: ErrorBody.describe(`${appMissing}, or unknown bundle (\`bundle_not_found\`).`),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteBundle: {
      method: 'DELETE',
      path: '/bundle',
      query: DeleteBundleQuery,
      body: c.noBody(),
      summary: 'Delete a bundle',
      description: `Marks the bundle deleted (it disappears from every answer; its name stays taken) and removes its stored file. The app's \`last_version\` moves to the newest live bundle. Needs \`admin\`.`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: forbidden('admin'),
        404: ErrorBody.describe(`${appMissing}, or unknown bundle (\`bundle_not_found\`).`),
        409: ErrorBody.describe('A channel points at the bundle (`bundle_linked_to_channel`).'),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
