import { z } from 'zod';
import { AppId, integerQuery } from './common.js';

/** Semantic Versioning 2.0.0, the official pattern: no leading `v`, no leading zeros. */
export const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const BundleVersion = z
  .string()
  .max(255, 'Must be at most 255 characters')
  .regex(SEMVER_PATTERN, 'Must be a SemVer 2.0 version such as 1.2.3 or 1.2.3-beta.1 (no leading "v")')
  .describe(
    'Bundle name: a strict SemVer 2.0 version (`1.2.3`, `1.2.3-beta.1`; no leading `v`), at most 255 characters.',
  );

/** No C0/C1 control characters: a name is shown in consoles and logs. */
const NO_CONTROL_CHARACTERS = /^[^\p{Cc}]*$/u;

export const ChannelName = z
  .string()
  .min(1, 'Must not be empty')
  .max(255, 'Must be at most 255 characters')
  .regex(NO_CONTROL_CHARACTERS, 'Must not contain control characters')
  .describe('Channel name: 1–255 characters, no control characters; matched exactly (case-sensitive, not trimmed).');

export const DeviceId = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'Must be a UUID')
  .transform((value) => value.toLowerCase())
  .describe('Device id: a UUID, compared lower-cased (as the plugin sends it).');

/** `app_id` of a live-update route: required, reverse-domain; the app must be visible to the key (else 404). */
export const AppIdField = AppId;

export const PageQuery = {
  page: integerQuery(0, 1_000_000).default(0).describe('0-based page number, 0–1,000,000. Default 0.'),
  limit: integerQuery(1, 1000)
    .default(50)
    .describe('Items per page, 1–1000. Default 50. Out of range is a 400, never clamped.'),
};

export const Timestamp = z.string().datetime().describe('ISO-8601 time, UTC, millisecond precision.');

/** What every live-update management route says about rights (SPEC-live-updates §2). */
export const RIGHTS_NOTE =
  "Rights are those of the key on the app's organization (its mode and limits applied): `read` for every GET, `upload` to create bundles, `write` to change channels, link bundles, edit bundle metadata and set device overrides, `admin` to delete bundles and channels. An app the key cannot see is a 404 `app_not_found`; a visible app with too low a right is a 403 `insufficient_permissions`.";
