import { KEY_MODES, type KeyMode } from '@apps-api/contract';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { User } from '../user/user.entity.js';

// The contract owns the list (it reaches the OpenAPI document); the database checks the same values.
export { KEY_MODES, type KeyMode };

export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    ...baseProperties,
    userId: p
      .manyToOne(User)
      .mapToPk()
      .fieldName('user_id')
      .foreignKeyName('api_keys_user_id_fkey')
      .updateRule('no action')
      .deleteRule('cascade'),
    name: p.string().length(255),
    /** SHA-256 of the secret, hex; the secret itself is never stored. */
    keyHash: p.string().columnType('char(64)').hidden(),
    hint: p.string().length(32),
    mode: p.enum([...KEY_MODES]).columnType('varchar(8)'),
    limitedToOrgs: p.array().columnType('uuid[]').defaultRaw(`'{}'`),
    /** Lower-cased app ids, so membership tests match app_id case-insensitively. */
    limitedToApps: p.array().columnType('text[]').defaultRaw(`'{}'`),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
  },
  uniques: [{ name: 'api_keys_key_hash_unique', properties: ['keyHash'] }],
  indexes: [{ name: 'api_keys_user_id_index', properties: ['userId'] }],
});

export type ApiKey = InferEntity<typeof ApiKey>;
