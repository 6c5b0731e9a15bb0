import { raw } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Bundle } from '../bundle/bundle.entity.js';
import { Channel } from './channel.entity.js';

export function findChannel(em: EntityManager, app: string, name: string): Promise<Channel | null> {
  return em.findOne(Channel, { app, name });
}

/** A page of the app's channels by name in byte order, and how many there are. */
export function findChannelPage(
  em: EntityManager,
  app: string,
  page: { offset: number; limit: number },
): Promise<[Channel[], number]> {
  return em.findAndCount(
    Channel,
    { app },
    { orderBy: { [raw('name collate "C"')]: 'asc' }, offset: page.offset, limit: page.limit },
  );
}

/** Names of the bundles these channels point at, by bundle id. */
export async function versionNamesOf(em: EntityManager, channels: Channel[]): Promise<Map<number, string>> {
  const ids = [...new Set(channels.map((channel) => channel.version).filter((id): id is number => id != null))];
  if (ids.length === 0) return new Map();
  const bundles = await em.find(Bundle, { id: { $in: ids } }, { fields: ['id', 'name'] });
  return new Map(bundles.map((bundle) => [bundle.id, bundle.name]));
}

/** Whether any channel points at the bundle. */
export async function isBundleLinked(em: EntityManager, bundleId: number): Promise<boolean> {
  return (await em.count(Channel, { version: bundleId })) > 0;
}
