import { describe, expect, it } from 'vitest';
import { call, createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();
const INVALID = 'Invalid app configuration';

describe('HTTP surface', () => {
  it.each([
    ['get', '/nope'],
    ['get', '/apps'],
    ['patch', '/app/com.demo.app'],
    ['post', '/app/com.demo.app'],
    ['put', '/app'],
    ['delete', '/app'],
    ['options', '/app'],
    ['options', '/organization'],
  ] as const)('answers %s %s with 404 not_found', async (method, path) => {
    const t = await createTenant(h.em());
    const res = await call(h, method, path, { key: t.key });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('not_found', 'Not found', res.rid));
  });

  it('accepts every /app path with a trailing slash', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    expect(
      (await call(h, 'post', '/app/', { key: t.key, body: { name: 'x', app_id: appId, owner_org: t.orgId } })).status,
    ).toBe(201);
    expect((await call(h, 'get', '/app/', { key: t.key })).status).toBe(200);
    expect((await call(h, 'get', `/app/${appId}/`, { key: t.key })).status).toBe(200);
    expect((await call(h, 'put', `/app/${appId}/`, { key: t.key, body: { name: 'y' } })).status).toBe(200);
    expect((await call(h, 'delete', `/app/${appId}/`, { key: t.key })).status).toBe(200);
  });

  it('writes JSON with its exact length, and answers HEAD with the same headers and no body', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    await call(h, 'post', '/app', { key: t.key, body: { name: 'Ünïcode ✓', app_id: appId, owner_org: t.orgId } });
    const got = await h.http().get(`/app/${appId}`).set('authorization', t.key);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(got.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(got.body))));
    expect(got.body.name).toBe('Ünïcode ✓');
    const head = await h.http().head(`/app/${appId}`).set('authorization', t.key);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(head.headers['content-length']).toBe(got.headers['content-length']);
    expect(head.text).toBeUndefined();
  });

  it('answers malformed JSON with 400 and a non-JSON content type with 415', async () => {
    const t = await createTenant(h.em());
    const malformed = await h
      .http()
      .post('/app')
      .set('authorization', t.key)
      .set('x-request-id', 'r1')
      .set('content-type', 'application/json')
      .send('{"name": "x",');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, 'r1', { issues: [{ path: '', message: 'Body is not valid JSON' }] }),
    );
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await h
        .http()
        .post('/app')
        .set('authorization', t.key)
        .set('x-request-id', 'r2')
        .set('content-type', type)
        .send('name=x');
      expect(res.status).toBe(415);
      expect(res.body).toEqual(
        errorEnvelope('unsupported_media_type', 'Unsupported content type: send the body as application/json', 'r2'),
      );
    }
  });

  it('answers a body that is not an object, or absent, with 400', async () => {
    const t = await createTenant(h.em());
    for (const body of ['[]', '"text"', 'null']) {
      const res = await h
        .http()
        .post('/app')
        .set('authorization', t.key)
        .set('content-type', 'application/json')
        .send(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_parameters');
    }
    const none = await call(h, 'post', '/app', { key: t.key });
    expect(none.status).toBe(400);
    expect(none.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID, none.rid, { issues: [{ path: '', message: 'Required' }] }),
    );
  });

  it('answers a body over 100 kB with 413 and stores nothing', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId();
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { name: 'x', app_id: appId, owner_org: t.orgId, padding: 'p'.repeat(110_000) },
    });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(
      errorEnvelope('payload_too_large', 'Request body too large: the limit is 100 kB', res.rid),
    );
    expect((await call(h, 'get', `/app/${appId}`, { key: t.key })).status).toBe(404);
  });

  it('echoes a valid x-request-id and replaces an invalid one', async () => {
    const echoed = await h.http().get('/livez').set('x-request-id', 'abc-123_XYZ');
    expect(echoed.headers['x-request-id']).toBe('abc-123_XYZ');
    for (const bad of ['has space', 'x'.repeat(129), 'tab\there']) {
      const res = await h.http().get('/app').set('x-request-id', bad);
      const id = res.headers['x-request-id'];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.request_id).toBe(id);
    }
    const generated = await h.http().get('/nope');
    expect(generated.body.request_id).toBe(generated.headers['x-request-id']);
  });

  it('returns JSON with no framework fingerprint', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, { name: 'x', app_id: uniqueAppId(), owner_org: t.orgId });
    const res = await call(h, 'get', `/app/${app.app_id}`, { key: t.key });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
