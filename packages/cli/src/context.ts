import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { type Client, createClient } from '@apps-api/client';
import { UsageError } from './errors.js';
import type { Output, Result } from './output.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  required?: boolean;
  /** Shown in the usage line: `--version <v>`. */
  placeholder?: string;
}

export interface Command {
  /** The words that name it: `['bundle', 'upload']`. */
  words: string[];
  /** Its positional arguments, each required: `['<dir|zip>']`. */
  positionals: string[];
  summary: string;
  options: Record<string, OptionSpec>;
  run(context: Context): Promise<Result>;
}

export interface Context {
  out: Output;
  options: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** A client of the API at `--url`/`APPS_API_URL` with `--key`/`APPS_API_KEY`; `onUpload` follows a Blob body's bytes. */
  client(onUpload?: (sent: number) => void): Client;
}

export function connection(options: Context['options'], env: NodeJS.ProcessEnv): { baseUrl: string; apiKey: string } {
  const baseUrl = (options.url as string | undefined) ?? env.APPS_API_URL;
  const apiKey = (options.key as string | undefined) ?? env.APPS_API_KEY;
  if (!baseUrl) throw new UsageError('no server: pass --url or set APPS_API_URL');
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
    throw new UsageError(`--url ${JSON.stringify(baseUrl)} is not an http(s) URL`);
  if (!apiKey) throw new UsageError('no API key: pass --key or set APPS_API_KEY');
  return { baseUrl, apiKey };
}

/**
 * fetch, except that a Blob body (a bundle opened with `openAsBlob`, read from disk as it goes) is
 * sent with node:http, its bytes counted as the socket takes them. fetch loses the answer when a
 * server refuses before reading the whole body (a 409 for a taken version) and closes the
 * connection: it reports the broken pipe instead. Here an answer that arrives wins.
 */
function countingFetch(onUpload: (sent: number) => void): typeof fetch {
  return async (input, init) => {
    const body = init?.body;
    if (!(body instanceof Blob)) return fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    headers['content-length'] = String(body.size);
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(url, { method: init?.method ?? 'POST', headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve(new Response(Buffer.concat(chunks), { status: response.statusCode ?? 500, headers: answerHeaders }));
        });
      });
      let answered = false;
      request.on('response', () => {
        answered = true;
      });
      // A write that fails after the server answered is the server closing early: its answer counts.
      request.on('error', (error) => {
        if (!answered) reject(new TypeError('fetch failed', { cause: error }));
      });
      let sent = 0;
      onUpload(0);
      const counted = Readable.fromWeb(body.stream() as import('node:stream/web').ReadableStream<Uint8Array>);
      counted.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        onUpload(sent);
      });
      counted.on('error', (error) => request.destroy(error));
      counted.pipe(request);
    });
  };
}

export function makeClient(baseUrl: string, apiKey: string, onUpload?: (sent: number) => void): Client {
  return createClient({ baseUrl, apiKey, ...(onUpload ? { fetch: countingFetch(onUpload) } : {}) });
}

/** A string option's value; the parser has already required the ones marked required. */
export function text(context: Context, name: string): string {
  const value = context.options[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} is required`);
  return value;
}

export function optionalText(context: Context, name: string): string | undefined {
  const value = context.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A non-negative integer option (`--page`, `--limit`, `--max-size`); the server checks ranges. */
export function integer(context: Context, name: string): number | undefined {
  const value = optionalText(context, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export const PAGE_OPTIONS: Record<string, OptionSpec> = {
  page: { type: 'string', placeholder: 'n', description: '0-based page (default 0)' },
  limit: { type: 'string', placeholder: 'n', description: 'items per page (default 50)' },
};
