import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type {
  BundleMetadataBody,
  CreateBundleBody,
  DeleteBundleQuery,
  LinkBundleBody,
  UploadBundleQuery,
} from '@apps-api/contract';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  appNotFound,
  bundleLinkedToChannel,
  bundleNotFound,
  bundleTooLarge,
  channelNotFound,
  checksumMismatch,
  insufficientAppPermissions,
  invalidBundle,
  versionAlreadyExists,
} from '../../common/errors.js';
import { type Principal, hasRole } from '../../common/rights.js';
import { type BundleStorage, bundleObjectKey } from '../../storage/storage.js';
import type { AppRecord } from '../app/app.repository.js';
import type { Channel } from '../channel/channel.entity.js';
import { findChannel, isBundleLinked } from '../channel/channel.repository.js';
import { type ChannelView, loadAppWithRight } from '../channel/channel.service.js';
import { Bundle } from './bundle.entity.js';
import { findLiveBundle, findLiveBundlePage, lockApp, queueRemovals, refreshLastVersion } from './bundle.repository.js';
import { removeQueuedFiles } from './file-removal.js';
import { ZipIntake, ZipRejected, checkStoredZip } from './zip-intake.js';

interface UseCase {
  em: EntityManager;
  principal: Principal;
}

export interface BundleView {
  app: AppRecord;
  bundle: Bundle;
}

export async function listBundles({
  em,
  principal,
  appId,
  page,
  limit,
  version,
}: UseCase & { appId: string; page: number; limit: number; version?: string }) {
  const app = await loadAppWithRight(em, principal, appId, 'read');
  const [bundles, total] = await findLiveBundlePage(em, app.id, { offset: page * limit, limit, name: version });
  return { app, bundles, total };
}

/** `upload` on the app, and `write` too when the new bundle is also to be linked to a channel. */
async function loadAppForNewBundle(em: EntityManager, principal: Principal, appId: string, channel?: string) {
  const app = await loadAppWithRight(em, principal, appId, 'upload');
  if (channel !== undefined && !hasRole(principal, app.ownerOrg, 'write')) throw insufficientAppPermissions();
  return app;
}

/** The checks a new bundle must pass, in the order of the spec: name free (409), channel known (404). */
async function checkNewBundle(em: EntityManager, app: string, version: string, channelName?: string) {
  if ((await em.count(Bundle, { app, name: version })) > 0) throw versionAlreadyExists();
  let channel: Channel | null = null;
  if (channelName !== undefined) {
    channel = await findChannel(em, app, channelName);
    if (!channel) throw channelNotFound();
  }
  return channel;
}

type NewBundle = Pick<Bundle, 'name' | 'checksum' | 'storage' | 'storageKey' | 'externalUrl' | 'size' | 'sessionKey' | 'keyId'>;

/** Inserts the bundle (and links it) in one transaction, the app's row locked; last_version follows. */
async function insertBundle(
  em: EntityManager,
  app: AppRecord,
  userId: string,
  fields: NewBundle,
  channelName: string | undefined,
): Promise<Bundle> {
  try {
    return await em.transactional(async (tx) => {
      const txEm = tx as EntityManager;
      if (!(await lockApp(txEm, app.id))) throw appNotFound();
      const channel = await checkNewBundle(txEm, app.id, fields.name, channelName);
      const bundle = txEm.create(Bundle, {
        ...fields,
        app: app.id,
        userId,
        minUpdateVersion: null,
        link: null,
        comment: null,
        deletedAt: null,
      } as unknown as Bundle);
      await txEm.flush();
      if (channel) {
        channel.version = bundle.id;
        await txEm.flush();
      }
      await refreshLastVersion(txEm, app.id);
      return bundle;
    });
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) throw versionAlreadyExists();
    throw error;
  }
}

export async function createExternalBundle({ em, principal, body }: UseCase & { body: CreateBundleBody }) {
  const app = await loadAppForNewBundle(em, principal, body.app_id, body.channel);
  await checkNewBundle(em, app.id, body.version, body.channel);
  const bundle = await insertBundle(
    em,
    app,
    principal.userId,
    {
      name: body.version,
      checksum: body.checksum,
      storage: 'external',
      storageKey: null,
      externalUrl: body.external_url,
      size: null,
      sessionKey: body.session_key ?? null,
      keyId: body.key_id ?? null,
    },
    body.channel,
  );
  return { app, bundle };
}

export interface Upload {
  body: Readable;
  /** The request's content-length, when it sent one. */
  declaredLength: number | undefined;
  maxBytes: number;
}

/** Removes an object this upload stored; if the storage refuses, queues it for retention. */
async function discard(em: EntityManager, storage: BundleStorage, key: string): Promise<void> {
  try {
    await storage.remove(key);
  } catch {
    await queueRemovals(em, [key]).catch(() => undefined);
  }
}

const shortReason = (message: string) => (message.length > 200 ? `${message.slice(0, 200)}…` : message);

/**
 * Streams the zip to storage (never held whole), then checks it and records it. All or nothing:
 * whatever fails (body too large or not a zip, client gone, checksum, storage or database) the
 * object this upload stored is removed and no row is written.
 */
export async function uploadBundle({
  em,
  principal,
  storage,
  query,
  upload,
}: UseCase & { storage: BundleStorage; query: UploadBundleQuery; upload: Upload }): Promise<BundleView> {
  const app = await loadAppForNewBundle(em, principal, query.app_id, query.channel);
  await checkNewBundle(em, app.id, query.version, query.channel);
  if (upload.declaredLength !== undefined && upload.declaredLength > upload.maxBytes) {
    throw bundleTooLarge(upload.maxBytes);
  }

  const key = bundleObjectKey(app.id, randomUUID());
  const intake = new ZipIntake(upload.maxBytes);
  // A client that goes away, or a body past the limit, errors the intake and so fails the put.
  pipeline(upload.body, intake, () => undefined);
  try {
    await storage.put(key, intake);
  } catch (error) {
    upload.body.destroy();
    await discard(em, storage, key);
    if (error instanceof ZipRejected) {
      throw error.reason === 'too_large' ? bundleTooLarge(upload.maxBytes) : invalidBundle(error.message);
    }
    throw error;
  }

  try {
    const checksum = intake.checksum();
    if (query.checksum !== undefined && query.checksum !== checksum) throw checksumMismatch();
    await checkStoredZip(storage, key, intake.bytes).catch((error: Error) => {
      throw invalidBundle(shortReason(error.message));
    });
    const bundle = await insertBundle(
      em,
      app,
      principal.userId,
      {
        name: query.version,
        checksum,
        storage: 'stored',
        storageKey: key,
        externalUrl: null,
        size: intake.bytes,
        sessionKey: null,
        keyId: null,
      },
      query.channel,
    );
    return { app, bundle };
  } catch (error) {
    await discard(em, storage, key);
    throw error;
  }
}

export async function linkBundle({ em, principal, body }: UseCase & { body: LinkBundleBody }): Promise<ChannelView> {
  const app = await loadAppWithRight(em, principal, body.app_id, 'write');
  // Under the app's lock, so that the bundle cannot be deleted between the check and the link.
  return em.transactional(async (tx) => {
    const txEm = tx as EntityManager;
    if (!(await lockApp(txEm, app.id))) throw appNotFound();
    const bundle = await findLiveBundle(txEm, app.id, body.version);
    if (!bundle) throw bundleNotFound();
    const channel = await findChannel(txEm, app.id, body.channel);
    if (!channel) throw channelNotFound();
    channel.version = bundle.id;
    await txEm.flush();
    return { app, channel, versionName: bundle.name };
  });
}

export async function updateBundleMetadata({
  em,
  principal,
  body,
}: UseCase & { body: BundleMetadataBody }): Promise<BundleView> {
  const app = await loadAppWithRight(em, principal, body.app_id, 'write');
  const bundle = await findLiveBundle(em, app.id, body.version);
  if (!bundle) throw bundleNotFound();
  if (body.link !== undefined) bundle.link = body.link;
  if (body.comment !== undefined) bundle.comment = body.comment;
  if (body.min_update_version !== undefined) bundle.minUpdateVersion = body.min_update_version;
  await em.flush();
  return { app, bundle };
}

/** Marks the bundle deleted (its name stays taken) and removes its file once that is committed. */
export async function deleteBundle({
  em,
  principal,
  storage,
  query,
}: UseCase & { storage: BundleStorage; query: DeleteBundleQuery }): Promise<void> {
  const app = await loadAppWithRight(em, principal, query.app_id, 'admin');
  const key = await em.transactional(async (tx) => {
    const txEm = tx as EntityManager;
    if (!(await lockApp(txEm, app.id))) throw appNotFound();
    const bundle = await findLiveBundle(txEm, app.id, query.version);
    if (!bundle) throw bundleNotFound();
    if (await isBundleLinked(txEm, bundle.id)) throw bundleLinkedToChannel();
    bundle.deletedAt = new Date();
    await txEm.flush();
    if (bundle.storageKey) await queueRemovals(txEm, [bundle.storageKey]);
    await refreshLastVersion(txEm, app.id);
    return bundle.storageKey;
  });
  if (key) await removeQueuedFiles(em, storage, [key]);
}
