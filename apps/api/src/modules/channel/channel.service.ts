import type { UpsertChannelBody } from '@apps-api/contract';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appNotFound, bundleNotFound, channelNotFound, insufficientAppPermissions } from '../../common/errors.js';
import { type Principal, hasRole } from '../../common/rights.js';
import type { AppRecord } from '../app/app.repository.js';
import { loadVisibleApp } from '../app/app.service.js';
import { findLiveBundle, lockApp } from '../bundle/bundle.repository.js';
import { Channel } from './channel.entity.js';
import { findChannel, findChannelPage, versionNamesOf } from './channel.repository.js';

interface UseCase {
  em: EntityManager;
  principal: Principal;
  appId: string;
}

export interface ChannelView {
  app: AppRecord;
  channel: Channel;
  versionName: string | null;
}

/** The app, visible to the key and with at least `right` on it (404, then 403). */
export async function loadAppWithRight(
  em: EntityManager,
  principal: Principal,
  appId: string,
  right: 'read' | 'upload' | 'write' | 'admin',
): Promise<AppRecord> {
  const app = await loadVisibleApp(em, principal, appId);
  if (!hasRole(principal, app.ownerOrg, right)) throw insufficientAppPermissions();
  return app;
}

export async function getChannel({ em, principal, appId, name }: UseCase & { name: string }): Promise<ChannelView> {
  const app = await loadAppWithRight(em, principal, appId, 'read');
  const channel = await findChannel(em, app.id, name);
  if (!channel) throw channelNotFound();
  const names = await versionNamesOf(em, [channel]);
  return { app, channel, versionName: channel.version == null ? null : (names.get(channel.version) ?? null) };
}

export async function listChannels({ em, principal, appId, page, limit }: UseCase & { page: number; limit: number }) {
  const app = await loadAppWithRight(em, principal, appId, 'read');
  const [channels, total] = await findChannelPage(em, app.id, { offset: page * limit, limit });
  const names = await versionNamesOf(em, channels);
  return {
    app,
    total,
    channels: channels.map((channel) => ({
      channel,
      versionName: channel.version == null ? null : (names.get(channel.version) ?? null),
    })),
  };
}

type ChannelFields = Omit<UpsertChannelBody, 'app_id' | 'channel' | 'version'>;

function applyFields(channel: Channel, body: ChannelFields): void {
  if (body.public !== undefined) channel.public = body.public;
  if (body.ios !== undefined) channel.ios = body.ios;
  if (body.android !== undefined) channel.android = body.android;
  if (body.electron !== undefined) channel.electron = body.electron;
  if (body.allow_device_self_set !== undefined) channel.allowDeviceSelfSet = body.allow_device_self_set;
  if (body.allow_emulator !== undefined) channel.allowEmulator = body.allow_emulator;
  if (body.allow_device !== undefined) channel.allowDevice = body.allow_device;
  if (body.allow_dev !== undefined) channel.allowDev = body.allow_dev;
  if (body.allow_prod !== undefined) channel.allowProd = body.allow_prod;
  if (body.disable_auto_update !== undefined) channel.disableAutoUpdate = body.disable_auto_update;
  if (body.disable_auto_update_under_native !== undefined) {
    channel.disableAutoUpdateUnderNative = body.disable_auto_update_under_native;
  }
}

/** Creates the channel (created: true) or updates the one of that name; `version` must be a live bundle. */
export async function upsertChannel({
  em,
  principal,
  appId,
  body,
}: UseCase & { body: UpsertChannelBody }): Promise<ChannelView & { created: boolean }> {
  const app = await loadAppWithRight(em, principal, appId, 'write');
  // Under the app's lock, so that the bundle named cannot be deleted before the channel points at it.
  const save = () =>
    em.transactional(async (tx): Promise<ChannelView & { created: boolean }> => {
      const txEm = tx as EntityManager;
      if (!(await lockApp(txEm, app.id))) throw appNotFound();
      let target: { id: number; name: string } | null | undefined;
      if (body.version === null || body.version === 'builtin') target = null;
      else if (body.version !== undefined) {
        const bundle = await findLiveBundle(txEm, app.id, body.version);
        if (!bundle) throw bundleNotFound();
        target = { id: bundle.id, name: bundle.name };
      }
      const existing = await findChannel(txEm, app.id, body.channel);
      const channel = existing ?? txEm.create(Channel, { app: app.id, name: body.channel } as Channel);
      applyFields(channel, body);
      if (target !== undefined) channel.version = target?.id ?? null;
      await txEm.flush();
      const versionName =
        target !== undefined
          ? (target?.name ?? null)
          : ((await versionNamesOf(txEm, [channel])).get(channel.version ?? -1) ?? null);
      return { app, channel, versionName, created: !existing };
    });
  try {
    return await save();
  } catch (error) {
    // Created by someone else since we looked: update that one instead.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    return save();
  }
}

export async function deleteChannel({ em, principal, appId, name }: UseCase & { name: string }): Promise<void> {
  const app = await loadAppWithRight(em, principal, appId, 'admin');
  // Overrides to it go with it (channel_devices.channel ON DELETE CASCADE).
  const deleted = await em.nativeDelete(Channel, { app: app.id, name });
  if (deleted === 0) throw channelNotFound();
}
