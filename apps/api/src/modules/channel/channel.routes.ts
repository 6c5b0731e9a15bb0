import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf } from '../../common/request-context.js';
import { toChannelBody } from './channel.mapper.js';
import { deleteChannel, getChannel, listChannels, upsertChannel } from './channel.service.js';

const s = initServer();

export const channelRoutes = s.router(contract.channel, {
  getChannels: async ({ query, req }) => {
    const em = emOf(req);
    const principal = principalOf(req);
    if (query.channel !== undefined) {
      const view = await getChannel({ em, principal, appId: query.app_id, name: query.channel });
      return { status: 200, body: toChannelBody(view.channel, view.app.appId, view.versionName) };
    }
    const { app, channels, total } = await listChannels({
      em,
      principal,
      appId: query.app_id,
      page: query.page,
      limit: query.limit,
    });
    return {
      status: 200,
      body: {
        data: channels.map(({ channel, versionName }) => toChannelBody(channel, app.appId, versionName)),
        page: query.page,
        limit: query.limit,
        total,
      },
    };
  },

  upsertChannel: async ({ body, req }) => {
    const view = await upsertChannel({ em: emOf(req), principal: principalOf(req), appId: body.app_id, body });
    return { status: view.created ? 201 : 200, body: toChannelBody(view.channel, view.app.appId, view.versionName) };
  },

  deleteChannel: async ({ query, req }) => {
    await deleteChannel({ em: emOf(req), principal: principalOf(req), appId: query.app_id, name: query.channel });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
