import { ROLES, type Role } from '@apps-api/contract';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { User } from '../user/user.entity.js';

// The contract owns the list (it reaches the OpenAPI document); the database checks the same values.
export { ROLES, type Role };

export const Org = defineEntity({
  name: 'Org',
  tableName: 'orgs',
  properties: {
    ...baseProperties,
    name: p.string().length(255),
    managementEmail: p.string().length(320),
    logo: p.text().nullable(),
    // A user who created an org cannot be deleted while it exists.
    createdBy: p
      .manyToOne(User)
      .mapToPk()
      .fieldName('created_by')
      .foreignKeyName('orgs_created_by_fkey')
      .updateRule('no action')
      .deleteRule('no action'),
  },
});

export type Org = InferEntity<typeof Org>;

export const OrgMember = defineEntity({
  name: 'OrgMember',
  tableName: 'org_members',
  properties: {
    orgId: p
      .manyToOne(Org)
      .mapToPk()
      .primary()
      .fieldName('org_id')
      .foreignKeyName('org_members_org_id_fkey')
      .updateRule('no action')
      .deleteRule('cascade'),
    userId: p
      .manyToOne(User)
      .mapToPk()
      .primary()
      .fieldName('user_id')
      .foreignKeyName('org_members_user_id_fkey')
      .updateRule('no action')
      .deleteRule('cascade'),
    role: p.enum([...ROLES]).columnType('varchar(16)'),
    /**
     * An invitation the user has not accepted yet: it grants nothing and stays out of the
     * user's lists until they accept it with a key of their own.
     */
    pending: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['orgId', 'userId'],
  // The primary key serves lookups by org; this one serves "every org of a user" (authentication).
  indexes: [{ name: 'org_members_user_id_index', properties: ['userId'] }],
});

export type OrgMember = InferEntity<typeof OrgMember>;
