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

/** Of a refused upload's body, what is still read (and dropped) to keep the answer deliverable. */
const DRAIN_LIMIT_BYTES = 1024 * 1024;

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
        // Answered before the whole body arrived. A body of at most DRAIN_LIMIT_BYTES is read to its
        // end and dropped after the answer (node does so for a body nobody read): a client that has
        // sent it all already then reads the answer, where closing with unread bytes would send it
        // a reset that can overtake the answer. A larger or unsized body closes the connection.
        const small = length !== undefined && Number(length) <= DRAIN_LIMIT_BYTES;
        if (!req.complete && !small) res.setHeader('connection', 'close');
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
