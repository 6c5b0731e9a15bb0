import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf, storageOf } from '../../common/request-context.js';
import { toChannelBody } from '../channel/channel.mapper.js';
import { toBundleBody } from './bundle.mapper.js';
import {
  createExternalBundle,
  deleteBundle,
  linkBundle,
  listBundles,
  updateBundleMetadata,
  uploadBundle,
} from './bundle.service.js';

const s = initServer();

/** The bundle routes; uploads are capped at `maxBytes` (BUNDLE_MAX_BYTES). */
export function bundleRoutes(maxBytes: number) {
  return s.router(contract.bundle, {
    listBundles: async ({ query, req }) => {
      const { app, bundles, total } = await listBundles({
        em: emOf(req),
        principal: principalOf(req),
        appId: query.app_id,
        page: query.page,
        limit: query.limit,
        version: query.version,
      });
      return {
        status: 200,
        body: {
          data: bundles.map((bundle) => toBundleBody(bundle, app.appId)),
          page: query.page,
          limit: query.limit,
          total,
        },
      };
    },

    createBundle: async ({ body, req }) => {
      const { app, bundle } = await createExternalBundle({ em: emOf(req), principal: principalOf(req), body });
      return { status: 201, body: toBundleBody(bundle, app.appId) };
    },

    uploadBundle: async ({ query, req, res }) => {
      const length = req.headers['content-length'];
      try {
        const { app, bundle } = await uploadBundle({
          em: emOf(req),
          principal: principalOf(req),
          storage: storageOf(req),
          query,
          upload: { body: req, declaredLength: length === undefined ? undefined : Number(length), maxBytes },
        });
        return { status: 201, body: toBundleBody(bundle, app.appId) };
      } catch (error) {
        // Answered before the whole body arrived: close the connection rather than read the rest.
        if (!req.complete) res.setHeader('connection', 'close');
        throw error;
      }
    },

    linkBundle: async ({ body, req }) => {
      const view = await linkBundle({ em: emOf(req), principal: principalOf(req), body });
      return { status: 200, body: toChannelBody(view.channel, view.app.appId, view.versionName) };
    },

    updateBundleMetadata: async ({ body, req }) => {
      const { app, bundle } = await updateBundleMetadata({ em: emOf(req), principal: principalOf(req), body });
      return { status: 200, body: toBundleBody(bundle, app.appId) };
    },

    deleteBundle: async ({ query, req }) => {
      await deleteBundle({ em: emOf(req), principal: principalOf(req), storage: storageOf(req), query });
      return { status: 200, body: { status: 'ok' as const } };
    },
  });
}
