import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { AuthHeaders, StatusOk, authErrorResponses, bodyErrorResponses, integerQuery, updateBody } from './common.js';
import { ErrorBody } from './errors.js';

const c = initContract();

export const APP_ID_PATTERN = /^[A-Za-z0-9]+(\.[A-Za-z0-9_-]+)+$/;
export const RETENTION_DEFAULT_SECONDS = 2_592_000;
export const RETENTION_MAX_SECONDS = 63_113_903;

export const AppId = z
  .string()
  .max(255, 'Must be at most 255 characters')
  .regex(
    APP_ID_PATTERN,
    'Must be a reverse-domain identifier such as com.example.app (ASCII letters, digits, "_" and "-")',
  )
  .describe(
    'Public app identifier in reverse-domain form, at most 255 ASCII characters. Stored as sent, compared case-insensitively: unique across the whole service, found by either spelling.',
  );

const AppName = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(255, 'Must be at most 255 characters')
  .describe('Display name, 1–255 characters, stored trimmed.');

export const isHttpUrl = (value: string): boolean => {
  if (!/^https?:\/\/\S+$/i.test(value)) return false;
  try {
    return Boolean(new URL(value).host);
  } catch {
    return false;
  }
};

/** An http(s) URL of at most 2048 characters, or `""` for "no icon". */
const IconField = z
  .string()
  .max(2048, 'Must be at most 2048 characters')
  .refine((value) => value === '' || isHttpUrl(value), 'Must be an http(s) URL');

const Retention = z
  .number({ invalid_type_error: 'Expected an integer number of seconds' })
  .int('Expected an integer number of seconds')
  .min(0, 'Must be at least 0')
  .max(RETENTION_MAX_SECONDS, `Must be at most ${RETENTION_MAX_SECONDS} seconds`)
  .describe(
    `How long old bundles are kept, in **seconds** (not days): 0–${RETENTION_MAX_SECONDS} (about 2 years); 0 deletes old bundles at once. Default ${RETENTION_DEFAULT_SECONDS} (30 days).`,
  );

export const TransferRecord = z.object({
  from_org: z.string().uuid(),
  to_org: z.string().uuid(),
  transferred_at: z.string().datetime(),
});

export const App = z
  .object({
    app_id: AppId,
    id: z.string().uuid().describe('Internal id.'),
    name: z.string(),
    icon_url: z.string().describe('Icon URL, `""` when the app has none.'),
    owner_org: z.string().uuid().describe('The organization that owns the app.'),
    user_id: z.string().uuid().nullable().describe('The user whose key created the app.'),
    default_upload_channel: z.string().describe('`"dev"` on creation.'),
    retention: Retention,
    last_version: z.string().nullable().describe('Name of the last bundle uploaded; null until bundles exist.'),
    transfer_history: z
      .array(TransferRecord)
      .nullable()
      .describe('Moves between organizations, oldest first; null until the first move.'),
    created_at: z.string().datetime().describe('ISO-8601 creation time.'),
    updated_at: z.string().datetime().describe('ISO-8601 time of the last change.'),
  })
  .describe('A Capacitor application managed by the service.');

export const AppList = z
  .object({
    data: z.array(App),
    page: z.number().int().describe('The 0-based page returned.'),
    limit: z.number().int().describe('The page size used.'),
    total: z.number().int().describe('Number of apps matching the query across all pages.'),
  })
  .describe('One page of apps, newest first.');

export const ListAppsQuery = z.object({
  page: integerQuery(0, 1_000_000).default(0).describe('0-based page number, 0–1,000,000. Default 0.'),
  limit: integerQuery(1, 1000)
    .default(50)
    .describe('Apps per page, 1–1000. Default 50. Out of range is a 400, never clamped.'),
  org_id: z
    .string()
    .uuid('Must be a UUID')
    .optional()
    .describe('Only apps of this organization. Without it: every app the key may read.'),
});

export const AppIdParams = z.object({ app_id: AppId });

export const CreateAppBody = z
  .object({
    app_id: AppId,
    name: AppName,
    icon: IconField.nullable()
      .optional()
      .describe('Icon URL, http(s), at most 2048 characters. Omitted, `""` or null: no icon.'),
    owner_org: z
      .string()
      .uuid('Must be a UUID')
      .describe('Organization that will own the app; the key needs `write` on it.'),
  })
  .strict()
  .describe('Unknown fields (including `retention`) are rejected with 400.');

export const UpdateAppBody = updateBody({
  name: AppName.optional(),
  icon: IconField.nullable()
    .optional()
    .describe('New icon URL, http(s), at most 2048 characters; `""` or null clears the icon.'),
  retention: Retention.optional(),
}).describe('At least one field. Unknown fields are rejected with 400.');

export type App = z.infer<typeof App>;
export type AppList = z.infer<typeof AppList>;
export type CreateAppBody = z.infer<typeof CreateAppBody>;
export type UpdateAppBody = z.infer<typeof UpdateAppBody>;
export type ListAppsQuery = z.infer<typeof ListAppsQuery>;

export const appContract = c.router(
  {
    listApps: {
      method: 'GET',
      path: '/app',
      query: ListAppsQuery,
      summary: 'List apps',
      description:
        'Apps the key may read, newest first (`created_at` descending, then `app_id` ascending in byte order), stable across pages. `page` is 0-based. With `org_id`, only that organization; a key that may not read it gets 403 (also when the organization does not exist).',
      responses: {
        200: AppList,
        400: ErrorBody.describe('Invalid query (`invalid_parameters`).'),
        403: ErrorBody.describe('`org_id` given but not readable by the key (`org_access_denied`).'),
        ...authErrorResponses,
      },
    },
    getApp: {
      method: 'GET',
      path: '/app/:app_id',
      pathParams: AppIdParams,
      summary: 'Get one app',
      description:
        'Finds the app by `app_id` in either spelling. Missing, and not readable by the key, give the same 404.',
      responses: {
        200: App,
        400: ErrorBody.describe('Malformed `app_id` (`invalid_parameters`).'),
        404: ErrorBody.describe('No such app visible to the key (`app_not_found`).'),
        ...authErrorResponses,
      },
    },
    createApp: {
      method: 'POST',
      path: '/app',
      body: CreateAppBody,
      summary: 'Create an app',
      description:
        'Checks, in order: the body (400), `write` on `owner_org` (403 `org_access_denied`; a key limited to apps may not create apps: 403 `insufficient_permissions`), then uniqueness of `app_id` across the whole service, case-insensitively (409). New apps get `retention` 2592000 seconds and `default_upload_channel` "dev". Answers 201 with a `Location` header.',
      responses: {
        201: App,
        400: ErrorBody.describe('Invalid body, unknown field, or body not JSON (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'No `write` on `owner_org` (`org_access_denied`), or key limited to apps (`insufficient_permissions`).',
        ),
        409: ErrorBody.describe('`app_id` already used by any organization (`app_id_taken`).'),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    updateApp: {
      method: 'PUT',
      path: '/app/:app_id',
      pathParams: AppIdParams,
      body: UpdateAppBody,
      summary: 'Update an app',
      description:
        'Changes `name`, `icon` and/or `retention` (seconds). Needs `write` on the app. `updated_at` advances on every update.',
      responses: {
        200: App,
        400: ErrorBody.describe('Invalid body or `app_id` (`invalid_parameters`).'),
        403: ErrorBody.describe('The key can read the app but not write it (`insufficient_permissions`).'),
        404: ErrorBody.describe('No such app visible to the key (`app_not_found`).'),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteApp: {
      method: 'DELETE',
      path: '/app/:app_id',
      pathParams: AppIdParams,
      body: c.noBody(),
      summary: 'Delete an app',
      description:
        "Removes the app and everything that belongs to it, in one transaction; cannot be undone. Needs `admin` on the app's organization. The `app_id` can be used again afterwards.",
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Malformed `app_id` (`invalid_parameters`).'),
        403: ErrorBody.describe('The key can read the app but is not `admin` (`insufficient_permissions`).'),
        404: ErrorBody.describe('No such app visible to the key (`app_not_found`).'),
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
