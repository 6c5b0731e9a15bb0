import type { CreateAppBody, UpdateAppBody } from '@apps-api/contract';
import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appIdTaken, appNotFound, insufficientAppPermissions, orgAccessDenied } from '../../common/errors.js';
import { type Principal, hasRole, isAppInScope, readableOrgIds } from '../../common/rights.js';
import type { BundleStorage } from '../../storage/storage.js';
import { queueRemovals, storageKeysOfApp } from '../bundle/bundle.repository.js';
import { removeQueuedFiles } from '../bundle/file-removal.js';
import { App } from './app.entity.js';
import { type AppRecord, findAppByAppId, findAppPage, insertApp, updateAppRow } from './app.repository.js';

interface UseCase {
  em: EntityManager;
  principal: Principal;
}

/** An app the key may read, or the same 404 whether it is missing or hidden. */
export async function loadVisibleApp(em: EntityManager, principal: Principal, appId: string): Promise<AppRecord> {
  const app = await findAppByAppId(em, appId);
  if (!app || !hasRole(principal, app.ownerOrg, 'read') || !isAppInScope(principal, app.appIdKey)) {
    throw appNotFound();
  }
  return app;
}

export async function listApps({
  em,
  principal,
  page,
  limit,
  orgId,
}: UseCase & { page: number; limit: number; orgId?: string }) {
  if (orgId !== undefined && !hasRole(principal, orgId, 'read')) throw orgAccessDenied();
  const orgIds = orgId !== undefined ? [orgId] : readableOrgIds(principal);
  return findAppPage(em, { orgIds, onlyAppIds: principal.limitedToApps, offset: page * limit, limit });
}

export function getApp({ em, principal, appId }: UseCase & { appId: string }): Promise<AppRecord> {
  return loadVisibleApp(em, principal, appId);
}

export async function createApp({ em, principal, body }: UseCase & { body: CreateAppBody }): Promise<AppRecord> {
  if (!hasRole(principal, body.owner_org, 'write')) throw orgAccessDenied();
  // A key confined to some apps may touch only those, so it may not bring new ones into being.
  if (principal.limitedToApps.length > 0) throw insufficientAppPermissions();

  try {
    return await insertApp(em, {
      appId: body.app_id,
      name: body.name,
      iconUrl: body.icon ?? '',
      ownerOrg: body.owner_org,
      userId: principal.userId,
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw appIdTaken();
    // The org was deleted between the rights check and the insert.
    if (error instanceof ForeignKeyConstraintViolationException) throw orgAccessDenied();
    throw error;
  }
}

export async function updateApp({
  em,
  principal,
  appId,
  body,
}: UseCase & { appId: string; body: UpdateAppBody }): Promise<AppRecord> {
  const app = await loadVisibleApp(em, principal, appId);
  if (!hasRole(principal, app.ownerOrg, 'write')) throw insufficientAppPermissions();

  const updated = await updateAppRow(em, app, {
    name: body.name,
    iconUrl: body.icon === undefined ? undefined : (body.icon ?? ''),
    retention: body.retention,
  });
  // Deleted, or moved to another org, since it was read: as if it had not been found.
  if (!updated) throw appNotFound();
  return updated;
}

export async function deleteApp({
  em,
  principal,
  storage,
  appId,
}: UseCase & { storage: BundleStorage; appId: string }): Promise<void> {
  const app = await loadVisibleApp(em, principal, appId);
  if (!hasRole(principal, app.ownerOrg, 'admin')) throw insufficientAppPermissions();
  // Rows that belong to an app (bundles, channels, devices, events, …) reference it with ON DELETE
  // CASCADE, so the delete removes them too. Its stored files are queued for removal in the same
  // transaction, then removed; any the storage refuses now, retention removes later.
  const keys = await em.transactional(async (tx) => {
    const txEm = tx as EntityManager;
    const stored = await storageKeysOfApp(txEm, app.id);
    await queueRemovals(txEm, stored);
    await txEm.nativeDelete(App, { id: app.id });
    return stored;
  });
  await removeQueuedFiles(em, storage, keys);
}
