import type { Member as MemberBody, Org as OrgBody } from '@apps-api/contract';
import type { Role } from './org.entity.js';
import type { Org } from './org.entity.js';

/** The wire shape of an org (SPEC §1). */
export function toOrgBody(org: Org): OrgBody {
  return {
    id: org.id,
    name: org.name,
    management_email: org.managementEmail,
    logo: org.logo ?? null,
    created_by: org.createdBy,
    created_at: org.createdAt.toISOString(),
    updated_at: org.updatedAt.toISOString(),
  };
}

export function toMemberBody(member: { userId: string; email: string; role: Role }): MemberBody {
  return { uid: member.userId, email: member.email, role: member.role };
}
