import { z } from 'zod';
import { ErrorBody } from './errors.js';

/**
 * The three headers a key may arrive in, all optional at the schema level:
 * the API answers 401 when none carries a key.
 */
export const AuthHeaders = z.object({
  authorization: z.string().optional().describe('API key, raw or as `Bearer <key>`. Checked first.'),
  capgkey: z.string().optional().describe('API key (Capgo CLI header). Checked second.'),
  'x-api-key': z.string().optional().describe('API key. Checked last.'),
});

/** Error responses every authenticated route can give, whatever its input. */
export const authErrorResponses = {
  401: ErrorBody.describe('No key (`no_key_provided`) or an unknown, revoked or expired key (`invalid_apikey`).'),
  429: ErrorBody.describe(
    'Rate limit exceeded (`rate_limited`): per key (policy `"api-key"`), per user over all of their keys (policy `"user"`), or for repeated invalid keys from one IP (policy `"failed-auth"`, which refuses only invalid keys: a valid key from that IP is still served). `Retry-After` gives the seconds to wait; every authenticated response carries IETF draft-8 `RateLimit` and `RateLimit-Policy` headers for one policy: the one with fewer requests left (the key\'s on a tie).',
  ),
  500: ErrorBody.describe('Unexpected error (`internal_error`); the body never carries a stack trace.'),
  503: ErrorBody.describe('Database unreachable (`service_unavailable`); retry later.'),
} as const;

/**
 * An integer query parameter: digits only (no sign, exponent or blanks), then range-checked.
 * Out-of-range values are rejected with 400, never clamped.
 */
export const integerQuery = (min: number, max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && /^-?\d{1,10}$/.test(value) ? Number(value) : value),
    z
      .number({ invalid_type_error: 'Expected an integer' })
      .int('Expected an integer')
      .min(min, `Must be at least ${min}`)
      .max(max, `Must be at most ${max}`),
  );

/** An update body: these optional fields, at least one of them, and no other (400 naming any unknown field). */
export function updateBody<T extends z.ZodRawShape>(shape: T) {
  return z
    .object(shape)
    .strict()
    .refine((body) => Object.keys(body).length > 0, {
      message: `At least one of ${Object.keys(shape).join(', ')} is required`,
    });
}

export const StatusOk = z.object({ status: z.literal('ok') }).strict();

/** Error responses of every route that takes a JSON body (POST, PUT); a body sent with GET or DELETE is not read. */
export const bodyErrorResponses = {
  413: ErrorBody.describe('Body larger than 100 kB (`payload_too_large`).'),
  415: ErrorBody.describe('Body sent with a non-JSON content type (`unsupported_media_type`).'),
} as const;

/**
 * Said of every answer that is a list or one item depending on the query (Capgo's shapes, kept):
 * generated clients that try each `oneOf` member in turn cannot tell the two apart.
 */
export const ONE_OF_NOTE =
  "A list has `data`, one item has not. Clients that pick a `oneOf` member by trying each (openapi-generator's `java` client) find that both accept either body and fail: there, read this answer as plain JSON.";
