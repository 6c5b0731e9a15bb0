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
    // app_id and app_id_key collate "C" (byte order, whatever the locale: stable list pages). That is
    // in the initial migration only: MikroORM 6.6 can neither declare a column's collation nor see
    // one in the schema diff, so a new column that needs one must set it in its migration by hand.
    appId: p.string().length(255),
    /** lower(app_id): the unique, case-insensitive lookup key (a CHECK keeps it in step). */
    appIdKey: p.string().length(255),
    name: p.string().length(255),
    iconUrl: p.string().length(2048).default(''),
    // Deleting an org deletes its apps, and with them every row that references an app.
    ownerOrg: p
      .manyToOne(Org)
      .mapToPk()
      .fieldName('owner_org')
      .foreignKeyName('apps_owner_org_fkey')
      .updateRule('no action')
      .deleteRule('cascade'),
    userId: p
      .manyToOne(User)
      .mapToPk()
      .nullable()
      .fieldName('user_id')
      .foreignKeyName('apps_user_id_fkey')
      .updateRule('no action')
      .deleteRule('set null'),
    defaultUploadChannel: p.string().length(255).default('dev'),
    retention: p.integer().default(RETENTION_DEFAULT_SECONDS),
    lastVersion: p.string().length(255).nullable(),
    transferHistory: p.json<z.infer<typeof TransferRecord>[]>().nullable(),
  },
  uniques: [{ name: 'apps_app_id_key_unique', properties: ['appIdKey'] }],
  indexes: [
    // The list order (newest first, app_id as tie-break): a page is found on this index alone.
    {
      name: 'apps_owner_org_created_at_index',
      expression: 'create index "apps_owner_org_created_at_index" on "apps" ("owner_org", "created_at" desc, "app_id")',
    },
    { name: 'apps_user_id_index', properties: ['userId'] },
  ],
  checks: [
    { name: 'apps_check', expression: 'app_id_key = lower(app_id)' },
    { name: 'apps_retention_check', expression: 'retention >= 0 and retention <= 63113903' },
  ],
});

export type App = InferEntity<typeof App>;
