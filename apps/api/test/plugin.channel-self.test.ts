import { beforeAll, describe, expect, it } from 'vitest';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { uniqueAppId, useServer } from './support/harness.js';
import { seedChannel } from './support/plugin-seed.js';
import { SimulatedPlugin } from './support/plugin-client.js';

/** /channel_self with the behaviour of plugins 7.34 and later (reference sheet §3 "new"). */

const h = useServer({ DEVICE_RATE_LIMIT_PER_MINUTE: 2 });
let appId = '';
const ids: Record<string, number> = {};

beforeAll(async () => {
  const tenant = await createTenant(h.em());
  const created = await createAppVia(h, tenant.key, {
    app_id: uniqueAppId('com.self'),
    name: 'C',
    owner_org: tenant.orgId,
  });
  appId = created.app_id;
  const em = h.em();
  ids.production = await seedChannel(em, created.id, { name: 'production', public: true });
  ids.beta = await seedChannel(em, created.id, { name: 'beta', allowDeviceSelfSet: true });
  ids.alpha = await seedChannel(em, created.id, { name: 'alpha', allowDeviceSelfSet: true, allowProd: false });
  ids.ios = await seedChannel(em, created.id, { name: 'ios-only', allowDeviceSelfSet: true, android: false });
  ids.hidden = await seedChannel(em, created.id, { name: 'hidden' });
});

const phone = (over: object = {}) => new SimulatedPlugin({ baseUrl: h.baseUrl, appId, ...over });

describe('POST /channel_self (setChannel)', () => {
  it('accepts a self-assignable channel and stores nothing: the device keeps it', async () => {
    const device = phone();
    expect(await device.setChannel('beta')).toMatchObject({ status: 200, body: { status: 'ok', allowSet: true } });
    expect(device.localChannel).toBe('beta');
    expect(device.infoObject().defaultChannel).toBe('beta');
  });

  it('refuses an unknown name, a public channel and a private one, naming the channel and app', async () => {
    const device = phone();
    expect((await device.setChannel('nope')).body).toEqual({
      error: 'channel_not_found',
      message: 'Cannot find channel',
      channel: 'nope',
      app_id: appId,
      kind: 'failed',
    });
    expect((await device.setChannel('production')).body).toEqual({
      error: 'public_channel_self_set_not_allowed',
      message:
        'This channel is public and does not allow device self-assignment. Unset the channel and the device will automatically use the public channel.',
      channel: 'production',
      app_id: appId,
      kind: 'failed',
    });
    const other = phone();
    expect((await other.setChannel('hidden')).body).toEqual({
      error: 'channel_self_set_not_allowed',
      message: 'This channel does not allow devices to self associate',
      channel: 'hidden',
      app_id: appId,
      kind: 'failed',
    });
    expect(other.localChannel).toBeUndefined();
  });

  it('answers missing_channel without a channel, 400s to broken bodies, 429 to an unknown app', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${h.baseUrl}/channel_self`, {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, body: await res.json() };
    };
    const info = phone().infoObject();
    expect(await post(info)).toEqual({
      status: 200,
      body: { error: 'missing_channel', message: 'Cannot find channel in body', kind: 'failed' },
    });
    expect(await post({ ...info, platform: 'web' })).toEqual({
      status: 400,
      body: { error: 'invalid_json_body', message: 'Cannot parse body' },
    });
    expect(await post({ ...info, app_id: 'com.none.here', channel: 'beta' })).toEqual({
      status: 429,
      body: { error: 'on_premise_app', message: 'On-premise app detected' },
    });
  });
});

describe('PUT /channel_self (getChannel)', () => {
  it('answers the channel the device sent, else its defaultChannel, else production', async () => {
    const put = async (body: unknown) => {
      const res = await fetch(`${h.baseUrl}/channel_self`, {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return { status: res.status, body: await res.json() };
    };
    const info = phone().infoObject();
    expect(await put({ ...info, channel: 'beta' })).toEqual({
      status: 200,
      body: { channel: 'beta', status: 'override', allowSet: true },
    });
    expect(await put({ ...phone({ defaultChannel: 'alpha' }).infoObject() })).toEqual({
      status: 200,
      body: { channel: 'alpha', status: 'default' },
    });
    const device = phone();
    expect(await device.getChannel()).toMatchObject({
      status: 200,
      body: { channel: 'production', status: 'default' },
    });
  });
});

describe('DELETE /channel_self (old plugins)', () => {
  it('answers ok and changes nothing; an empty query is a 400', async () => {
    const query = new URLSearchParams({
      ...(phone().infoObject() as unknown as Record<string, string>),
      is_prod: 'true',
    });
    const res = await fetch(`${h.baseUrl}/channel_self?${query}`, { method: 'DELETE' });
    expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    const empty = await fetch(`${h.baseUrl}/channel_self`, { method: 'DELETE' });
    expect({ status: empty.status, body: await empty.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_query_parameters', message: 'Cannot parse body' },
    });
  });
});

describe('GET /channel_self (listChannels)', () => {
  it('lists the public and self-assignable channels this device may use, by name', async () => {
    expect(await phone().listChannels()).toMatchObject({
      status: 200,
      body: [
        { id: ids.beta, name: 'beta', public: false, allow_self_set: true },
        { id: ids.production, name: 'production', public: true, allow_self_set: false },
      ],
    });
    expect((await phone({ platform: 'ios', isProd: false }).listChannels()).body).toEqual([
      { id: ids.alpha, name: 'alpha', public: false, allow_self_set: true },
      { id: ids.beta, name: 'beta', public: false, allow_self_set: true },
      { id: ids.ios, name: 'ios-only', public: false, allow_self_set: true },
      { id: ids.production, name: 'production', public: true, allow_self_set: false },
    ]);
  });

  it('answers 400 invalid_query_parameters, missing_app_id, and 429 for an unknown app', async () => {
    const get = async (query: string) => {
      const res = await fetch(`${h.baseUrl}/channel_self${query}`);
      return { status: res.status, body: await res.json() };
    };
    expect(await get('')).toEqual({
      status: 400,
      body: { error: 'invalid_query_parameters', message: 'Cannot parse body' },
    });
    expect(await get('?platform=ios')).toEqual({
      status: 400,
      body: { error: 'missing_app_id', message: 'Cannot find app_id' },
    });
    expect(await get(`?app_id=${appId}&platform=web`)).toEqual({
      status: 400,
      body: { error: 'invalid_query_parameters', message: 'Cannot parse body' },
    });
    expect(await get('?app_id=com.none.here&platform=ios')).toEqual({
      status: 429,
      body: { error: 'on_premise_app', message: 'On-premise app detected' },
    });
  });
});

describe('the device rate limit (DEVICE_RATE_LIMIT_PER_MINUTE=2 here)', () => {
  it('answers the third request of a device within a minute 429 with Retry-After; the plugin then waits', async () => {
    const device = phone();
    await device.checkForUpdate();
    await device.checkForUpdate();
    const refused = await fetch(`${h.baseUrl}/updates`, {
      method: 'POST',
      body: JSON.stringify(device.infoObject()),
      headers: { 'content-type': 'application/json' },
    });
    const seconds = Number(refused.headers.get('retry-after'));
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(60);
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 429,
      body: { error: 'too_many_requests', message: 'Too many requests', moreInfo: { retryAfterSeconds: seconds } },
    });
    expect(await device.checkForUpdate()).toMatchObject({ type: 'failed', reason: 'rate_limited', status: 429 });
    expect(await device.checkForUpdate()).toMatchObject({ type: 'blocked_locally' });
    expect(device.queue.map((e) => e.action)).toContain('rate_limit_reached');
    // Another device of the same app is not limited.
    expect((await phone().checkForUpdate()).type).not.toBe('failed');
  });
});
