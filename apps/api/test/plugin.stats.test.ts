import { STATS_ACTIONS } from '@apps-api/contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { Device, DeviceEvent } from '../src/modules/device/device.entity.js';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { uniqueAppId, useServer } from './support/harness.js';
import { SimulatedPlugin } from './support/plugin-client.js';

/** POST /stats (reference sheet §2): single events, batches, every action, the device row. */

const h = useServer();
let appId = '';
let app = '';

beforeAll(async () => {
  const tenant = await createTenant(h.em());
  const created = await createAppVia(h, tenant.key, {
    app_id: uniqueAppId('com.stats'),
    name: 'S',
    owner_org: tenant.orgId,
  });
  appId = created.app_id;
  app = created.id;
});

const post = async (body: unknown) => {
  const res = await fetch(`${h.baseUrl}/stats`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};

const event = (phone: SimulatedPlugin, action: string, extra: object = {}) => {
  phone.queueStat(action);
  return { ...phone.queue.splice(0, 1)[0], ...extra };
};

describe('POST /stats, one event', () => {
  it('stores the event and refreshes the device row: {"status":"ok"}', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId, defaultChannel: 'beta' });
    expect(await post(event(phone, 'app_moved_to_foreground'))).toEqual({ status: 200, body: { status: 'ok' } });
    await h.telemetry.flush();
    expect(await h.em().findOneOrFail(Device, { app, deviceId: phone.deviceId })).toMatchObject({
      versionName: 'builtin',
      defaultChannel: 'beta',
      osVersion: '14',
      installSource: 'com.android.vending',
    });
  });

  it('saves, changes and unsets default_channel as the device reports it', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    const rowAfter = async (defaultChannel: string | undefined) => {
      const body = event(phone, 'ping', { defaultChannel });
      if (defaultChannel === undefined) delete (body as { defaultChannel?: string }).defaultChannel;
      await post(body);
      await h.telemetry.flush();
      return (await h.em().findOneOrFail(Device, { app, deviceId: phone.deviceId })).defaultChannel;
    };
    expect(await rowAfter('beta')).toBe('beta');
    expect(await rowAfter('alpha')).toBe('alpha');
    expect(await rowAfter(undefined)).toBeNull();
  });

  it('stores an unknown version as sent (no version_not_found)', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect(await post(event(phone, 'set', { version_name: '9.9.9' }))).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('checks app_id first: 400 invalid_app_id, missing or not reverse-domain', async () => {
    expect(await post({ device_id: 'x' })).toEqual({
      status: 400,
      body: { error: 'invalid_app_id', message: 'App ID is required' },
    });
    expect(await post({ app_id: 'nodots' })).toEqual({
      status: 400,
      body: { error: 'invalid_app_id', message: 'App ID must be a reverse domain string' },
    });
  });

  it('answers 400 invalid_json_body to an unknown action, 400 missing_device_id without device, 429 on_premise_app for an unknown app', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect(await post(event(phone, 'no_such_action'))).toEqual({
      status: 400,
      body: { error: 'invalid_json_body', message: 'Cannot parse body' },
    });
    expect(await post({ app_id: appId })).toEqual({
      status: 400,
      body: { error: 'missing_device_id', message: 'Cannot find device_id' },
    });
    const stranger = new SimulatedPlugin({ baseUrl: h.baseUrl, appId: 'com.nobody.here' });
    expect(await post(event(stranger, 'ping'))).toEqual({
      status: 429,
      body: { error: 'on_premise_app', message: 'On-premise app detected' },
    });
  });
});

describe('POST /stats, a batch', () => {
  it('accepts every action of the sheet plus session_key_required, one result per event', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    const batch = STATS_ACTIONS.map((action) => event(phone, action, { version_name: '1.2.3:assets/app.js' }));
    // Capgo's stats_actions.ts lists 91 (the sheet's "95" is a miscount), plus session_key_required.
    expect(batch).toHaveLength(92);
    const answer = await post(batch);
    expect(answer).toEqual({
      status: 200,
      body: { status: 'ok', results: batch.map((_, index) => ({ status: 'ok', index })) },
    });
    await h.telemetry.flush();
    const stored = await h.em().find(DeviceEvent, { app, deviceId: phone.deviceId });
    expect(stored.map((e) => e.action).sort()).toEqual([...STATS_ACTIONS].sort());
    expect(new Set(stored.map((e) => e.versionName))).toEqual(new Set(['1.2.3']));
  });

  it('answers an empty batch with no results', async () => {
    expect(await post([])).toEqual({ status: 200, body: { status: 'ok', results: [] } });
  });

  it('reports each bad event at its index and keeps the good ones', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    const answer = await post([
      event(phone, 'ping'),
      { app_id: appId, device_id: phone.deviceId, action: 'ping' },
      event(phone, 'bogus'),
    ]);
    expect(answer).toEqual({
      status: 200,
      body: {
        status: 'ok',
        results: [
          { status: 'ok', index: 0 },
          { status: 'error', error: 'invalid_json_body', message: 'Cannot parse body', index: 1 },
          { status: 'error', error: 'invalid_json_body', message: 'Cannot parse body', index: 2 },
        ],
      },
    });
  });

  it('refuses mixed or invalid app ids after the first with a 200 answer', async () => {
    const phone = new SimulatedPlugin({ baseUrl: h.baseUrl, appId });
    expect(await post([event(phone, 'ping'), { ...event(phone, 'ping'), app_id: 'com.other.app' }])).toEqual({
      status: 200,
      body: { error: 'mixed_app_ids', message: 'All events in a batch must have the same app_id', kind: 'failed' },
    });
    expect(await post([event(phone, 'ping'), { ...event(phone, 'ping'), app_id: 'bad' }])).toEqual({
      status: 200,
      body: { error: 'invalid_app_id', message: 'App ID must be a reverse domain string', kind: 'failed' },
    });
    expect(await post([null])).toEqual({
      status: 400,
      body: { error: 'invalid_app_id', message: 'App ID is required' },
    });
  });

  it('answers on_premise_app per event for an unknown app', async () => {
    const stranger = new SimulatedPlugin({ baseUrl: h.baseUrl, appId: 'com.nobody.here' });
    expect(await post([event(stranger, 'ping')])).toEqual({
      status: 200,
      body: {
        status: 'ok',
        results: [{ status: 'error', error: 'on_premise_app', message: 'On-premise app detected', index: 0 }],
      },
    });
  });

  it('answers 413 beyond 1 MB', async () => {
    expect(await post([{ pad: 'x'.repeat(1_100_000) }])).toEqual({
      status: 413,
      body: { error: 'payload_too_large', message: 'Request body too large: the limit is 1048576 bytes' },
    });
  });
});

describe('POST /stats bounds', () => {
  it('refuses a batch of more than 1000 events before reading any', async () => {
    expect(await post(Array.from({ length: 1001 }, () => ({ app_id: appId })))).toEqual({
      status: 400,
      body: { error: 'invalid_json_body', message: 'Cannot parse body' },
    });
  });
});
