import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEVICE_BODY_LIMIT_BYTES, contract } from '@apps-api/contract';
import type { Request } from 'express';
import { type Logger, accessLog } from '../../common/logger.js';
import { requestIdOf } from '../../common/request-id.js';
import type { PluginDeps } from './plugin.deps.js';
import { type PluginAnswer, invalidJsonParseBody, pluginAnswerOf, pluginPayloadTooLarge } from './plugin.errors.js';
import { checkForUpdate } from './updates.service.js';
import { parseDeviceJson } from './plugin.body.js';

/**
 * `POST /updates` answered before express sees the request. Every app launch of every device asks
 * it, and express's own per-request set-up costs more CPU than the whole check (bench/README.md).
 * The same service, error mapper, request id, access log and security headers as the express
 * route it stands in front of (plugin.routes.ts), which still answers whatever this leaves alone:
 * other paths and methods, compressed bodies, and CORS when it is configured.
 */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

const PATH = contract.plugin.checkForUpdate.path;

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(pluginPayloadTooLarge(limit));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(invalidJsonParseBody()));
  });
}

export function updatesFastPath(
  deps: PluginDeps,
  logger: Logger,
  headers: Record<string, string>,
  corsConfigured: boolean,
): FastPath {
  const logAccess = accessLog(logger);
  // One flat [name, value, …] list handed to writeHead with nothing set before: node then checks
  // and writes each header once, where setHeader + an object would store, copy and check them again.
  const fixed = [...Object.entries(headers).flat(), 'content-type', 'application/json; charset=utf-8'];
  const send = (req: IncomingMessage, res: ServerResponse, answer: PluginAnswer) => {
    const body = JSON.stringify(answer.body);
    const list = [...fixed, 'x-request-id', (req as Request).ctx.requestId];
    for (const [name, value] of Object.entries(answer.headers ?? {})) list.push(name, value);
    list.push('content-length', String(Buffer.byteLength(body)));
    res.writeHead(answer.status, list);
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let answer: PluginAnswer;
    try {
      const bytes = await readBody(req, DEVICE_BODY_LIMIT_BYTES);
      answer = { status: 200, body: await checkForUpdate(deps, parseDeviceJson(bytes)) };
    } catch (error) {
      const mapped = pluginAnswerOf(error);
      if (!mapped) logger.error({ err: error, request_id: (req as Request).ctx?.requestId }, 'unhandled error');
      else if (mapped.status === 503) logger.warn({ err: error }, 'database unavailable');
      answer = mapped ?? { status: 500, body: { error: 'internal_error', message: 'Internal error' } };
    }
    send(req, res, answer);
  };

  return (req, res) => {
    if (req.method !== 'POST' || corsConfigured) return false;
    const url = req.url ?? '';
    const end = url.indexOf('?');
    const path = end === -1 ? url : url.slice(0, end);
    if (path !== PATH && path !== `${PATH}/`) return false;
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding !== 'identity') return false;
    (req as Request).ctx = { requestId: requestIdOf(req) };
    logAccess(req, res, () => {});
    void handle(req, res);
    return true;
  };
}
