import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { RETENTION_DEFAULT_SECONDS, type TransferRecord } from '@apps-api/contract';
import type { z } from 'zod';
import { baseProperties } from '../../db/base.entity.js';
import { Org } from '../org/org.entity.js';
import { User } from '../user/user.entity.js';

export const App = defineEntity({
  name: 'App',
  tableName: 'apps',
  properties: {
    ...baseProperties,
    appId: p.string().length(255),
    /** lower(app_id): the unique, case-insensitive lookup key (a CHECK keeps it in step). */
    appIdKey: p.string().length(255),
    name: p.string().length(255),
    iconUrl: p.string().length(2048).default(''),
    ownerOrg: p.manyToOne(Org).mapToPk().fieldName('owner_org'),
    userId: p.manyToOne(User).mapToPk().nullable().fieldName('user_id'),
    defaultUploadChannel: p.string().length(255).default('dev'),
    retention: p.integer().default(RETENTION_DEFAULT_SECONDS),
    lastVersion: p.string().length(255).nullable(),
    transferHistory: p.json<z.infer<typeof TransferRecord>[]>().nullable(),
  },
});

export type App = InferEntity<typeof App>;
