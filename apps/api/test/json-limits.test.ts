import { JSON_LIMITS, MAX_ISSUES } from '@apps-api/contract';
import { describe, expect, it } from 'vitest';
import { call } from './support/client.js';
import { createMember, createTenant } from './support/factories.js';
import { errorEnvelope, requestIdOf, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();

const INVALID = 'Invalid parameters';
const INVALID_APP = 'Invalid app configuration';
const TOO_DEEP = `Body is nested too deeply (at most ${JSON_LIMITS.maxDepth} levels)`;
const TOO_WIDE = `Body has too many items in one array or object (at most ${JSON_LIMITS.maxItems})`;

/** Sends `text` as it is (supertest would re-serialise an object). */
async function sendRaw(method: 'post' | 'put', path: string, key: string, text: string) {
  const rid = requestIdOf();
  const res = await h
    .http()
    [method](path)
    .set('x-request-id', rid)
    .set('authorization', key)
    .set('content-type', 'application/json')
    .send(text);
  return Object.assign(res, { rid });
}

const nested = (depth: number, inner = '1') => `{"name":${'['.repeat(depth)}${inner}${']'.repeat(depth)}}`;

/** The weakest key that still authenticates: read-only, confined to one app, expiring. */
async function weakKey() {
  const t = await createTenant(h.em());
  const weak = await createMember(h.em(), t.orgId, 'read', {
    mode: 'read',
    limitedToApps: ['com.only.this'],
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  return { t, key: weak.key };
}

const JSON_ROUTES: ['post' | 'put', string, string][] = [
  ['post', '/app', INVALID_APP],
  ['put', '/app/com.only.this', INVALID_APP],
  ['post', '/apikey', INVALID],
  ['put', '/apikey/00000000-0000-4000-8000-000000000000', INVALID],
  ['post', '/organization', INVALID],
  ['put', '/organization', INVALID],
  ['post', '/organization/members', INVALID],
];

describe('JSON bodies are bounded before they are read', () => {
  it.each(JSON_ROUTES)(
    '%s %s: 5,000 nested arrays from the weakest key are a 400, the process lives',
    async (method, path, error) => {
      const { key } = await weakKey();
      const res = await sendRaw(method, path, key, nested(5_000));
      expect(res.status).toBe(400);
      expect(res.body).toEqual(
        errorEnvelope('invalid_parameters', error, res.rid, { issues: [{ path: '', message: TOO_DEEP }] }),
      );
      expect((await h.http().get('/livez')).status).toBe(200);
    },
  );

  it('refuses 100,000 levels, the deepest body that fits in 100 kB', async () => {
    const { key } = await weakKey();
    const text = '['.repeat(100_000);
    expect(text.length).toBeLessThan(100 * 1024);
    const res = await sendRaw('post', '/app', key, text);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({ issues: [{ path: '', message: TOO_DEEP }] });
  });

  it(`accepts ${JSON_LIMITS.maxDepth} levels: the limit is a bound, not a ban on nesting`, async () => {
    const t = await createTenant(h.em());
    const res = await sendRaw('post', '/app', t.key, nested(JSON_LIMITS.maxDepth - 1));
    expect(res.status).toBe(400);
    expect(res.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual([
      'app_id',
      'name',
      'owner_org',
    ]);
  });

  it('refuses 49,000 organization ids in one array without checking any of them', async () => {
    const t = await createTenant(h.em());
    const ids = Array.from({ length: 49_000 }, () => '0').join(',');
    const res = await sendRaw('post', '/apikey', t.key, `{"name":"k","limited_to_orgs":[${ids}]}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, res.rid, { issues: [{ path: '', message: TOO_WIDE }] }),
    );
  });

  it('refuses 3,000 nested arrays around 47,000 zeros (just under 100 kB)', async () => {
    const t = await createTenant(h.em());
    const zeros = Array.from({ length: 47_000 }, () => '0').join(',');
    const res = await sendRaw('post', '/app', t.key, nested(3_000, zeros));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({ issues: [{ path: '', message: TOO_DEEP }] });
  });

  it('refuses an object with too many members, and too many items in all', async () => {
    const t = await createTenant(h.em());
    const members = Array.from({ length: JSON_LIMITS.maxItems + 1 }, (_, i) => `"f${i}":0`).join(',');
    const wide = await sendRaw('post', '/app', t.key, `{${members}}`);
    expect(wide.body.details).toEqual({ issues: [{ path: '', message: TOO_WIDE }] });

    const rows = Array.from({ length: 20 }, () => `[${Array(600).fill('0').join(',')}]`).join(',');
    const many = await sendRaw('post', '/app', t.key, `{"name":[${rows}]}`);
    expect(many.status).toBe(400);
    expect(many.body.details).toEqual({
      issues: [{ path: '', message: `Body has too many items in all (at most ${JSON_LIMITS.maxValues})` }],
    });
  });

  it('refuses a string longer than the limit', async () => {
    const t = await createTenant(h.em());
    const res = await sendRaw('post', '/app', t.key, `{"name":"${'x'.repeat(JSON_LIMITS.maxStringLength + 1)}"}`);
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({
      issues: [{ path: '', message: `Body has a string longer than ${JSON_LIMITS.maxStringLength} characters` }],
    });
  });

  it('counts brackets inside strings as text', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    const name = `${'['.repeat(200)}"\\"{`;
    const res = await call(h, 'post', '/app', { key: t.key, body: { app_id: appId, name, owner_org: t.orgId } });
    expect(res.status).toBe(201);
    expect(res.body.name).toBe(name);
  });

  it(`lists at most ${MAX_ISSUES} issues`, async () => {
    const t = await createTenant(h.em());
    const body = { name: 'k', limited_to_orgs: Array.from({ length: 900 }, (_, i) => `not-a-uuid-${i}`) };
    const res = await call(h, 'post', '/apikey', { key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body.details.issues).toHaveLength(MAX_ISSUES);
    expect(res.body.details.issues.slice(0, 2)).toEqual([
      { path: 'limited_to_orgs', message: 'Must list at most 100 organizations' },
      { path: 'limited_to_orgs.0', message: 'Must be a UUID' },
    ]);
  });

  it('keeps a NUL character deep in a body a 400 at its path', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'put', '/organization', {
      key: t.key,
      body: { orgId: t.orgId, name: 'ok name', logo: 'x', 'ke\u0000y': 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual({
      issues: [{ path: 'ke\\u0000y', message: 'Must not contain the NUL character (U+0000)' }],
    });
  });
});
