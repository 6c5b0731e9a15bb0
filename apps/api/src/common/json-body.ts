import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { type ValidationIssue, invalidParameters, unsupportedBundleType, unsupportedMediaType } from './errors.js';
import { invalidMessageFor } from './http-errors.js';
import { JsonLimitError, jsonLimitIssue } from './json-limits.js';

export const JSON_BODY_LIMIT = '100kb';

/** Charsets the limit check can read; RFC 8259 JSON is UTF-8, the UTF-16 forms are tolerated. */
const DECODABLE = new Set(['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be']);

/**
 * Runs on the raw bytes before `JSON.parse` sees them (body-parser's `verify` hook), so a body
 * too deep or too wide is refused before any per-value work.
 */
function checkLimits(_req: IncomingMessage, _res: unknown, raw: Buffer, encoding: string): void {
  const charset = encoding.toLowerCase();
  if (!DECODABLE.has(charset)) {
    throw Object.assign(new Error(`unsupported charset "${charset}"`), { status: 415, type: 'charset.unsupported' });
  }
  const text = charset === 'utf-8' || charset === 'utf8' ? raw.toString('utf8') : new TextDecoder(charset).decode(raw);
  const issue = jsonLimitIssue(text);
  if (issue) throw new JsonLimitError(issue);
}

/**
 * The shared JSON reader: at most 100 kB, within `JSON_LIMITS`, an object or array at the top.
 * Errors go to `next` (JsonLimitError, or body-parser's typed errors).
 */
export const readJsonBody = express.json({
  limit: JSON_BODY_LIMIT,
  strict: true,
  type: () => true,
  verify: checkLimits,
});
const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Why PostgreSQL could not store `text` as sent, if it could not. */
function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Must not contain the NUL character (U+0000)';
  // A lone surrogate would be stored as U+FFFD: the answer would differ from what was saved.
  if (/\p{Cs}/u.test(text)) return 'Must be well-formed Unicode (no lone surrogate code units)';
  return undefined;
}

const segment = (key: string) => JSON.stringify(key).slice(1, -1);

/**
 * The first string (key or value) PostgreSQL could not store as sent, with its dotted path.
 * Iterative, so no depth can overflow the stack; the body is already within JSON_LIMITS, so
 * its cost is small and linear.
 */
export function firstUnstorable(body: unknown): ValidationIssue | undefined {
  // A key is pushed as a string to check at its own path, just above its value: the body is
  // searched in the order it was written, keys before their values.
  const stack: { value: unknown; path: string[] }[] = [{ value: body, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      const message = unstorable(value);
      if (message) return { path: path.join('.'), message };
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i] as [string, unknown];
      const at = [...path, segment(key)];
      stack.push({ value: item, path: at }, { value: key, path: at });
    }
  }
  return undefined;
}

function unstorableError(req: Request) {
  const issue = firstUnstorable(req.body);
  return issue ? invalidParameters([issue], invalidMessageFor(req)) : undefined;
}

/** Only these methods take a body here; content sent with GET or DELETE has no meaning and is not read. */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Content types of a route whose body is raw bytes (contract `metadata.binaryBody`), read by its handler. */
function binaryBodyTypes(req: Request): string[] | undefined {
  const route = (req as Request & { tsRestRoute?: { metadata?: { binaryBody?: string[] } } }).tsRestRoute;
  return route?.metadata?.binaryBody;
}

const mediaTypeOf = (req: Request) => (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

/**
 * Parses JSON bodies of at most 100 kB within JSON_LIMITS. A route taking raw bytes (a zip upload)
 * only has its content type checked; its handler streams the body. A JSON body in any other content
 * type (or none) is a 415 rather than being silently ignored. Strings PostgreSQL cannot store as sent
 * (U+0000, lone surrogates) are a 400 here rather than a failed insert or a silently altered value.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  const binaryTypes = binaryBodyTypes(req);
  if (binaryTypes) next(binaryTypes.includes(mediaTypeOf(req)) ? undefined : unsupportedBundleType());
  else if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) next();
  else if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) next(unsupportedMediaType());
  else readJsonBody(req, res, (error?: unknown) => next(error ?? unstorableError(req)));
}
