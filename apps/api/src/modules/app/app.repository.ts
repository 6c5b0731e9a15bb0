import type { EntityManager } from '@mikro-orm/postgresql';
import { App } from './app.entity.js';

export function findAppByAppId(em: EntityManager, appId: string): Promise<App | null> {
  return em.findOne(App, { appIdKey: appId.toLowerCase() });
}

export interface AppPageQuery {
  orgIds: string[];
  /** Lower-cased app ids to keep; empty keeps all. */
  onlyAppIds: string[];
  offset: number;
  limit: number;
}

/** One page, newest first, ties broken by app_id in byte order (the column collates "C"). */
export async function findAppPage(em: EntityManager, query: AppPageQuery): Promise<{ apps: App[]; total: number }> {
  if (query.orgIds.length === 0) return { apps: [], total: 0 };
  const where = {
    ownerOrg: { $in: query.orgIds },
    ...(query.onlyAppIds.length > 0 ? { appIdKey: { $in: query.onlyAppIds } } : {}),
  };
  const [apps, total] = await em.findAndCount(App, where, {
    orderBy: { createdAt: 'desc', appId: 'asc' },
    offset: query.offset,
    limit: query.limit,
  });
  return { apps, total };
}
