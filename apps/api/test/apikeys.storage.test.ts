import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runSql } from '../src/db/sql.js';
import { ApiKey } from '../src/modules/apikey/apikey.entity.js';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, uniqueEmail, useServer } from './support/harness.js';

const h = useServer();

/** Every row of every table in the schema, as text: what a database dump would hold. */
async function dumpDatabase(): Promise<string[]> {
  const tables = await runSql<{ table_name: string }>(
    h.em(),
    `select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
    [],
  );
  const rows: string[] = [];
  for (const { table_name } of tables) {
    const result = await runSql<{ row: string }>(
      h.em(),
      `select row_to_json(t)::text as row from "${table_name}" t`,
      [],
    );
    rows.push(...result.map((r) => r.row));
  }
  return rows;
}

/** Every run of 8 characters of the secret's random part: none may appear anywhere. */
const fragments = (secret: string) => {
  const random = secret.slice('capgo_'.length);
  return Array.from({ length: random.length - 7 }, (_, i) => random.slice(i, i + 8));
};

describe('what the database keeps of a key', () => {
  it('holds no usable secret, nor any 8-character run of one, after keys are made over the API', async () => {
    const t = await createTenant(h.em());
    const secrets: string[] = [];
    for (const body of [
      { name: 'plain' },
      { name: 'limited', mode: 'write', limited_to_orgs: [t.orgId], limited_to_apps: ['com.a.b'] },
      { name: 'expiring', mode: 'all', expires_at: '2099-01-01T00:00:00Z' },
    ]) {
      const res = await call(h, 'post', '/apikey', { key: t.key, body });
      expect(res.status).toBe(201);
      secrets.push(res.body.key);
    }

    const rows = await runSql<Record<string, unknown>>(h.em(), 'select * from api_keys where user_id = $1', [t.userId]);
    expect(rows).toHaveLength(4);
    const dump = (await dumpDatabase()).join('\n');
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      for (const fragment of fragments(secret)) expect(dump.includes(fragment)).toBe(false);
      const hash = createHash('sha256').update(secret).digest('hex');
      expect(dump).toContain(hash); // the dump does cover the keys table
      const row = rows.find((r) => r.key_hash === hash) ?? {};
      expect(row.hint).toBe(`capgo_…${secret.slice(-4)}`);
      for (const value of Object.values(row)) {
        for (const fragment of fragments(secret)) expect(String(value)).not.toContain(fragment);
      }
    }
  });

  it('returns the secret in the create response only', async () => {
    const t = await createTenant(h.em());
    const created = await call(h, 'post', '/apikey', { key: t.key, body: { name: 'once' } });
    const reads = [
      await call(h, 'get', '/apikey', { key: t.key }),
      await call(h, 'get', `/apikey/${created.body.id}`, { key: t.key }),
      await call(h, 'put', `/apikey/${created.body.id}`, { key: t.key, body: { name: 'twice' } }),
    ];
    for (const res of reads) {
      expect(res.status).toBe(200);
      for (const fragment of fragments(created.body.key)) expect(JSON.stringify(res.body)).not.toContain(fragment);
    }
  });
});

describe('an expired key', () => {
  it('gets 401 invalid_apikey on every route, like an unknown key', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, { app_id: uniqueAppId(), name: 'App', owner_org: t.orgId });
    const expired = await createKeyFor(h.em(), t.userId, { expiresAt: new Date(Date.now() - 1000) });
    const routes = [
      ['get', '/organization', undefined],
      ['get', `/organization?orgId=${t.orgId}`, undefined],
      ['post', '/organization', { name: 'New org' }],
      ['put', '/organization', { orgId: t.orgId, name: 'Renamed' }],
      ['delete', `/organization?orgId=${t.orgId}`, undefined],
      ['get', `/organization/members?orgId=${t.orgId}`, undefined],
      ['post', '/organization/members', { orgId: t.orgId, email: uniqueEmail(), invite_type: 'read' }],
      ['delete', `/organization/members?orgId=${t.orgId}&email=${encodeURIComponent(t.email)}`, undefined],
      ['get', '/apikey', undefined],
      ['get', `/apikey/${t.keyId}`, undefined],
      ['post', '/apikey', { name: 'k' }],
      ['put', `/apikey/${expired.keyId}`, { expires_at: null }],
      ['delete', `/apikey/${t.keyId}`, undefined],
      ['get', '/app', undefined],
      ['get', `/app/${app.app_id}`, undefined],
      ['post', '/app', { app_id: uniqueAppId(), name: 'X', owner_org: t.orgId }],
      ['put', `/app/${app.app_id}`, { name: 'Y' }],
      ['delete', `/app/${app.app_id}`, undefined],
    ] as const;
    for (const [method, path, body] of routes) {
      const res = await call(h, method, path, { key: expired.key, body });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', res.rid));
    }
    const row = await h.em().findOneOrFail(ApiKey, { id: expired.keyId });
    expect(row.expiresAt?.getTime()).toBeLessThan(Date.now());
    expect((await call(h, 'get', `/organization?orgId=${t.orgId}`, { key: t.key })).body.name).not.toBe('Renamed');
  });

  it('stops working the moment its expires_at passes', async () => {
    const t = await createTenant(h.em());
    const created = await call(h, 'post', '/apikey', {
      key: t.key,
      body: { name: 'short-lived', expires_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect((await call(h, 'get', '/organization', { key: created.body.key })).status).toBe(200);
    // Time passes: move the expiry into the past rather than wait for it.
    await h.em().nativeUpdate(ApiKey, { id: created.body.id }, { expiresAt: new Date(Date.now() - 1) });
    const res = await call(h, 'get', '/organization', { key: created.body.key });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(errorEnvelope('invalid_apikey', 'Invalid API key', res.rid));
  });
});
