import type { App, Bundle, Channel } from '@apps-api/contract';
import type { Harness } from './harness.js';
import { requestIdOf, uniqueAppId } from './harness.js';
import { call, createAppVia } from './client.js';
import { type Tenant, createTenant } from './factories.js';
import { sampleBundle } from './zip.js';

export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** A fresh tenant and one app of theirs. */
export async function tenantWithApp(h: Harness): Promise<{ t: Tenant; app: App }> {
  const t = await createTenant(h.em());
  const app = await createAppVia(h, t.key, { name: 'Live', app_id: uniqueAppId(), owner_org: t.orgId });
  return { t, app };
}

export async function createChannelVia(h: Harness, key: string, body: Record<string, unknown>): Promise<Channel> {
  const res = await call(h, 'post', '/channel', { key, body });
  if (res.status !== 201) throw new Error(`channel create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Channel;
}

export const externalBody = (appId: string, version: string, extra: Record<string, unknown> = {}) => ({
  app_id: appId,
  version,
  external_url: `https://cdn.example.com/${version}.zip`,
  checksum: 'a'.repeat(64),
  ...extra,
});

export async function createExternalVia(h: Harness, key: string, appId: string, version: string): Promise<Bundle> {
  const res = await call(h, 'post', '/bundle', { key, body: externalBody(appId, version) });
  if (res.status !== 201) throw new Error(`bundle create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Bundle;
}

export interface UploadOptions {
  key: string;
  query: Record<string, string>;
  body?: Buffer;
  contentType?: string;
}

/** POST /bundle/upload with raw bytes. */
export async function uploadVia(h: Harness, options: UploadOptions) {
  const rid = requestIdOf();
  const res = await h
    .http()
    .post('/bundle/upload')
    .query(options.query)
    .set('x-request-id', rid)
    .set('authorization', options.key)
    .set('content-type', options.contentType ?? 'application/zip')
    .send(options.body ?? sampleBundle());
  return Object.assign(res, { rid });
}

export async function uploadedBundle(h: Harness, key: string, appId: string, version: string, zip = sampleBundle(version)) {
  const res = await uploadVia(h, { key, query: { app_id: appId, version }, body: zip });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Bundle;
}

/** Every object of the app in storage, and every bundle row of the app (deleted ones too). */
export async function storedState(h: Harness, appUuid: string) {
  const objects = await h.storage.list(`${appUuid}/`);
  const rows = await h.em().getConnection().execute<{ name: string; deleted: boolean }[]>(
    'select name, deleted_at is not null as deleted from bundles where app = ? order by id',
    [appUuid],
  );
  return { objects, rows };
}
