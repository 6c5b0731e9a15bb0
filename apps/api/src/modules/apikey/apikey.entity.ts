import { KEY_MODES } from '@apps-api/contract';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { User } from '../user/user.entity.js';

// The contract owns the list (it reaches the OpenAPI document); the database checks the same values.
export { KEY_MODES };
export type KeyMode = (typeof KEY_MODES)[number];

export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    ...baseProperties,
    userId: p.manyToOne(User).mapToPk().fieldName('user_id'),
    name: p.string().length(255),
    /** SHA-256 of the secret, hex; the secret itself is never stored. */
    keyHash: p.string().length(64).hidden(),
    hint: p.string().length(32),
    mode: p.enum([...KEY_MODES]),
    limitedToOrgs: p.array().columnType('uuid[]'),
    /** Lower-cased app ids, so membership tests match app_id case-insensitively. */
    limitedToApps: p.array().columnType('text[]'),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
  },
});

export type ApiKey = InferEntity<typeof ApiKey>;
