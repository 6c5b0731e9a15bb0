import { z } from 'zod';

/** Every machine-readable error code the API can answer with (SPEC §4). */
export const ERROR_CODES = [
  'invalid_parameters',
  'no_key_provided',
  'invalid_apikey',
  'org_access_denied',
  'insufficient_permissions',
  'app_not_found',
  'app_id_taken',
  'apikey_not_found',
  'member_not_found',
  'invitation_not_found',
  'last_super_admin',
  'limit_reached',
  'bundle_not_found',
  'channel_not_found',
  'device_not_found',
  'version_already_exists',
  'bundle_linked_to_channel',
  'invalid_bundle',
  'checksum_mismatch',
  'public_channel_override',
  'invalid_signature',
  'range_not_satisfiable',
  'not_found',
  'unsupported_media_type',
  'payload_too_large',
  'rate_limited',
  'internal_error',
  'service_unavailable',
] as const;

export const ErrorCode = z
  .enum(ERROR_CODES)
  .describe('Machine-readable snake_case code; branch on this, not on `error`.');
export type ErrorCode = z.infer<typeof ErrorCode>;

/** A 400 lists at most this many issues, the first ones found, so that its size stays bounded. */
export const MAX_ISSUES = 50;

export const ValidationIssue = z
  .object({
    path: z
      .string()
      .describe('Dotted path of the failing field inside the body, query or path ("" for the whole body).'),
    message: z.string().describe('Why the value was rejected.'),
  })
  .describe('One failing field.');

/** Other keys may follow `issues` in a later version; clients ignore what they do not know. */
export const ErrorDetails = z
  .object({ issues: z.array(ValidationIssue).optional() })
  .passthrough()
  .describe(
    `Present on validation errors: \`issues\` names every failing field, at most ${MAX_ISSUES} (the first ones found).`,
  );

export const ErrorBody = z
  .object({
    status: z.literal('KO'),
    error: z.string().min(1).describe('Human-readable message; stable for each code.'),
    code: ErrorCode,
    details: ErrorDetails.optional(),
    request_id: z.string().describe('Same value as the `x-request-id` response header.'),
  })
  .strict()
  .describe('The one envelope of every error response.');

export type ErrorBody = z.infer<typeof ErrorBody>;
