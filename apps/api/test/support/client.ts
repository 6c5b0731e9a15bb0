import type { App } from '@apps-api/contract';
import type { Response } from 'supertest';
import type { Harness } from './harness.js';
import { requestIdOf } from './harness.js';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch' | 'options';

export interface Call {
  key?: string;
  /** Header to send the key in; `authorization` by default. */
  header?: 'authorization' | 'bearer' | 'capgkey' | 'x-api-key';
  body?: unknown;
  requestId?: string;
}

/** One HTTP call with a known x-request-id, so error bodies can be asserted exactly. */
export async function call(
  h: Harness,
  method: Method,
  path: string,
  options: Call = {},
): Promise<Response & { rid: string }> {
  const rid = options.requestId ?? requestIdOf();
  let req = h.http()[method](path).set('x-request-id', rid);
  if (options.key !== undefined) {
    const header = options.header ?? 'authorization';
    req = header === 'bearer' ? req.set('authorization', `Bearer ${options.key}`) : req.set(header, options.key);
  }
  if (options.body !== undefined) req = req.send(options.body as object);
  const res = await req;
  return Object.assign(res, { rid });
}

/** Creates an app through the API and returns its body; fails the test unless 201. */
export async function createAppVia(h: Harness, key: string, body: Record<string, unknown>) {
  const res = await call(h, 'post', '/app', { key, body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as App;
}
