import { createServer, type RequestListener, type Server } from 'node:http';

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

export function createHttpServer(app: RequestListener, timeouts: ServerTimeouts = SERVER_TIMEOUTS): Server {
  return createServer(
    {
      headersTimeout: timeouts.headersTimeout,
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      // How often the timeouts above are checked; node's default (30 s) would let them overrun.
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeout),
    },
    app,
  );
}
