import type { ErrorBody, ErrorCode } from '@apps-api/contract';
import { ConnectionException, DriverException } from '@mikro-orm/core';
import { RequestValidationError } from '@ts-rest/express';
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import {
  APP_ROUTE_INVALID_MESSAGE,
  DomainError,
  INVALID_MESSAGE,
  type ValidationIssue,
  internalError,
  invalidParameters,
  payloadTooLarge,
  routeNotFound,
  serviceUnavailable,
  unsupportedMediaType,
} from './errors.js';
import type { Logger } from './logger.js';

/** The only place where a code becomes an HTTP status. */
const STATUS_OF: Record<ErrorCode, number> = {
  invalid_parameters: 400,
  invalid_bundle: 400,
  checksum_mismatch: 400,
  public_channel_override: 400,
  no_key_provided: 401,
  invalid_apikey: 401,
  org_access_denied: 403,
  insufficient_permissions: 403,
  invalid_signature: 403,
  app_not_found: 404,
  apikey_not_found: 404,
  member_not_found: 404,
  not_found: 404,
  bundle_not_found: 404,
  channel_not_found: 404,
  device_not_found: 404,
  app_id_taken: 409,
  last_super_admin: 409,
  version_already_exists: 409,
  bundle_linked_to_channel: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS_OF[code];
}

export function invalidMessageFor(req: Request): string {
  return /^\/app(\/|$)/.test(req.path) ? APP_ROUTE_INVALID_MESSAGE : INVALID_MESSAGE;
}

/** Every failing field, unknown fields each named on their own. */
export function issuesOf(error: ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) => {
    const at = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: at ? `${at}.${key}` : key, message: 'Unknown field' }));
    }
    return [{ path: at, message: issue.message }];
  });
}

const UNREACHABLE_DB_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof ConnectionException) return true;
  const err = error as { name?: string; code?: string; message?: string } | undefined;
  if (err?.name === 'KnexTimeoutError') return true;
  if (error instanceof DriverException || err?.code) {
    if (err?.code && UNREACHABLE_DB_CODES.has(err.code)) return true;
  }
  // pg says "timeout expired" when connectionTimeoutMillis passes before PostgreSQL answers.
  return /Connection terminated|connect ECONNREFUSED|Timeout acquiring a connection|^timeout expired$|not queryable/i.test(
    err?.message ?? '',
  );
}

/** What express, body-parser and the router throw, in our terms; undefined for the unexpected. */
function toDomainError(error: unknown, req: Request): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof RequestValidationError) {
    const issues = [error.pathParams, error.headers, error.query, error.body].flatMap((zodError) =>
      zodError ? issuesOf(zodError) : [],
    );
    return invalidParameters(issues, invalidMessageFor(req));
  }
  if (isDatabaseUnavailable(error)) return serviceUnavailable();
  const http = error as { type?: string; status?: number; statusCode?: number };
  switch (http.type) {
    case 'entity.parse.failed':
      return invalidParameters([{ path: '', message: 'Body is not valid JSON' }], invalidMessageFor(req));
    case 'entity.too.large':
      return payloadTooLarge();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return unsupportedMediaType();
  }
  const status = http.status ?? http.statusCode;
  if (status === 400) return invalidParameters([{ path: '', message: 'Malformed request' }], invalidMessageFor(req));
  if (status === 404) return routeNotFound();
  if (status === 413) return payloadTooLarge();
  if (status === 415) return unsupportedMediaType();
  return undefined;
}

export function errorBody(error: DomainError, requestId: string): ErrorBody {
  return {
    status: 'KO',
    error: error.message,
    code: error.code,
    ...(error.details ? { details: error.details } : {}),
    request_id: requestId,
  };
}

/** The last middleware: every error leaves through here, in the one envelope. */
export function errorHandler(logger: Logger) {
  // express recognises error middleware by its four parameters.
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    let domainError = toDomainError(error, req);
    if (!domainError) {
      logger.error(
        { err: error, request_id: req.ctx?.requestId, method: req.method, path: req.path },
        'unhandled error',
      );
      domainError = internalError();
    } else if (domainError.code === 'service_unavailable') {
      logger.warn({ err: error, request_id: req.ctx?.requestId }, 'database unavailable');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(statusOf(domainError.code)).json(errorBody(domainError, req.ctx?.requestId ?? ''));
  };
}

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(routeNotFound());
}
