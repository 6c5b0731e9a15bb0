import { JSON_LIMITS, type JsonLimits } from '@apps-api/contract';
import type { ValidationIssue } from './errors.js';

export { JSON_LIMITS, type JsonLimits };

/**
 * A body over one of the contract's JSON_LIMITS. A module with its own answer shape (the device
 * protocol) recognises it with `instanceof` and answers in that shape; everything else gets the
 * 400 `invalid_parameters` envelope from the one error handler.
 */
export class JsonLimitError extends Error {
  readonly status = 400;
  readonly type = 'entity.limits.exceeded';
  constructor(readonly issue: ValidationIssue) {
    super(issue.message);
    this.name = 'JsonLimitError';
  }
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

/**
 * Checked on the raw text in one pass before `JSON.parse`, so no later step (the parser, the body
 * walkers, zod, the list of issues) meets a body whose cost grows faster than its size.
 * The first limit `text` breaks, as a validation issue on the whole body; undefined when it
 * keeps them all. Counts only: malformed JSON is left for `JSON.parse` to reject. Linear in the
 * text, no recursion, no allocation per value.
 */
export function jsonLimitIssue(text: string, limits: JsonLimits = JSON_LIMITS): ValidationIssue | undefined {
  // Items of each open container so far, innermost last; depth is how many are open.
  const items = new Int32Array(limits.maxDepth + 1);
  let depth = 0;
  let values = 0;
  // Whether the innermost open container (or the top level) has yet to meet its first item.
  let awaitingFirst = true;

  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) continue;
    if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      if (depth > 0) depth--;
      awaitingFirst = false;
      continue;
    }
    if (code === COMMA) {
      if (depth > 0) {
        const count = (items[depth - 1] ?? 0) + 1;
        if (count > limits.maxItems) return TOO_WIDE(limits);
        items[depth - 1] = count;
      }
      if (++values > limits.maxValues) return TOO_MANY(limits);
      continue;
    }
    if (awaitingFirst) {
      // The first item of a container, or the top-level value: commas count the others.
      awaitingFirst = false;
      if (depth > 0) items[depth - 1] = 1;
      if (++values > limits.maxValues) return TOO_MANY(limits);
    }
    if (code === QUOTE) {
      const start = i + 1;
      i = endOfString(text, start);
      if (i - start > limits.maxStringLength) return TOO_LONG(limits);
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (depth >= limits.maxDepth) return TOO_DEEP(limits);
      items[depth++] = 0;
      awaitingFirst = true;
    }
  }
  return undefined;
}

/** Index of the quote closing the string that starts at `start` (text.length when unclosed). */
function endOfString(text: string, start: number): number {
  let at = start;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

const TOO_DEEP = (limits: JsonLimits): ValidationIssue => ({
  path: '',
  message: `Body is nested too deeply (at most ${limits.maxDepth} levels)`,
});
const TOO_WIDE = (limits: JsonLimits) => tooMany(`items in one array or object (at most ${limits.maxItems})`);
const TOO_MANY = (limits: JsonLimits) => tooMany(`items in all (at most ${limits.maxValues})`);
const TOO_LONG = (limits: JsonLimits): ValidationIssue => ({
  path: '',
  message: `Body has a string longer than ${limits.maxStringLength} characters`,
});

function tooMany(what: string): ValidationIssue {
  return { path: '', message: `Body has too many ${what}` };
}
