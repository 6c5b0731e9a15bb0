import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import {
  AppId,
  AuthHeaders,
  LIMIT_REACHED,
  StatusOk,
  authErrorResponses,
  bodyErrorResponses,
  updateBody,
} from './common.js';
import { ErrorBody } from './errors.js';

const c = initContract();

/** Key modes, lowest first. */
export const KEY_MODES = ['read', 'upload', 'write', 'all'] as const;
export const MAX_KEY_LIMITS = 100;

export const KeyMode = z
  .enum(KEY_MODES)
  .describe(
    "Caps the key's right in every organization: `read < upload < write < all` (`all` = the user's role, uncapped).",
  );

const KeyName = z
  .string()
  .trim()
  .min(1, 'Must not be empty')
  .max(255, 'Must be at most 255 characters')
  .describe('Display name, 1–255 characters, stored trimmed.');

const LimitedToOrgs = z
  .array(z.string().uuid('Must be a UUID'))
  .max(MAX_KEY_LIMITS, `Must list at most ${MAX_KEY_LIMITS} organizations`)
  .describe(
    `Organization ids the key is confined to, at most ${MAX_KEY_LIMITS}; \`[]\` = no limit. Each must be an organization the caller may read (otherwise 403 \`org_access_denied\`). On update the list is replaced.`,
  );

const LimitedToApps = z
  .array(AppId)
  .max(MAX_KEY_LIMITS, `Must list at most ${MAX_KEY_LIMITS} apps`)
  .describe(
    `App ids (reverse-domain form) the key is confined to, at most ${MAX_KEY_LIMITS}; \`[]\` = no limit. Compared case-insensitively and stored lower-cased; the apps need not exist yet. On update the list is replaced.`,
  );

const ExpiresAt = z
  .string()
  .datetime({ offset: true, message: 'Must be an ISO-8601 date-time with a time zone (Z or ±hh:mm)' })
  .refine((value) => Date.parse(value) > Date.now(), 'Must be in the future')
  .nullable()
  .describe(
    "ISO-8601 date-time with a time zone, in the future (past: 400); null = never expires. Never later than the calling key's own expiry when it has one. An expired key gets 401 `invalid_apikey` everywhere.",
  );

export const ApiKey = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    mode: KeyMode,
    limited_to_orgs: z.array(z.string().uuid()).describe('Organization ids the key is confined to; `[]` = no limit.'),
    limited_to_apps: z.array(z.string()).describe('Lower-cased app ids the key is confined to; `[]` = no limit.'),
    expires_at: z.string().datetime().nullable().describe('ISO-8601 expiry, or null.'),
    last_used_at: z
      .string()
      .datetime()
      .nullable()
      .describe('ISO-8601 time of the last authenticated request, to the minute; null if never used.'),
    created_at: z.string().datetime(),
    hint: z.string().describe('Non-secret reminder of the key: `capgo_…` and its last 4 characters.'),
  })
  .describe('An API key. Neither the secret nor its hash is ever returned after creation.');

export const CreatedApiKey = ApiKey.extend({
  key: z.string().describe('The secret. Shown in this response only: store it now, it cannot be read again.'),
}).describe('The new key, with its secret.');

export const ApiKeyList = z.object({ data: z.array(ApiKey) }).describe("The caller's keys, newest first.");

export const ApiKeyIdParams = z.object({ id: z.string().uuid('Must be a UUID') });

export const CreateApiKeyBody = z
  .object({
    name: KeyName,
    mode: KeyMode.default('read').describe('Default `read`.'),
    limited_to_orgs: LimitedToOrgs.optional(),
    limited_to_apps: LimitedToApps.optional(),
    expires_at: ExpiresAt.optional(),
  })
  .strict()
  .describe('Unknown fields are rejected with 400.');

export const UpdateApiKeyBody = updateBody({
  name: KeyName.optional(),
  mode: KeyMode.optional(),
  limited_to_orgs: LimitedToOrgs.optional(),
  limited_to_apps: LimitedToApps.optional(),
  expires_at: ExpiresAt.optional(),
}).describe('At least one field; fields left out keep their value. Unknown fields are rejected with 400.');

export type KeyMode = z.infer<typeof KeyMode>;
export type ApiKey = z.infer<typeof ApiKey>;
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;
export type CreateApiKeyBody = z.infer<typeof CreateApiKeyBody>;
export type UpdateApiKeyBody = z.infer<typeof UpdateApiKeyBody>;

const WHO_MANAGES =
  "Only a key of mode `all` without `limited_to_orgs` may use the /apikey routes (otherwise 403 `insufficient_permissions`); it sees and changes only its own user's keys, and of those only the ones no more powerful than itself (same rule as below: mode, `limited_to_apps`, `expires_at`). A more powerful key is left out of the list and answers 403 `insufficient_permissions` to get, update and delete, so a key confined to some apps cannot revoke or narrow its owner's unrestricted key.";
const NO_ESCALATION =
  "The resulting key may not be more powerful than the calling key: mode at most the caller's, `limited_to_apps` a subset of the caller's when the caller has any, `expires_at` no later than the caller's when the caller has one (403 `insufficient_permissions`). So a key cannot lift its own limits.";

const notFound = ErrorBody.describe("Unknown id, or another user's key (`apikey_not_found`).");

export const apikeyContract = c.router(
  {
    listApiKeys: {
      method: 'GET',
      path: '/apikey',
      summary: 'List API keys',
      description: `The caller's user's keys, newest first, without secrets or hashes. ${WHO_MANAGES}`,
      responses: {
        200: ApiKeyList,
        403: ErrorBody.describe('The key may not manage keys (`insufficient_permissions`).'),
        ...authErrorResponses,
      },
    },
    getApiKey: {
      method: 'GET',
      path: '/apikey/:id',
      pathParams: ApiKeyIdParams,
      summary: 'Get one API key',
      description: `One of the caller's user's keys, without its secret. ${WHO_MANAGES}`,
      responses: {
        200: ApiKey,
        400: ErrorBody.describe('Malformed id (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'The key may not manage keys, or this key is more powerful than the calling key (`insufficient_permissions`).',
        ),
        404: notFound,
        ...authErrorResponses,
      },
    },
    createApiKey: {
      method: 'POST',
      path: '/apikey',
      body: CreateApiKeyBody,
      summary: 'Create an API key',
      description: `A new key of the caller's user; the secret (\`key\`) is in this 201 response only, the database keeps a SHA-256 hash. ${WHO_MANAGES} ${NO_ESCALATION} Keys per user are capped: ${LIMIT_REACHED}`,
      responses: {
        201: CreatedApiKey,
        400: ErrorBody.describe('Invalid body, unknown field, or `expires_at` in the past (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'The key may not manage keys or the new key would exceed it (`insufficient_permissions`), or `limited_to_orgs` names an organization the caller may not read (`org_access_denied`).',
        ),
        409: ErrorBody.describe(
          'The user already has the most keys allowed (`limit_reached`, `details.limit` = `keys_per_user`).',
        ),
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    updateApiKey: {
      method: 'PUT',
      path: '/apikey/:id',
      pathParams: ApiKeyIdParams,
      body: UpdateApiKeyBody,
      summary: 'Update an API key',
      description: `Changes name, mode, limits or expiry; the limit lists are replaced, \`expires_at: null\` removes the expiry. The secret does not change. ${WHO_MANAGES} ${NO_ESCALATION}`,
      responses: {
        200: ApiKey,
        400: ErrorBody.describe(
          'Invalid body or id, unknown field, or `expires_at` in the past (`invalid_parameters`).',
        ),
        403: ErrorBody.describe(
          'The key may not manage keys, the key to change is more powerful than the calling key, or the result would exceed it (`insufficient_permissions`); or `limited_to_orgs` names an organization the caller may not read (`org_access_denied`).',
        ),
        404: notFound,
        ...bodyErrorResponses,
        ...authErrorResponses,
      },
    },
    deleteApiKey: {
      method: 'DELETE',
      path: '/apikey/:id',
      pathParams: ApiKeyIdParams,
      body: c.noBody(),
      summary: 'Revoke an API key',
      description: `Deletes the key: from this moment it gets 401 \`invalid_apikey\`. Any of the user's keys may be revoked, the calling key included. ${WHO_MANAGES}`,
      responses: {
        200: StatusOk,
        400: ErrorBody.describe('Malformed id (`invalid_parameters`).'),
        403: ErrorBody.describe(
          'The key may not manage keys, or this key is more powerful than the calling key (`insufficient_permissions`).',
        ),
        404: notFound,
        ...authErrorResponses,
      },
    },
  },
  { baseHeaders: AuthHeaders, strictStatusCodes: true },
);
