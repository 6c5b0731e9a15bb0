import { ApiError, FetchError } from '@apps-api/client';

/** Exit statuses, as `apps-api --help` states them. */
export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/** Bad usage, or input refused before anything is sent (a bad version, a bundle too large): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Failure {
  exitCode: number;
  /** One line for people. */
  text: string;
  /** The same for scripts (`--json`). */
  json: Record<string, unknown>;
}

/**
 * What an error means to the caller, with no stack trace for any expected one: the server's
 * refusal with its status, code and message; an unreachable server; bad usage.
 */
export function describeFailure(error: unknown, baseUrl: string | undefined): Failure {
  if (error instanceof UsageError) {
    return { exitCode: EXIT.usage, text: `error: ${error.message}`, json: { error: error.message, code: 'usage' } };
  }
  if (error instanceof ApiError) {
    const json = { status: error.status, code: error.code, error: error.error, request_id: error.requestId };
    const issues = (error.details?.issues ?? []).map((issue) => `\n  ${issue.path || '(body)'}: ${issue.message}`);
    return {
      exitCode: EXIT.refused,
      text: `error: ${error.error} (${error.code}, HTTP ${error.status}, request ${error.requestId})${issues.join('')}`,
      json: error.details ? { ...json, details: error.details } : json,
    };
  }
  if (error instanceof FetchError) {
    const cause = error.cause instanceof Error ? (error.cause.cause ?? error.cause) : error.cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return {
      exitCode: EXIT.refused,
      text: `error: cannot reach ${baseUrl}: ${reason}`,
      json: { error: `cannot reach ${baseUrl}: ${reason}`, code: 'unreachable' },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.refused, text: `error: ${message}`, json: { error: message, code: 'failed' } };
}
