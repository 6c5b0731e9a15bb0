import { StatusOkToJSON } from '@apps-api/client';
import { type Command, type Context, text } from '../context.js';
import type { Result } from '../output.js';

const APP = {
  type: 'string',
  placeholder: 'app_id',
  required: true,
  description: 'the app, such as com.example.app',
} as const;

async function set(context: Context): Promise<Result> {
  const [deviceId = ''] = context.positionals;
  const appId = text(context, 'app');
  const channel = text(context, 'channel');
  const answer = await context
    .client()
    .device.setDeviceOverride({ body: { app_id: appId, device_id: deviceId, channel } });
  return { value: StatusOkToJSON(answer), text: `device ${deviceId} of ${appId} now follows channel ${channel}` };
}

async function remove(context: Context): Promise<Result> {
  const [deviceId = ''] = context.positionals;
  const appId = text(context, 'app');
  const answer = await context.client().device.deleteDeviceOverride({ app_id: appId, device_id: deviceId });
  return { value: StatusOkToJSON(answer), text: `device ${deviceId} of ${appId} has no channel override` };
}

export const deviceCommands: Command[] = [
  {
    words: ['device', 'override', 'set'],
    positionals: ['<device_id>'],
    summary: 'Make one device follow a (non-public) channel, whatever its own channel says.',
    options: { app: APP, channel: { type: 'string', placeholder: 'name', required: true, description: 'the channel' } },
    run: set,
  },
  {
    words: ['device', 'override', 'remove'],
    positionals: ['<device_id>'],
    summary: "Remove a device's channel override (also fine when it has none).",
    options: { app: APP },
    run: remove,
  },
];
