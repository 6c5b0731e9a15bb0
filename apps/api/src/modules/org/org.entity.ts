import { ROLES } from '@apps-api/contract';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { baseProperties } from '../../db/base.entity.js';
import { User } from '../user/user.entity.js';

// The contract owns the list (it reaches the OpenAPI document); the database checks the same values.
export { ROLES };
export type Role = (typeof ROLES)[number];

export const Org = defineEntity({
  name: 'Org',
  tableName: 'orgs',
  properties: {
    ...baseProperties,
    name: p.string().length(255),
    managementEmail: p.string().length(320),
    logo: p.text().nullable(),
    createdBy: p.manyToOne(User).mapToPk().fieldName('created_by'),
  },
});

export type Org = InferEntity<typeof Org>;

export const OrgMember = defineEntity({
  name: 'OrgMember',
  tableName: 'org_members',
  properties: {
    orgId: p.manyToOne(Org).mapToPk().primary().fieldName('org_id'),
    userId: p.manyToOne(User).mapToPk().primary().fieldName('user_id'),
    role: p.enum([...ROLES]),
    /**
     * An invitation the user has not accepted yet: it grants nothing and stays out of the
     * user's lists until they accept it with a key of their own.
     */
    pending: p.boolean().default(false),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  primaryKeys: ['orgId', 'userId'],
});

export type OrgMember = InferEntity<typeof OrgMember>;
