import type { EntityManager } from '@mikro-orm/postgresql';
import {
  channelNotFound,
  deviceNotFound,
  invalidParameters,
  publicChannelOverride,
} from '../../common/errors.js';
import type { Principal } from '../../common/rights.js';
import { ChannelDevice } from '../channel/channel.entity.js';
import { findChannel } from '../channel/channel.repository.js';
import { loadAppWithRight } from '../channel/channel.service.js';
import { type DevicePosition, type DeviceRecord, findDevice, findDevicePage } from './device.repository.js';

interface UseCase {
  em: EntityManager;
  principal: Principal;
  appId: string;
}

export async function getDevice({ em, principal, appId, deviceId }: UseCase & { deviceId: string }) {
  const app = await loadAppWithRight(em, principal, appId, 'read');
  const device = await findDevice(em, app.id, deviceId);
  if (!device) throw deviceNotFound();
  return { app, device };
}

/** The cursor is `<microseconds>.<device id>` in base64url: opaque to clients, exact for the database. */
export function encodeCursor(position: DevicePosition): string {
  return Buffer.from(`${position.seenMicros}.${position.deviceId}`).toString('base64url');
}

export function decodeCursor(cursor: string): DevicePosition {
  const match = /^(\d{1,19})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!match || Buffer.from(`${match[1]}.${match[2]}`).toString('base64url') !== cursor) {
    throw invalidParameters([{ path: 'cursor', message: 'Not a cursor this API gave' }]);
  }
  return { seenMicros: match[1] as string, deviceId: match[2] as string };
}

export async function listDevices({
  em,
  principal,
  appId,
  limit,
  cursor,
}: UseCase & { limit: number; cursor?: string }): Promise<{
  devices: DeviceRecord[];
  nextCursor: string | null;
  appId: string;
}> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const app = await loadAppWithRight(em, principal, appId, 'read');
  const rows = await findDevicePage(em, app.id, limit + 1, after);
  const devices = rows.slice(0, limit);
  const last = devices.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
  return { devices, nextCursor, appId: app.appId };
}

export async function setDeviceOverride({
  em,
  principal,
  appId,
  deviceId,
  channelName,
}: UseCase & { deviceId: string; channelName: string }): Promise<void> {
  const app = await loadAppWithRight(em, principal, appId, 'write');
  const channel = await findChannel(em, app.id, channelName);
  if (!channel) throw channelNotFound();
  if (channel.public) throw publicChannelOverride();
  const now = new Date();
  await em.upsert(
    ChannelDevice,
    { app: app.id, deviceId, channel: channel.id, createdAt: now, updatedAt: now } as ChannelDevice,
    { onConflictFields: ['app', 'deviceId'], onConflictExcludeFields: ['createdAt'] },
  );
}

export async function deleteDeviceOverride({ em, principal, appId, deviceId }: UseCase & { deviceId: string }) {
  const app = await loadAppWithRight(em, principal, appId, 'write');
  await em.nativeDelete(ChannelDevice, { app: app.id, deviceId });
}
