import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf, storageOf } from '../../common/request-context.js';
import { toAppBody } from './app.mapper.js';
import { createApp, deleteApp, getApp, listApps, updateApp } from './app.service.js';

const s = initServer();

export const appRoutes = s.router(contract.app, {
  listApps: async ({ query, req }) => {
    const { apps, total } = await listApps({
      em: emOf(req),
      principal: principalOf(req),
      page: query.page,
      limit: query.limit,
      orgId: query.org_id,
    });
    return { status: 200, body: { data: apps.map(toAppBody), page: query.page, limit: query.limit, total } };
  },

  getApp: async ({ params, req }) => {
    const app = await getApp({ em: emOf(req), principal: principalOf(req), appId: params.app_id });
    return { status: 200, body: toAppBody(app) };
  },

  createApp: async ({ body, req, res }) => {
    const app = await createApp({ em: emOf(req), principal: principalOf(req), body });
    // ts-rest responses carry no headers, so the Location header is the one thing set on `res`.
    res.location(`/app/${encodeURIComponent(app.appId)}`);
    return { status: 201, body: toAppBody(app) };
  },

  updateApp: async ({ params, body, req }) => {
    const app = await updateApp({ em: emOf(req), principal: principalOf(req), appId: params.app_id, body });
    return { status: 200, body: toAppBody(app) };
  },

  deleteApp: async ({ params, req }) => {
    await deleteApp({ em: emOf(req), principal: principalOf(req), storage: storageOf(req), appId: params.app_id });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
