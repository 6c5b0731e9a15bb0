import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    ...baseProperties,
    /** Stored lower-cased (normalizeEmail); the unique index makes sure of it for any writer. */
    email: p.string().length(320),
  },
  indexes: [
    {
      name: 'users_email_lower_unique',
      expression: 'create unique index "users_email_lower_unique" on "users" (lower("email"))',
    },
  ],
});

export type User = InferEntity<typeof User>;
