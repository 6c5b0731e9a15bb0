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

/** The largest page any list returns. */
export const MAX_PAGE_SIZE = 1000;

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

export const APP_ID_PATTERN = /^[A-Za-z0-9]+(\.[A-Za-z0-9_-]+)+$/;

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

export const isHttpUrl = (value: string): boolean => {
  if (!/^https?:\/\/\S+$/i.test(value)) return false;
  try {
    return Boolean(new URL(value).host);
  } catch {
    return false;
  }
};

/**
 * What one JSON body may hold, checked before it is parsed; a body over any of them is a 400
 * `invalid_parameters` naming the limit. Generous for every body of this API (the deepest is 3
 * levels, the longest array 100 items), small enough that the worst body costs under a millisecond.
 */
export const JSON_LIMITS = {
  /** Nesting of arrays and objects. */
  maxDepth: 32,
  /** Array items and object members in the whole body. */
  maxValues: 10_000,
  /** Items of one array, or members of one object. */
  maxItems: 1_000,
  /** Characters of one string or key, as sent (escapes count as written). */
  maxStringLength: 65_536,
} as const;

export type JsonLimits = { [K in keyof typeof JSON_LIMITS]: number };

/** The caps the API's configuration sets (apps/api config.ts), as a client meets them. */
export const LIMIT_REACHED =
  '409 `limit_reached` when a cap is reached; `details` gives `limit` (which cap) and `max`. The caps are set by the operator (defaults: 100 API keys per user, 100 organizations per user, 1000 members per organization, 100 pending invitations per organization).';
/**
 * Said of every answer that is a list or one item depending on the query (Capgo's shapes, kept):
 * generated clients that try each `oneOf` member in turn cannot tell the two apart.
 */
export const ONE_OF_NOTE =
  "A list has `data`, one item has not. Clients that pick a `oneOf` member by trying each (openapi-generator's `java` client) find that both accept either body and fail: there, read this answer as plain JSON.";
