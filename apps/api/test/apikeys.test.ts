import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { ISO_DATE, UUID, errorEnvelope, useServer } from './support/harness.js';
import { keysState } from './support/state.js';

const h = useServer();
const INVALID = 'Invalid parameters';
const NOT_FOUND = 'API key not found';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const IN_A_YEAR = new Date(Date.now() + 365 * 86_400_000).toISOString();

describe('POST /apikey', () => {
  it('answers 201 with the key object and its secret, which works at once', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/apikey', { key: t.key, body: { name: ' CI deploy ' } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(UUID),
      name: 'CI deploy',
      mode: 'read',
      limited_to_orgs: [],
      limited_to_apps: [],
      expires_at: null,
      last_used_at: null,
      created_at: expect.stringMatching(ISO_DATE),
      hint: `capgo_…${res.body.key.slice(-4)}`,
      key: expect.stringMatching(/^capgo_[0-9A-Za-z]{40}$/),
    });
    const used = await call(h, 'get', `/organization?orgId=${t.orgId}`, { key: res.body.key });
    expect(used.status).toBe(200);
  });

  it('stores limits as sent, app ids lower-cased and duplicates dropped, expiry normalised to UTC', async () => {
    const t = await createTenant(h.em());
    const body = {
      name: 'limited',
      mode: 'upload',
      limited_to_orgs: [t.orgId, t.orgId],
      limited_to_apps: ['com.Demo.App', 'com.demo.app', 'io.other.app'],
      expires_at: '2099-06-01T12:00:00+02:00',
    };
    const res = await call(h, 'post', '/apikey', { key: t.key, body });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      mode: 'upload',
      limited_to_orgs: [t.orgId],
      limited_to_apps: ['com.demo.app', 'io.other.app'],
      expires_at: '2099-06-01T10:00:00.000Z',
    });
  });

  it.each([
    ['a past expires_at', { expires_at: '2020-01-01T00:00:00Z' }, 'expires_at', 'Must be in the future'],
    [
      'an expires_at without time zone',
      { expires_at: '2099-01-01T00:00:00' },
      'expires_at',
      'Must be an ISO-8601 date-time with a time zone (Z or ±hh:mm)',
    ],
    ['an unknown mode', { mode: 'admin' }, 'mode', expect.stringContaining("'read' | 'upload' | 'write' | 'all'")],
    ['an app id that is not reverse-domain', { limited_to_apps: ['nodots'] }, 'limited_to_apps.0', expect.any(String)],
    ['an org id that is not a uuid', { limited_to_orgs: ['x'] }, 'limited_to_orgs.0', 'Must be a UUID'],
    ['an empty name', { name: '  ' }, 'name', 'Must not be empty'],
    ['an attempt to set the hash', { key_hash: 'a'.repeat(64) }, 'key_hash', 'Unknown field'],
  ])('rejects %s with 400 and creates nothing', async (_label, patch, path, message) => {
    const t = await createTenant(h.em());
    const before = await keysState(h.em(), t.userId);
    const res = await call(h, 'post', '/apikey', { key: t.key, body: { name: 'k', ...patch } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path, message }] }));
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it('refuses to confine a key to an org the caller cannot read: 403 org_access_denied', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const before = await keysState(h.em(), a.userId);
    for (const orgId of [b.orgId, UNKNOWN_ID]) {
      const res = await call(h, 'post', '/apikey', { key: a.key, body: { name: 'k', limited_to_orgs: [orgId] } });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('org_access_denied', 'You do not have access to this organization', res.rid),
      );
    }
    expect(await keysState(h.em(), a.userId)).toEqual(before);
  });
});

describe('GET /apikey', () => {
  it("lists the caller's keys only, newest first, never with a secret or hash", async () => {
    const t = await createTenant(h.em());
    await createTenant(h.em());
    const created = await call(h, 'post', '/apikey', { key: t.key, body: { name: 'second' } });
    const res = await call(h, 'get', '/apikey', { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body.data.map((key: { id: string }) => key.id)).toEqual([created.body.id, t.keyId]);
    const { key: _secret, ...withoutSecret } = created.body;
    expect(res.body.data[0]).toEqual(withoutSecret);
    for (const key of res.body.data) {
      expect(Object.keys(key).sort()).toEqual([
        'created_at',
        'expires_at',
        'hint',
        'id',
        'last_used_at',
        'limited_to_apps',
        'limited_to_orgs',
        'mode',
        'name',
      ]);
    }
    expect(JSON.stringify(res.body)).not.toContain(created.body.key.slice(6, 20));
  });

  it('shows last_used_at of a key that was used', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', `/apikey/${t.keyId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body.last_used_at).toMatch(ISO_DATE);
  });

  it("answers 404 apikey_not_found for an unknown id and for another user's key, alike", async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    for (const id of [UNKNOWN_ID, b.keyId]) {
      const res = await call(h, 'get', `/apikey/${id}`, { key: a.key });
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('apikey_not_found', NOT_FOUND, res.rid));
    }
  });

  it('rejects a malformed id with 400', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', '/apikey/123', { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path: 'id', message: 'Must be a UUID' }] }),
    );
  });
});

describe('PUT /apikey/:id', () => {
  it('changes name, mode, limits and expiry; lists are replaced, null clears the expiry', async () => {
    const t = await createTenant(h.em());
    const created = await call(h, 'post', '/apikey', {
      key: t.key,
      body: { name: 'old', limited_to_apps: ['com.a.one', 'com.a.two'], expires_at: IN_A_YEAR },
    });
    const { key: secret, ...original } = created.body;
    const res = await call(h, 'put', `/apikey/${original.id}`, {
      key: t.key,
      body: {
        name: 'new',
        mode: 'write',
        limited_to_apps: ['COM.A.three'],
        limited_to_orgs: [t.orgId],
        expires_at: null,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...original,
      name: 'new',
      mode: 'write',
      limited_to_apps: ['com.a.three'],
      limited_to_orgs: [t.orgId],
      expires_at: null,
    });
    const kept = await call(h, 'put', `/apikey/${original.id}`, { key: t.key, body: { name: 'renamed only' } });
    expect(kept.body).toEqual({ ...res.body, name: 'renamed only' });
    // The secret does not change.
    expect((await call(h, 'get', `/organization?orgId=${t.orgId}`, { key: secret })).status).toBe(200);
  });

  it.each([
    ['an empty body', {}, '', 'At least one of name, mode, limited_to_orgs, limited_to_apps, expires_at is required'],
    ['a past expires_at', { expires_at: '2001-01-01T00:00:00.000Z' }, 'expires_at', 'Must be in the future'],
    ['an unknown field', { name: 'x', user_id: UNKNOWN_ID }, 'user_id', 'Unknown field'],
  ])('rejects %s with 400 and changes nothing', async (_label, body, path, message) => {
    const t = await createTenant(h.em());
    const before = await keysState(h.em(), t.userId);
    const res = await call(h, 'put', `/apikey/${t.keyId}`, { key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path, message }] }));
    expect(await keysState(h.em(), t.userId)).toEqual(before);
  });

  it("answers 404 for another user's key and changes nothing", async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const before = await keysState(h.em(), b.userId);
    const res = await call(h, 'put', `/apikey/${b.keyId}`, { key: a.key, body: { name: 'stolen' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('apikey_not_found', NOT_FOUND, res.rid));
    expect(await keysState(h.em(), b.userId)).toEqual(before);
  });
});

describe('DELETE /apikey/:id', () => {
  it('revokes the key: it gets 401 at once, and a second delete is a 404', async () => {
    const t = await createTenant(h.em());
    const victim = await createKeyFor(h.em(), t.userId);
    const res = await call(h, 'delete', `/apikey/${victim.keyId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const used = await call(h, 'get', '/organization', { key: victim.key });
    expect(used.status).toBe(401);
    expect(used.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', used.rid));
    const again = await call(h, 'delete', `/apikey/${victim.keyId}`, { key: t.key });
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorEnvelope('apikey_not_found', NOT_FOUND, again.rid));
  });

  it('lets a key revoke itself', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'delete', `/apikey/${t.keyId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect((await call(h, 'get', '/apikey', { key: t.key })).status).toBe(401);
  });
});
