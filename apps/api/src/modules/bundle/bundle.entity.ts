import { type InferEntity, defineEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { App } from '../app/app.entity.js';
import { User } from '../user/user.entity.js';

const { id: _uuid, ...timestamps } = baseProperties;

export const BUNDLE_STORAGES = ['stored', 'external'] as const;
export type BundleStorage = (typeof BUNDLE_STORAGES)[number];

/**
 * One version of an app's web code. A deleted bundle keeps its row (`deleted_at` set) so that its
 * name stays taken, as in Capgo; `storage_key` is cleared once its file is gone.
 */
export const Bundle = defineEntity({
  name: 'Bundle',
  tableName: 'bundles',
  properties: {
    // A positive integer, as in Capgo (the plugin reads numeric ids).
    id: p.integer().primary().generated('by default as identity'),
    app: p.manyToOne(App).mapToPk().fieldName('app').deleteRule('cascade'),
    name: p.string().length(255),
    checksum: p.string().length(64),
    storage: p.enum([...BUNDLE_STORAGES]),
    /** Object key of a stored bundle's zip; null for external bundles and once a deleted bundle's file is removed. */
    storageKey: p.string().length(512).nullable(),
    externalUrl: p.string().length(2048).nullable(),
    size: p.bigint('number').nullable(),
    sessionKey: p.text().nullable(),
    keyId: p.string().length(255).nullable(),
    minUpdateVersion: p.string().length(255).nullable(),
    link: p.string().length(2048).nullable(),
    comment: p.text().nullable(),
    userId: p.manyToOne(User).mapToPk().nullable().fieldName('user_id').deleteRule('set null'),
    deletedAt: p.datetime().nullable(),
    ...timestamps,
  },
  uniques: [{ name: 'bundles_app_name_unique', properties: ['app', 'name'] }],
  indexes: [
    // Lists (newest first) and retention (oldest live ones) read this index from either end.
    { name: 'bundles_app_created_at_id_index', properties: ['app', 'createdAt', 'id'] },
    { name: 'bundles_user_id_index', properties: ['userId'] },
  ],
  checks: [
    { name: 'bundles_size_check', expression: 'size >= 0' },
    {
      name: 'bundles_external_url_check',
      expression: "(storage = 'external') = (external_url is not null)",
    },
  ],
});

export type Bundle = InferEntity<typeof Bundle>;

/**
 * A stored file waiting to be removed: written in the same transaction that deletes what pointed
 * at it (a bundle, or a whole app), removed once the storage confirms. Retention retries the rest.
 */
export const StorageRemoval = defineEntity({
  name: 'StorageRemoval',
  tableName: 'storage_removals',
  properties: {
    storageKey: p.string().length(512).primary(),
    attempts: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type StorageRemoval = InferEntity<typeof StorageRemoval>;

/** Server-wide secrets created once and shared by every replica (the file-URL signing key). */
export const ServerSecret = defineEntity({
  name: 'ServerSecret',
  tableName: 'server_secrets',
  properties: {
    name: p.string().length(64).primary(),
    value: p.text().hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type ServerSecret = InferEntity<typeof ServerSecret>;
