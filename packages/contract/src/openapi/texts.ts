import type { ContactObject, HeaderObject, LicenseObject, ReferenceObject, SecuritySchemeObject } from 'openapi3-ts';
import { RIGHTS_NOTE } from '../live-update.common.js';
import { JSON_LIMITS } from '../common.js';
import { MAX_ISSUES } from '../errors.js';

/** The version of the HTTP API described; bump it with any change a client can notice. */
export const API_VERSION = '0.1.0';

/** The project's licence, as in the repository's `LICENSE` file. */
export const LICENSE: LicenseObject = { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' };

/** Who answers for the API. The project has no public address yet; name the maintainers until it has one. */
export const CONTACT: ContactObject = { name: 'Apps API maintainers' };

export const API_DESCRIPTION = `A self-hostable management API for Capacitor apps, wire-compatible with Capgo's public App API.

**Keys.** Send an API key in \`authorization\` (raw, or \`Bearer <key>\`), \`capgkey\` or \`x-api-key\`; they are checked in that order. No key gives 401 \`no_key_provided\`; an unknown, revoked or expired key gives 401 \`invalid_apikey\`, with identical bodies.

**Errors.** Every error has one body, \`ErrorBody\`: \`{status: "KO", error, code, details?, request_id}\`. Branch on \`code\`; \`details.issues\` names every failing field of a 400 (at most ${MAX_ISSUES}, the first ones found). \`request_id\` equals the \`x-request-id\` response header, which echoes the client's own \`x-request-id\` when it is 1–128 visible ASCII characters.

**Conventions.** Bodies are JSON of at most 100 kB (413 \`payload_too_large\`), an object or array at the top, nested at most ${JSON_LIMITS.maxDepth} levels, with at most ${JSON_LIMITS.maxItems.toLocaleString('en-US')} items in one array or object, ${JSON_LIMITS.maxValues.toLocaleString('en-US')} in all, and strings of at most ${JSON_LIMITS.maxStringLength.toLocaleString('en-US')} characters; a body over any of these is refused before it is read any further, with 400 \`invalid_parameters\` naming the limit. Unknown body fields are rejected with 400. Pages are 0-based. Durations such as \`retention\` are in **seconds**. Every path is also accepted with a trailing slash. An unknown route or method gives 404 \`not_found\`.`;

/** One scheme per header a key may arrive in (SPEC §3); any one of them is enough. */
export const SECURITY_SCHEMES: Record<string, SecuritySchemeObject> = {
  authorization: {
    type: 'apiKey',
    in: 'header',
    name: 'authorization',
    description: 'The API key, raw or as `Bearer <key>`. Checked first.',
  },
  capgkey: {
    type: 'apiKey',
    in: 'header',
    name: 'capgkey',
    description: "The API key, in the Capgo CLI's header. Checked second.",
  },
  'x-api-key': {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'The API key. Checked last.',
  },
};

export const TAG_DESCRIPTIONS: Record<string, string> = {
  app: 'Capacitor apps: list, read, create, update and delete. App ids are compared case-insensitively.',
  organization: 'Organizations and their members.',
  apikey: "The caller's API keys.",
  bundle: `Bundles: the zipped web code of one version of an app. Upload one, register one hosted elsewhere, link it to a channel, delete it. ${RIGHTS_NOTE}`,
  channel: `Channels: which bundle a group of devices should run. ${RIGHTS_NOTE}`,
  device: `Devices that checked in, and their channel overrides. ${RIGHTS_NOTE}`,
  statistics: `Daily figures of what devices did. ${RIGHTS_NOTE}`,
  files: 'Downloads of stored bundles by devices, through signed URLs. No key needed: the signature is the permission.',
  health: 'Liveness and readiness probes. No key needed.',
  docs: 'This document and its reference page. No key needed.',
  plugin:
    "The device protocol of `@capgo/capacitor-updater` (`updateUrl`, `statsUrl`, `channelUrl`). No key. These routes answer in the plugin's own shape, not `ErrorBody`: business answers are HTTP 200 `{error, message, kind, …extra}` (`kind` on every such answer of every device route), broken requests exactly 400 `{error, message}`. Choices where Capgo leaves one: the device rate limit counts per device, app and route family (`/updates`, `/stats`, `/channel_self`) in each replica's memory; the device row keeps `version_name` as sent (`builtin` stays `builtin`) and an empty `defaultChannel` as null; a `*_fail` event does not change the device's version; an event without `action` only refreshes the device row; `download_fail` from old plugins is stored like any other event; the device's channel (`/channel_self`) is never stored server-side.",
};

export const RESPONSE_HEADERS: Record<string, HeaderObject> = {
  XRequestId: {
    description:
      "The request's id: the client's own `x-request-id` when it is 1–128 visible ASCII characters, otherwise a new one. Equals `request_id` in an error body.",
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'integer', minimum: 0 },
  },
  RateLimit: {
    description: 'The limit and what is left of it in the current window (IETF RateLimit header).',
    schema: { type: 'string' },
  },
};

const ref = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** Every response carries `x-request-id`; a 429 also says when to retry. */
export function responseHeadersFor(status: string): Record<string, ReferenceObject> {
  return {
    'x-request-id': ref('XRequestId'),
    ...(status === '429' ? { 'Retry-After': ref('RetryAfter'), RateLimit: ref('RateLimit') } : {}),
  };
}
