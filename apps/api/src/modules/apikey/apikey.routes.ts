import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { quotasOf, useCaseOf } from '../../common/request-context.js';
import { toApiKeyBody } from './apikey.mapper.js';
import { createApiKey, getApiKey, listApiKeys, revokeApiKey, updateApiKey } from './apikey.service.js';

const s = initServer();

export const apikeyRoutes = s.router(contract.apikey, {
  listApiKeys: async ({ req }) => {
    const keys = await listApiKeys(useCaseOf(req));
    return { status: 200, body: { data: keys.map(toApiKeyBody) } };
  },

  getApiKey: async ({ params, req }) => {
    const key = await getApiKey({ ...useCaseOf(req), id: params.id });
    return { status: 200, body: toApiKeyBody(key) };
  },

  createApiKey: async ({ body, req }) => {
    const { key, secret } = await createApiKey({ ...useCaseOf(req), body, quotas: quotasOf(req) });
    return { status: 201, body: { ...toApiKeyBody(key), key: secret } };
  },

  updateApiKey: async ({ params, body, req }) => {
    const key = await updateApiKey({ ...useCaseOf(req), id: params.id, body });
    return { status: 200, body: toApiKeyBody(key) };
  },

  deleteApiKey: async ({ params, req }) => {
    await revokeApiKey({ ...useCaseOf(req), id: params.id });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
