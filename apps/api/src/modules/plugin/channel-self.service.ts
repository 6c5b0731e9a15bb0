import type { ChannelSelfCurrent, PluginRefusal, SelfAssignableChannel } from '@apps-api/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Runtime } from '../../common/request-context.js';
import { Channel } from '../channel/channel.entity.js';
import { type ChannelSelfRequest, readChannelSelf, readListChannels, readUnsetChannel } from './plugin.body.js';
import { deviceSeen, type PluginDeps, sharedEm } from './plugin.deps.js';
import { onPremiseApp, refusal } from './plugin.errors.js';
import { findAppId } from './stats.service.js';

/**
 * `/channel_self` with the behaviour of plugins 7.34 and later, whatever `plugin_version` says
 * (SPEC-live-updates §4): the device keeps its channel and sends it as `defaultChannel`; the
 * server validates and stores nothing. Server-side overrides come only from `POST /device`.
 */

function forkedEm(runtime: Runtime): EntityManager {
  return sharedEm(runtime).fork() as EntityManager;
}

async function knownApp(em: EntityManager, appId: string): Promise<string> {
  const app = await findAppId(em, appId);
  if (!app) throw onPremiseApp();
  return app;
}

function remember(deps: PluginDeps, app: string, request: ChannelSelfRequest, action: 'setChannel' | 'getChannel') {
  const now = new Date();
  deps.telemetry.seen(deviceSeen(app, request, now));
  deps.telemetry.event({
    app,
    deviceId: request.device_id,
    action,
    versionName: request.onBuiltin ? 'builtin' : request.version_name,
    oldVersionName: null,
    metadata: null,
    receivedAt: now,
  });
}

/** POST: may the device join `channel`? */
export async function setChannel(
  deps: PluginDeps,
  body: unknown,
): Promise<{ status: 'ok'; allowSet: true } | PluginRefusal> {
  const request = readChannelSelf(body);
  deps.rateLimit.hit('channel_self', request.app_id, request.device_id);
  if (!request.channel) return refusal('missing_channel', 'Cannot find channel in body');
  const em = forkedEm(deps.runtime);
  const app = await knownApp(em, request.app_id);
  // By exact name, with no platform filter (as Capgo's lookup).
  const channel = await em.findOne(Channel, { app, name: request.channel });
  const named = { channel: request.channel, app_id: request.app_id };
  if (!channel) return refusal('channel_not_found', 'Cannot find channel', named);
  if (!channel.allowDeviceSelfSet) {
    return channel.public
      ? refusal(
          'public_channel_self_set_not_allowed',
          'This channel is public and does not allow device self-assignment. Unset the channel and the device will automatically use the public channel.',
          named,
        )
      : refusal('channel_self_set_not_allowed', 'This channel does not allow devices to self associate', named);
  }
  remember(deps, app, request, 'setChannel');
  return { status: 'ok', allowSet: true };
}

/** PUT: the channel the device uses, as it told us. */
export async function getChannel(deps: PluginDeps, body: unknown): Promise<ChannelSelfCurrent> {
  const request = readChannelSelf(body);
  deps.rateLimit.hit('channel_self', request.app_id, request.device_id);
  const app = await knownApp(forkedEm(deps.runtime), request.app_id);
  remember(deps, app, request, 'getChannel');
  if (request.channel) return { channel: request.channel, status: 'override', allowSet: true };
  return { channel: request.defaultChannel || 'production', status: 'default' };
}

/** DELETE: only old plugins call it; nothing is stored server-side, so there is nothing to remove. */
export async function unsetChannel(deps: PluginDeps, query: Record<string, unknown>): Promise<{ status: 'ok' }> {
  const request = readUnsetChannel(query);
  deps.rateLimit.hit('channel_self', request.app_id, request.device_id);
  const app = await knownApp(forkedEm(deps.runtime), request.app_id);
  deps.telemetry.seen(deviceSeen(app, request, new Date()));
  return { status: 'ok' };
}

/** GET: the channels this kind of device may pick. */
export async function listChannels(deps: PluginDeps, query: Record<string, unknown>): Promise<SelfAssignableChannel[]> {
  const request = readListChannels(query);
  if (request.device_id) deps.rateLimit.hit('channel_self', request.app_id, request.device_id);
  const em = forkedEm(deps.runtime);
  const app = await knownApp(em, request.app_id);
  const channels = await em.find(
    Channel,
    {
      app,
      $or: [{ public: true }, { allowDeviceSelfSet: true }],
      [request.platform]: true,
      ...(request.is_emulator ? { allowEmulator: true } : { allowDevice: true }),
      ...(request.is_prod ? { allowProd: true } : { allowDev: true }),
    },
    { orderBy: { name: 'asc', id: 'asc' }, fields: ['id', 'name', 'public', 'allowDeviceSelfSet'] },
  );
  return channels.map((channel) => ({
    id: channel.id,
    name: channel.name,
    public: channel.public,
    allow_self_set: channel.allowDeviceSelfSet,
  }));
}
