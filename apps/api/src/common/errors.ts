import type { ErrorCode } from '@apps-api/contract';

export interface ValidationIssue {
  path: string;
  message: string;
}

/**
 * A failure the API explains to its caller. It carries a code and a message, never an HTTP
 * status: `http-errors.ts` is the one place that turns codes into statuses.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: { issues?: ValidationIssue[] } & Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const APP_ROUTE_INVALID_MESSAGE = 'Invalid app configuration';
export const INVALID_MESSAGE = 'Invalid parameters';

export const invalidParameters = (issues: ValidationIssue[], message = INVALID_MESSAGE) =>
  new DomainError('invalid_parameters', message, { issues });
export const noKeyProvided = () => new DomainError('no_key_provided', 'No key provided');
export const invalidApiKey = () => new DomainError('invalid_apikey', 'Invalid API key');
export const orgAccessDenied = () =>
  new DomainError('org_access_denied', 'You do not have access to this organization');
export const insufficientAppPermissions = () =>
  new DomainError('insufficient_permissions', 'Insufficient permissions to manage app');
export const insufficientPermissions = () => new DomainError('insufficient_permissions', 'Insufficient permissions');
export const appNotFound = () => new DomainError('app_not_found', 'App not found');
export const appIdTaken = () => new DomainError('app_id_taken', 'Custom ID already in use');
export const apiKeyNotFound = () => new DomainError('apikey_not_found', 'API key not found');
export const memberNotFound = () => new DomainError('member_not_found', 'Member not found');
export const lastSuperAdmin = () =>
  new DomainError('last_super_admin', 'An organization must keep at least one super_admin');
export const bundleNotFound = () => new DomainError('bundle_not_found', 'Bundle not found');
export const channelNotFound = () => new DomainError('channel_not_found', 'Channel not found');
export const deviceNotFound = () => new DomainError('device_not_found', 'Device not found');
export const versionAlreadyExists = () => new DomainError('version_already_exists', 'Version already exists');
export const bundleLinkedToChannel = () =>
  new DomainError('bundle_linked_to_channel', 'Cannot delete a bundle linked to a channel');
export const checksumMismatch = () =>
  new DomainError('checksum_mismatch', 'Checksum does not match the uploaded bundle');
export const invalidBundle = (reason: string) => new DomainError('invalid_bundle', `Invalid bundle: ${reason}`);
export const publicChannelOverride = () =>
  new DomainError('public_channel_override', 'Cannot set channel override for public channel');
export const routeNotFound = () => new DomainError('not_found', 'Not found');
export const unsupportedMediaType = () =>
  new DomainError('unsupported_media_type', 'Unsupported content type: send the body as application/json');
export const payloadTooLarge = () =>
  new DomainError('payload_too_large', 'Request body too large: the limit is 100 kB');
export const bundleTooLarge = (maxBytes: number) =>
  new DomainError('payload_too_large', `Bundle too large: the limit is ${maxBytes} bytes`);
export const unsupportedBundleType = () =>
  new DomainError(
    'unsupported_media_type',
    'Unsupported content type: send the zip as application/zip or application/octet-stream',
  );
export const invalidSignature = () =>
  new DomainError('invalid_signature', 'Invalid or expired download link');
export const rangeNotSatisfiable = () =>
  new DomainError('range_not_satisfiable', 'Requested range not satisfiable');
export const rateLimited = () =>
  new DomainError('rate_limited', 'Too many requests: retry after the number of seconds in Retry-After');
export const serviceUnavailable = () => new DomainError('service_unavailable', 'Service unavailable, retry later');
export const internalError = () => new DomainError('internal_error', 'Internal error');
