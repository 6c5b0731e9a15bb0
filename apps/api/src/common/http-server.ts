import { type RequestListener, type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';
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

export interface ConnectionLimits {
  /** Open connections in all; more are closed as they arrive. */
  maxConnections: number;
  /** Open connections from one client address, so one client cannot take all the others' places. */
  maxConnectionsPerAddress: number;
}

export const CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 4_000, maxConnectionsPerAddress: 200 };

/**
 * Closes a connection at once, before it costs a parser or a timer, when its address already
 * holds its share. Counted per socket address: behind a reverse proxy that is the proxy's.
 */
function limitConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

/** An app (express) that may carry a fast path for its hottest route in `locals.fastPath`. */
type App = RequestListener & { locals?: { fastPath?: FastPath } };

export function createHttpServer(
  app: App,
  timeouts: ServerTimeouts = SERVER_TIMEOUTS,
  limits: ConnectionLimits = CONNECTION_LIMITS,
): Server {
  const fastPath = app.locals?.fastPath;
  const listener: RequestListener = fastPath ? (req, res) => fastPath(req, res) || app(req, res) : app;
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeout,
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      // How often the timeouts above are checked; node's default (30 s) would let them overrun.
      connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeout),
    },
    listener,
  );
  // node itself closes connections past this one as they are accepted.
  server.maxConnections = limits.maxConnections;
  limitConnectionsPerAddress(server, limits.maxConnectionsPerAddress);
  return server;
}
