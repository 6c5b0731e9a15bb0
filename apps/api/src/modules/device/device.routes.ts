import { contract } from '@apps-api/contract';
import { initServer } from '@ts-rest/express';
import { emOf, principalOf } from '../../common/request-context.js';
import { toDeviceBody } from './device.mapper.js';
import { deleteDeviceOverride, getDevice, listDevices, setDeviceOverride } from './device.service.js';

const s = initServer();

export const deviceRoutes = s.router(contract.device, {
  getDevices: async ({ query, req }) => {
    const em = emOf(req);
    const principal = principalOf(req);
    if (query.device_id !== undefined) {
      const { app, device } = await getDevice({ em, principal, appId: query.app_id, deviceId: query.device_id });
      return { status: 200, body: toDeviceBody(device, app.appId) };
    }
    const page = await listDevices({ em, principal, appId: query.app_id, limit: query.limit, cursor: query.cursor });
    return {
      status: 200,
      body: {
        data: page.devices.map((device) => toDeviceBody(device, page.appId)),
        nextCursor: page.nextCursor,
        hasMore: page.nextCursor !== null,
      },
    };
  },

  setDeviceOverride: async ({ body, req }) => {
    await setDeviceOverride({
      em: emOf(req),
      principal: principalOf(req),
      appId: body.app_id,
      deviceId: body.device_id,
      channelName: body.channel,
    });
    return { status: 200, body: { status: 'ok' as const } };
  },

  deleteDeviceOverride: async ({ query, req }) => {
    await deleteDeviceOverride({
      em: emOf(req),
      principal: principalOf(req),
      appId: query.app_id,
      deviceId: query.device_id,
    });
    return { status: 200, body: { status: 'ok' as const } };
  },
});
