import { type RequestListener, type Server, createServer } from 'node:http';
import type { FastPath } from '../modules/plugin/plugin.fast-path.js';

export interface ServerTimeouts {
  /** Whole request headers must arrive within this (slow-header clients are cut off with 408). */
  headersTimeout: number;
  /** Whole request, body included, must arrive within this (slow-body clients get 408). */
  requestTimeout: number;
  /** Idle keep-alive connections are closed after this. */
  keepAliveTimeout: number;
}

/**
 * The server's own timeouts, so no client can hold a connection open by sending slowly. Handler
 * time is bounded separately: every database wait gives up after 5 s (db/orm.ts).
 */
export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
};

/** An app (express) that may carry a fast path for its hottest route in `locals.fastPath`. */
type App = RequestListener & { locals?: { fastPath?: FastPath } };

export function createHttpServer(app: App, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  const fastPath = app.locals?.fastPath;
  const listener: RequestListener = fastPath ? (req, res) => fastPath(req, res) || app(req, res) : app;
  return createServer(
    {
      headersTimeout: timeouts.headersTimeout,
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      // How often the timeouts above are checked; node's default (30 s) would let them overrun.
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeout),
    },
    listener,
  );
}
