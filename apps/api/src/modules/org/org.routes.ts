import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf, storageOf } from '../../common/request-context.js';
import { toMemberBody, toOrgBody } from './org.mapper.js';
import {
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
    const useCase = { em: emOf(req), principal: principalOf(req) };
    if (query.orgId !== undefined) {
      return { status: 200, body: toOrgBody(await getOrg({ ...useCase, orgId: query.orgId })) };
    }
    return { status: 200, body: { data: (await listOrgs(useCase)).map(toOrgBody) } };
  },

  createOrganization: async ({ body, req }) => {
    const org = await createOrg({ em: emOf(req), principal: principalOf(req), body });
    return { status: 201, body: { id: org.id } };
  },

  updateOrganization: async ({ body, req }) => {
    const org = await updateOrg({ em: emOf(req), principal: principalOf(req), body });
    return { status: 200, body: { status: 'ok' as const, id: org.id, data: toOrgBody(org) } };
  },

  deleteOrganization: async ({ query, req }) => {
    await deleteOrg({ em: emOf(req), principal: principalOf(req), storage: storageOf(req), orgId: query.orgId });
    return { status: 200, body: { status: 'ok' as const } };
  },

  listMembers: async ({ query, req }) => {
    const members = await listMembers({ em: emOf(req), principal: principalOf(req), orgId: query.orgId });
    return { status: 200, body: { data: members.map(toMemberBody) } };
  },

  addMember: async ({ body, req }) => {
    const { member, created } = await addMember({ em: emOf(req), principal: principalOf(req), body });
    return { status: created ? 201 : 200, body: toMemberBody(member) } as const;
  },

  removeMember: async ({ query, req }) => {
    await removeMember({ em: emOf(req), principal: principalOf(req), orgId: query.orgId, email: query.email });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
