import type { EntityManager } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import type { Orm } from '../db/orm.js';
import type { BundleStorage } from '../storage/storage.js';
import type { Principal } from './rights.js';
import { serviceUnavailable } from './errors.js';

export interface RequestContext {
  requestId: string;
  /** This request's own EntityManager fork; set on routes that use the database. */
  em?: EntityManager;
  principal?: Principal;
  storage?: BundleStorage;
}

declare global {
  namespace Express {
    interface Request {
      ctx: RequestContext;
    }
  }
}

/** Lifecycle of the process, read by /readyz and by every database route. */
export interface Runtime {
  state: 'starting' | 'ready' | 'draining';
  orm?: Orm;
  /** Where bundle zips live; set with `orm` once the database (which holds the signing secret) is open. */
  storage?: BundleStorage;
}

/**
 * Gives the request its own EntityManager, or 503 while starting. While draining, requests that
 * reached the server are still served (they are in flight); /readyz already says 503 so that no
 * new traffic is sent, and the listener no longer accepts connections.
 */
export function withEntityManager(runtime: Runtime) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (runtime.state === 'starting' || !runtime.orm) return next(serviceUnavailable());
    req.ctx.em = runtime.orm.em.fork() as EntityManager;
    req.ctx.storage = runtime.storage;
    next();
  };
}

export function emOf(req: { ctx: RequestContext }): EntityManager {
  if (!req.ctx.em) throw new Error('No EntityManager on this route');
  return req.ctx.em;
}

export function storageOf(req: { ctx: RequestContext }): BundleStorage {
  if (!req.ctx.storage) throw new Error('No storage on this route');
  return req.ctx.storage;
}

export function principalOf(req: { ctx: RequestContext }): Principal {
  if (!req.ctx.principal) throw new Error('No principal on this route');
  return req.ctx.principal;
}
