import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { type KeyOptions, createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, useServer } from './support/harness.js';
import { keysState } from './support/state.js';

const h = useServer();
const INSUFFICIENT = 'Insufficient permissions';
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY);

/** A tenant plus one more key of theirs with `options`; `org` in limitedToOrgs stands for the tenant's org. */
async function callerWith(options: KeyOptions) {
  const t = await createTenant(h.em());
  const limitedToOrgs = options.limitedToOrgs?.map((id) => (id === 'org' ? t.orgId : id));
  const caller = await createKeyFor(h.em(), t.userId, { ...options, limitedToOrgs });
  return { ...t, caller };
}

describe('who may manage keys', () => {
  it.each([
    ['read', { mode: 'read' }],
    ['upload', { mode: 'upload' }],
    ['write', { mode: 'write' }],
    ['all, limited to an org', { mode: 'all', limitedToOrgs: ['org'] }],
  ] as const)('refuses a key of mode %s on every /apikey route with 403, changing nothing', async (_l, options) => {
    const t = await callerWith(options as KeyOptions);
    const before = await keysState(h.em(), t.userId);
    for (const [method, path, body] of [
      ['get', '/apikey', undefined],
      ['get', `/apikey/${t.keyId}`, undefined],
      ['post', '/apikey', { name: 'new', mode: 'read' }],
      ['put', `/apikey/${t.keyId}`, { name: 'renamed' }],
      ['put', `/apikey/${t.caller.keyId}`, { mode: 'all', limited_to_orgs: [] }],
      ['delete', `/apikey/${t.keyId}`, undefined],
    ] as const) {
      const res = await call(h, method, path, { key: t.caller.key, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    }
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it('allows an `all` key limited to apps, within its apps', async () => {
    const t = await callerWith({ limitedToApps: ['com.a.one', 'com.a.two'] });
    const res = await call(h, 'post', '/apikey', {
      key: t.caller.key,
      body: { name: 'n', limited_to_apps: ['COM.A.ONE'] },
    });
    expect(res.status).toBe(201);
    expect(res.body.limited_to_apps).toEqual(['com.a.one']);
  });
});

describe('no key creates a more powerful key', () => {
  it.each([
    ['without app limit', { limitedToApps: ['com.a.one'] }, {}],
    ['with an app outside its own', { limitedToApps: ['com.a.one'] }, { limited_to_apps: ['com.a.one', 'com.a.two'] }],
    ['without expiry', { expiresAt: inDays(10) }, {}],
    ['with expires_at: null', { expiresAt: inDays(10) }, { expires_at: null }],
    ['expiring later than itself', { expiresAt: inDays(10) }, { expires_at: inDays(11).toISOString() }],
  ])('refuses a limited caller creating a key %s: 403, nothing created', async (_l, options, body) => {
    const t = await callerWith(options);
    const before = await keysState(h.em(), t.userId);
    const res = await call(h, 'post', '/apikey', { key: t.caller.key, body: { name: 'n', mode: 'all', ...body } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it('lets an expiring caller create a key that expires no later than itself', async () => {
    const t = await callerWith({ expiresAt: inDays(10) });
    const expiresAt = inDays(9).toISOString();
    const res = await call(h, 'post', '/apikey', { key: t.caller.key, body: { name: 'n', expires_at: expiresAt } });
    expect(res.status).toBe(201);
    expect(res.body.expires_at).toBe(expiresAt);
  });

  it('refuses to touch a key more powerful than the caller, even to narrow it', async () => {
    const t = await callerWith({ limitedToApps: ['com.a.one'] });
    const before = await keysState(h.em(), t.userId);
    // t.keyId is the unlimited owner key: a key confined to one app may neither change nor revoke it.
    for (const [method, body] of [
      ['put', { name: 'renamed' }],
      ['put', { limited_to_apps: [] }],
      ['put', { limited_to_apps: ['com.a.one'] }],
      ['get', undefined],
      ['delete', undefined],
    ] as const) {
      const res = await call(h, method, `/apikey/${t.keyId}`, { key: t.caller.key, body });
      expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(403);
      expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    }
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it('lists only the keys no more powerful than the caller, and lets it manage those', async () => {
    const t = await callerWith({ limitedToApps: ['com.a.one', 'com.a.two'] });
    const weaker = await createKeyFor(h.em(), t.userId, { mode: 'read', limitedToApps: ['com.a.one'] });
    const list = await call(h, 'get', '/apikey', { key: t.caller.key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((key: { id: string }) => key.id).sort()).toEqual([t.caller.keyId, weaker.keyId].sort());
    const revoked = await call(h, 'delete', `/apikey/${weaker.keyId}`, { key: t.caller.key });
    expect(revoked.status).toBe(200);
    expect((await call(h, 'get', '/app', { key: t.key })).status).toBe(200);
  });
});

describe('a key cannot lift its own limits', () => {
  it.each([
    ['drop its app limit', { limitedToApps: ['com.a.one'] }, { limited_to_apps: [] }],
    ['add an app', { limitedToApps: ['com.a.one'] }, { limited_to_apps: ['com.a.one', 'com.a.two'] }],
    ['clear its expiry', { expiresAt: inDays(3) }, { expires_at: null }],
    ['push its expiry back', { expiresAt: inDays(3) }, { expires_at: inDays(30).toISOString() }],
  ])('refuses a key that tries to %s: 403, unchanged', async (_l, options, body) => {
    const t = await callerWith(options);
    const before = await keysState(h.em(), t.userId);
    const res = await call(h, 'put', `/apikey/${t.caller.keyId}`, { key: t.caller.key, body });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it('lets a key narrow itself, after which it is held to the new limits', async () => {
    const t = await callerWith({ limitedToApps: ['com.a.one', 'com.a.two'] });
    const res = await call(h, 'put', `/apikey/${t.caller.keyId}`, {
      key: t.caller.key,
      body: { limited_to_apps: ['com.a.one'], expires_at: inDays(1).toISOString() },
    });
    expect(res.status).toBe(200);
    const back = await call(h, 'put', `/apikey/${t.caller.keyId}`, {
      key: t.caller.key,
      body: { limited_to_apps: ['com.a.one', 'com.a.two'] },
    });
    expect(back.status).toBe(403);
  });

  it('lets a key lower its own mode, which ends its right to manage keys', async () => {
    const t = await callerWith({});
    const res = await call(h, 'put', `/apikey/${t.caller.keyId}`, { key: t.caller.key, body: { mode: 'write' } });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('write');
    const up = await call(h, 'put', `/apikey/${t.caller.keyId}`, { key: t.caller.key, body: { mode: 'all' } });
    expect(up.status).toBe(403);
    expect(up.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, up.rid));
  });
});
