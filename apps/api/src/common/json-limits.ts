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

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/**
 * Checked on the raw text in one pass before `JSON.parse`, so no later step (the parser, the body
 * walkers, zod, the list of issues) meets a body whose cost grows faster than its size.
 * The first limit `text` breaks, as a validation issue on the whole body; undefined when it
 * keeps them all. Counts only: malformed JSON is left for `JSON.parse` to reject. Linear in the
 * text, no recursion, no allocation per value.
 */
export function jsonLimitIssue(text: string, limits: JsonLimits = JSON_LIMITS): ValidationIssue | undefined {
  // One entry per open container: how many items it holds so far.
  const items: number[] = [];
  let values = 0;
  let inString = false;
  let stringStart = 0;
  // Whether the innermost open container has met its first item yet.
  let awaitingFirst = false;

  const countItem = (): ValidationIssue | undefined => {
    values++;
    if (values > limits.maxValues) return tooMany(`items in all (at most ${limits.maxValues})`);
    return undefined;
  };

  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) {
        inString = false;
        if (i - stringStart > limits.maxStringLength) {
          return { path: '', message: `Body has a string longer than ${limits.maxStringLength} characters` };
        }
      }
      continue;
    }
    if (isBlank(code)) continue;
    if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      items.pop();
      awaitingFirst = false;
      continue;
    }
    if (code === COMMA) {
      const depth = items.length;
      if (depth > 0) {
        const count = (items[depth - 1] ?? 0) + 1;
        items[depth - 1] = count;
        if (count > limits.maxItems) {
          return tooMany(`items in one array or object (at most ${limits.maxItems})`);
        }
      }
      const issue = countItem();
      if (issue) return issue;
      continue;
    }
    if (awaitingFirst || items.length === 0) {
      // The first item of a container (or the top-level value): commas count the rest.
      if (items.length > 0) items[items.length - 1] = 1;
      awaitingFirst = false;
      if (items.length === 0 && values > 0) continue;
      const issue = countItem();
      if (issue) return issue;
    }
    if (code === QUOTE) {
      inString = true;
      stringStart = i + 1;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      if (items.length >= limits.maxDepth) {
        return { path: '', message: `Body is nested too deeply (at most ${limits.maxDepth} levels)` };
      }
      items.push(0);
      awaitingFirst = true;
    }
  }
  return undefined;
}

function tooMany(what: string): ValidationIssue {
  return { path: '', message: `Body has too many ${what}` };
}
