import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, useServer } from './support/harness.js';
import {
  createChannelVia,
  createExternalVia,
  externalBody,
  storedState,
  tenantWithApp,
  uploadVia,
} from './support/live-updates.js';

/** Org A's super_admin key on every live-update route of org B's app: always the app's 404, nothing changed. */
const h = useServer();
const DEVICE = '00009a6b-eefe-490a-9c60-8e965132ae51';

const routes: { name: string; run: (key: string, appId: string) => Promise<{ status: number; body: unknown; rid: string }> }[] = [
  { name: 'list bundles', run: (key, appId) => call(h, 'get', `/bundle?app_id=${appId}`, { key }) },
  { name: 'register a bundle', run: (key, appId) => call(h, 'post', '/bundle', { key, body: externalBody(appId, '9.0.0') }) },
  { name: 'upload a bundle', run: (key, appId) => uploadVia(h, { key, query: { app_id: appId, version: '9.0.1' } }) },
  { name: 'link a bundle', run: (key, appId) => call(h, 'put', '/bundle', { key, body: { app_id: appId, version: '1.0.0', channel: 'production' } }) },
  { name: 'edit metadata', run: (key, appId) => call(h, 'post', '/bundle/metadata', { key, body: { app_id: appId, version: '1.0.0', comment: 'x' } }) },
  { name: 'delete a bundle', run: (key, appId) => call(h, 'delete', `/bundle?app_id=${appId}&version=1.0.0`, { key }) },
  { name: 'list channels', run: (key, appId) => call(h, 'get', `/channel?app_id=${appId}`, { key }) },
  { name: 'get a channel', run: (key, appId) => call(h, 'get', `/channel?app_id=${appId}&channel=production`, { key }) },
  { name: 'update a channel', run: (key, appId) => call(h, 'post', '/channel', { key, body: { app_id: appId, channel: 'production', public: false } }) },
  { name: 'delete a channel', run: (key, appId) => call(h, 'delete', `/channel?app_id=${appId}&channel=production`, { key }) },
  { name: 'list devices', run: (key, appId) => call(h, 'get', `/device?app_id=${appId}`, { key }) },
  { name: 'get a device', run: (key, appId) => call(h, 'get', `/device?app_id=${appId}&device_id=${DEVICE}`, { key }) },
  { name: 'set an override', run: (key, appId) => call(h, 'post', '/device', { key, body: { app_id: appId, device_id: DEVICE, channel: 'qa' } }) },
  { name: 'remove an override', run: (key, appId) => call(h, 'delete', `/device?app_id=${appId}&device_id=${DEVICE}`, { key }) },
  { name: 'read statistics', run: (key, appId) => call(h, 'get', `/statistics?app_id=${appId}&from=2026-01-01&to=2026-01-02`, { key }) },
];

describe("another org's key on live-update routes", () => {
  it.each(routes)('"$name" answers 404 app_not_found and changes nothing', async (route) => {
    const a = await createTenant(h.em());
    const { t: b, app } = await tenantWithApp(h);
    await createExternalVia(h, b.key, app.app_id, '1.0.0');
    await createChannelVia(h, b.key, { app_id: app.app_id, channel: 'production', version: '1.0.0', public: true });
    await createChannelVia(h, b.key, { app_id: app.app_id, channel: 'qa' });
    const before = {
      bundles: (await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: b.key })).body,
      channels: (await call(h, 'get', `/channel?app_id=${app.app_id}`, { key: b.key })).body,
      stored: await storedState(h, app.id),
    };

    const res = await route.run(a.key, app.app_id);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));

    expect({
      bundles: (await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: b.key })).body,
      channels: (await call(h, 'get', `/channel?app_id=${app.app_id}`, { key: b.key })).body,
      stored: await storedState(h, app.id),
    }).toEqual(before);
  });

  it('a key limited to other apps gets the same 404 on an app of its own org', async () => {
    const { t, app } = await tenantWithApp(h);
    const limited = await createKeyFor(h.em(), t.userId, { limitedToApps: ['com.other.app'] });
    const res = await call(h, 'get', `/bundle?app_id=${app.app_id}`, { key: limited.key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
  });
});
