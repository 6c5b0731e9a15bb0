import { describe, expect, it } from 'vitest';
import { ApiKey } from '../src/modules/apikey/apikey.entity.js';
import { hashSecret } from '../src/modules/apikey/apikey.secret.js';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createTenant, keyRow } from './support/factories.js';
import { errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();

describe('authentication', () => {
  it.each(['authorization', 'bearer', 'capgkey', 'x-api-key'] as const)('accepts the key in %s', async (header) => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', '/app', { key: t.key, header });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], page: 0, limit: 50, total: 0 });
  });

  it('answers 401 no_key_provided without a key, also for an empty header', async () => {
    for (const key of [undefined, '', '   ', 'Bearer ']) {
      const res = await call(h, 'get', '/app', { key });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorEnvelope('no_key_provided', 'No key provided', res.rid));
    }
  });

  it('answers unknown, revoked and expired keys with identical 401 bodies', async () => {
    const t = await createTenant(h.em());
    const revoked = await createKeyFor(h.em(), t.userId);
    await h.em().nativeDelete(ApiKey, { id: revoked.keyId });
    const expired = await createKeyFor(h.em(), t.userId, { expiresAt: new Date(Date.now() - 1000) });
    const bodies = [];
    for (const key of ['capgo_doesnotexist', revoked.key, expired.key, `${t.key}x`, t.key.toUpperCase()]) {
      const res = await call(h, 'get', '/app', { key, requestId: 'same-id' });
      expect(res.status).toBe(401);
      bodies.push(res.body);
    }
    for (const body of bodies) expect(body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', 'same-id'));
  });

  it('lets a key with a future expiry in, and stops it the moment it expires', async () => {
    const t = await createTenant(h.em());
    const soon = await createKeyFor(h.em(), t.userId, { expiresAt: new Date(Date.now() + 1500) });
    expect((await call(h, 'get', '/app', { key: soon.key })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await call(h, 'get', '/app', { key: soon.key })).status).toBe(401);
  });

  it('authenticates before validating: a bad body without a key is 401', async () => {
    const res = await call(h, 'post', '/app', { body: { bogus: true } });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorEnvelope('no_key_provided', 'No key provided', res.rid));
  });

  it('records last_used_at', async () => {
    const t = await createTenant(h.em());
    expect((await keyRow(h.em(), t.keyId)).lastUsedAt).toBeNull();
    const before = Date.now();
    expect((await call(h, 'get', '/app', { key: t.key })).status).toBe(200);
    // Written in the background (no write on the read itself), within a few seconds.
    let used: Date | null | undefined = null;
    for (let waited = 0; !used && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      used = (await keyRow(h.em(), t.keyId)).lastUsedAt;
    }
    expect(used?.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('stores only a SHA-256 hash and a short hint, never the secret', async () => {
    const t = await createTenant(h.em());
    expect(t.key).toMatch(/^capgo_[0-9A-Za-z]{40}$/);
    const rows = await h.em().getConnection().execute('select * from api_keys where id = ?', [t.keyId]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(t.key);
    expect(dump).not.toContain(t.key.slice(6, 20));
    expect(rows[0]?.key_hash).toBe(hashSecret(t.key));
    expect(rows[0]?.hint).toBe(`capgo_…${t.key.slice(-4)}`);
  });

  it('caps a key by its mode: a read key of a super_admin cannot create apps', async () => {
    const t = await createTenant(h.em());
    const read = await createKeyFor(h.em(), t.userId, { mode: 'read' });
    const res = await call(h, 'post', '/app', {
      key: read.key,
      body: { name: 'x', app_id: uniqueAppId(), owner_org: t.orgId },
    });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(
      errorEnvelope('org_access_denied', 'You do not have access to this organization', res.rid),
    );
    const write = await createKeyFor(h.em(), t.userId, { mode: 'write' });
    await createAppVia(h, write.key, { name: 'x', app_id: uniqueAppId(), owner_org: t.orgId });
  });
});
