import type { PluginErrorBody, PluginRefusal, PluginRejected, UpdateKindValue } from '@apps-api/contract';
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from '../../common/http-errors.js';
import { DomainError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';

/**
 * The device routes' own answers. The plugin reads `error` as a code, so these never pass through
 * the management envelope: the one mapper for them is `pluginErrorHandler` below.
 */

/** A broken request: 400 `{error, message}` (or 413 when too large). */
export class PluginBadRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = 'PluginBadRequestError';
  }
}

/** A request refused before any decision: 429 `on_premise_app` or `too_many_requests`. */
export class PluginRejectedError extends Error {
  constructor(
    readonly code: PluginRejected['error'],
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PluginRejectedError';
  }
}

export const onPremiseApp = () => new PluginRejectedError('on_premise_app', 'On-premise app detected');
export const deviceRateLimited = (retryAfterSeconds: number) =>
  new PluginRejectedError('too_many_requests', 'Too many requests', retryAfterSeconds);
export const invalidJsonParseBody = () => new PluginBadRequestError('invalid_json_parse_body', 'Invalid JSON body');
export const cannotParseBody = (code: 'invalid_json_body' | 'invalid_query_parameters' = 'invalid_json_body') =>
  new PluginBadRequestError(code, 'Cannot parse body');
export const missingDeviceId = () => new PluginBadRequestError('missing_device_id', 'Cannot find device_id');
export const missingAppId = () => new PluginBadRequestError('missing_app_id', 'Cannot find app_id');
export const semverError = (versionBuild: string) =>
  new PluginBadRequestError(
    'semver_error',
    `Native version: ${versionBuild} doesn't follow semver convention, please check https://capgo.app/semver_tester/ to learn more about semver usage in Capgo`,
  );
export const pluginPayloadTooLarge = (limit: number) =>
  new PluginBadRequestError('payload_too_large', `Request body too large: the limit is ${limit} bytes`, 413);

const UP_TO_DATE = new Set(['no_new_version_available', 'already_on_builtin']);
const BLOCKED = new Set([
  'cannot_update_via_private_channel',
  'disabled_platform_ios',
  'disabled_platform_android',
  'disabled_platform_electron',
  'disable_auto_update_to_major',
  'disable_auto_update_to_minor',
  'disable_auto_update_to_patch',
  'disable_auto_update_to_metadata',
  'disable_auto_update_under_native',
  'disable_prod_build',
  'disable_dev_build',
  'disable_device',
  'disable_emulator',
  'key_id_mismatch',
  'provider_infrastructure_request_blocked',
]);

/** The reference sheet's `getUpdateResponseKind`: how the plugin should take a business answer. */
export function kindOf(code: string): UpdateKindValue {
  if (UP_TO_DATE.has(code)) return 'up_to_date';
  if (BLOCKED.has(code)) return 'blocked';
  return 'failed';
}

export type RefusalExtra = Omit<PluginRefusal, 'error' | 'message' | 'kind'>;

/** A business answer, HTTP 200: `{error, message, ...extra, kind}` with the extra fields at the top level. */
export function refusal(code: string, message: string, extra: RefusalExtra = {}): PluginRefusal {
  return { error: code, message, ...extra, kind: kindOf(code) };
}

export type PluginAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** Turns anything thrown on a device route into the plugin's shape. */
export function pluginAnswerOf(error: unknown): PluginAnswer | undefined {
  if (error instanceof PluginBadRequestError) {
    const body: PluginErrorBody = { error: error.code, message: error.message };
    return { status: error.status, body };
  }
  if (error instanceof PluginRejectedError) {
    if (error.retryAfterSeconds === undefined)
      return { status: 429, body: { error: error.code, message: error.message } };
    const seconds = error.retryAfterSeconds;
    return {
      status: 429,
      headers: { 'retry-after': String(seconds) },
      body: { error: error.code, message: error.message, moreInfo: { retryAfterSeconds: seconds } },
    };
  }
  const http = error as { status?: number };
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500) {
    // body-parser: aborted, bad length, unsupported encoding. The body could not be read.
    return { status: 400, body: { error: 'invalid_json_parse_body', message: 'Invalid JSON body' } };
  }
  if (isDatabaseUnavailable(error) || (error instanceof DomainError && error.code === 'service_unavailable')) {
    return { status: 503, body: { error: 'service_unavailable', message: 'Service unavailable, retry later' } };
  }
  return undefined;
}

/** The device routes' last middleware: the plugin's shape, never the management envelope. */
export function pluginErrorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    let answer = pluginAnswerOf(error);
    if (!answer) {
      logger.error(
        { err: error, request_id: req.ctx?.requestId, method: req.method, path: req.path },
        'unhandled error',
      );
      answer = { status: 500, body: { error: 'internal_error', message: 'Internal error' } };
    } else if (answer.status === 503) {
      logger.warn({ err: error, request_id: req.ctx?.requestId }, 'database unavailable');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendAnswer(res, answer);
  };
}

export function sendAnswer(res: Response, answer: PluginAnswer): void {
  if (answer.headers) res.set(answer.headers);
  res.status(answer.status).json(answer.body);
}
