import type { EntityManager } from '@mikro-orm/postgresql';
import type { NextFunction, Request, Response } from 'express';
import type { Quotas } from '../config.js';
import type { Orm } from '../db/orm.js';
import type { BundleStorage } from '../storage/storage.js';
import type { Principal } from './rights.js';
import { serviceUnavailable } from './errors.js';

export interface RequestContext {
  requestId: string;
  /** This request's own EntityManager fork; set on routes that use the database. */
  em?: EntityManager;
  principal?: Principal;
  /** The configured caps, for the use cases that create what they bound. */
  quotas?: Quotas;
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

/** What every use case takes: the request's EntityManager and the caller. */
export interface UseCase {
  em: EntityManager;
  principal: Principal;
}

export function useCaseOf(req: { ctx: RequestContext }): UseCase {
  return { em: emOf(req), principal: principalOf(req) };
}

export function withQuotas(quotas: Quotas) {
  return (req: Request, _res: Response, next: NextFunction) => {
    req.ctx.quotas = quotas;
    next();
  };
}

export function quotasOf(req: { ctx: RequestContext }): Quotas {
  if (!req.ctx.quotas) throw new Error('No quotas on this route');
  return req.ctx.quotas;
}
