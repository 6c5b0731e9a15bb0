import express, { type NextFunction, type Request, type Response } from 'express';
import { type ValidationIssue, invalidParameters, unsupportedBundleType, unsupportedMediaType } from './errors.js';
import { invalidMessageFor } from './http-errors.js';

export const JSON_BODY_LIMIT = '100kb';

const parseJson = express.json({ limit: JSON_BODY_LIMIT, strict: true, type: () => true });
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

/** The first string (key or value) PostgreSQL could not store as sent, with its dotted path. */
function firstUnstorable(value: unknown, at: string[] = []): ValidationIssue | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { path: at.join('.'), message } : undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const path = [...at, JSON.stringify(key).slice(1, -1)];
    const message = unstorable(key);
    if (message) return { path: path.join('.'), message };
    const found = firstUnstorable(item, path);
    if (found) return found;
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
 * Parses JSON bodies of at most 100 kB. A route taking raw bytes (a zip upload) only has its
 * content type checked; its handler streams the body. A JSON body in any other content type (or
 * none) is a 415 rather than being silently ignored. Strings PostgreSQL cannot store as sent
 * (U+0000, lone surrogates) are a 400 here rather than a failed insert or a silently altered value.
 */
export function jsonBody(req: Request, res: Response, next: NextFunction): void {
  const binaryTypes = binaryBodyTypes(req);
  if (binaryTypes) next(binaryTypes.includes(mediaTypeOf(req)) ? undefined : unsupportedBundleType());
  else if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) next();
  else if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) next(unsupportedMediaType());
  else parseJson(req, res, (error?: unknown) => next(error ?? unstorableError(req)));
}
