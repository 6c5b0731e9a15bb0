import { MAX_PAGE_SIZE, contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { quotasOf, storageOf, useCaseOf } from '../../common/request-context.js';
import { toMemberBody, toOrgBody } from './org.mapper.js';
import {
  acceptInvitation,
  addMember,
  createOrg,
  deleteOrg,
  getOrg,
  listMembers,
  listOrgs,
  removeMember,
  updateOrg,
} from './org.service.js';

const s = initServer();

export const organizationRoutes = s.router(contract.organization, {
  getOrganizations: async ({ query, req }) => {
    const useCase = useCaseOf(req);
    if (query.orgId !== undefined) {
      return { status: 200, body: toOrgBody(await getOrg({ ...useCase, orgId: query.orgId })) };
    }
    const page = query.page ?? 0;
    const limit = query.limit ?? MAX_PAGE_SIZE;
    const { orgs, total } = await listOrgs({ ...useCase, page, limit });
    const data = orgs.map(toOrgBody);
    // Asked for a page: the paged shape of every list. Otherwise SPEC's `{data}`, at most one full page.
    if (query.page === undefined && query.limit === undefined) return { status: 200, body: { data } };
    return { status: 200, body: { data, page, limit, total } };
  },

  createOrganization: async ({ body, req }) => {
    const org = await createOrg({ ...useCaseOf(req), body, quotas: quotasOf(req) });
    return { status: 201, body: { id: org.id } };
  },

  updateOrganization: async ({ body, req }) => {
    const org = await updateOrg({ ...useCaseOf(req), body });
    return { status: 200, body: { status: 'ok' as const, id: org.id, data: toOrgBody(org) } };
  },

  deleteOrganization: async ({ query, req }) => {
    await deleteOrg({ ...useCaseOf(req), storage: storageOf(req), orgId: query.orgId });
    return { status: 200, body: { status: 'ok' as const } };
  },

  listMembers: async ({ query, req }) => {
    const members = await listMembers({ ...useCaseOf(req), orgId: query.orgId });
    return { status: 200, body: { data: members.map(toMemberBody) } };
  },

  addMember: async ({ body, req }) => {
    const { member, created } = await addMember({ ...useCaseOf(req), body, quotas: quotasOf(req) });
    return { status: created ? 201 : 200, body: toMemberBody(member) } as const;
  },

  acceptInvitation: async ({ body, req }) => {
    const member = await acceptInvitation({ ...useCaseOf(req), orgId: body.orgId, quotas: quotasOf(req) });
    return { status: 200, body: toMemberBody(member) };
  },

  removeMember: async ({ query, req }) => {
    await removeMember({ ...useCaseOf(req), orgId: query.orgId, email: query.email });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
