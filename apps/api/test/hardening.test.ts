import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { call } from './support/client.js';
import { createTenant } from './support/factories.js';
import { errorEnvelope, requestIdOf, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();
const withCors = useServer({ CORS_ORIGINS: ['https://app.example.com', 'http://localhost:5173'] });

describe('security headers', () => {
  it.each([
    ['a success', '/livez'],
    ['an error', '/no-such-route'],
  ])('are on %s', async (_, path) => {
    const res = await h.http().get(path);
    expect(res.headers).toMatchObject({
      'content-security-policy': "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
      'cache-control': 'no-store',
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('are the same on POST /updates answered before express (plugin.fast-path.ts) as on its express route', async () => {
    const body = JSON.stringify({ app_id: 'com.unknown.app', device_id: '00000000-0000-4000-8000-000000000001' });
    const rid = requestIdOf();
    const post = () => h.http().post('/updates').set('x-request-id', rid).set('content-type', 'application/json');
    // The fast path leaves compressed bodies to express.
    const [fast, routed] = await Promise.all([
      post().send(body),
      // serialize: superagent would otherwise send a Buffer under a JSON content type as JSON.
      post()
        .set('content-encoding', 'gzip')
        .serialize((bytes) => bytes)
        .send(gzipSync(body)),
    ]);
    const { date: _fastDate, ...fastHeaders } = fast.headers;
    const { date: _routedDate, ...routedHeaders } = routed.headers;
    expect(fast.status).toBe(400);
    expect(routed.status).toBe(400);
    expect(fast.body).toEqual(routed.body);
    expect(fastHeaders['x-request-id']).toBe(rid);
    expect(fastHeaders).toEqual(routedHeaders);
  });
});

describe('CORS', () => {
  it('is closed by default: no CORS headers, and a preflight is an unknown route', async () => {
    const simple = await h.http().get('/livez').set('origin', 'https://app.example.com');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const rid = requestIdOf();
    const preflight = await h
      .http()
      .options('/app')
      .set('x-request-id', rid)
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'POST');
    expect(preflight.status).toBe(404);
    expect(preflight.body).toEqual(errorEnvelope('not_found', 'Not found', rid));
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets the configured origins in, exposing the headers clients need', async () => {
    const preflight = await withCors
      .http()
      .options('/app')
      .set('origin', 'https://app.example.com')
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', 'authorization,content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST,PUT,DELETE',
      'access-control-allow-headers': 'authorization,capgkey,x-api-key,content-type,x-request-id',
      'access-control-max-age': '600',
    });
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const t = await createTenant(withCors.em());
    const res = await withCors.http().get('/app').set('origin', 'http://localhost:5173').set('authorization', t.key);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-expose-headers']).toBe(
      'x-request-id,location,ratelimit,ratelimit-policy,retry-after',
    );
  });

  it('gives other origins no CORS headers', async () => {
    const res = await withCors.http().get('/livez').set('origin', 'https://evil.example.net');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['https://app.example.com/path', 'app.example.com', 'ftp://x.example', 'https://a.example,*'])(
    'refuses CORS_ORIGINS=%s at start, naming the variable',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS: must be \* or a comma-separated list/);
    },
  );

  it('accepts * and lists of origins', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).CORS_ORIGINS).toEqual(['*']);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:3000' }).CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
  });
});

describe('size caps', () => {
  it('refuses a JSON body over 100 kB with 413', async () => {
    const t = await createTenant(h.em());
    const body = { app_id: uniqueAppId(), name: 'x'.repeat(101 * 1024), owner_org: t.orgId };
    const res = await call(h, 'post', '/app', { key: t.key, body });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(
      errorEnvelope('payload_too_large', 'Request body too large: the limit is 100 kB', res.rid),
    );
  });

  it('refuses a page size over 1000 with 400, never clamping it', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'get', '/app?limit=1001', { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', 'Invalid app configuration', res.rid, {
        issues: [{ path: 'limit', message: 'Must be at most 1000' }],
      }),
    );
  });
});

describe('strings PostgreSQL cannot store', () => {
  it('refuses a lone surrogate, which would be stored altered, with 400', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { app_id: uniqueAppId(), name: 'ok', icon: '', owner_org: t.orgId, extra: { '\ud800<script>': 1 } },
    });
    expect(res.status).toBe(400);
    expect(res.body.details.issues).toEqual([
      { path: 'extra.\\ud800<script>', message: 'Must be well-formed Unicode (no lone surrogate code units)' },
    ]);
    const named = await call(h, 'post', '/app', {
      key: t.key,
      body: { app_id: uniqueAppId(), name: '\ud800<script>', owner_org: t.orgId },
    });
    expect(named.status).toBe(400);
    expect(named.body).toEqual(
      errorEnvelope('invalid_parameters', 'Invalid app configuration', named.rid, {
        issues: [{ path: 'name', message: 'Must be well-formed Unicode (no lone surrogate code units)' }],
      }),
    );
  });

  it('refuses U+0000 anywhere in a JSON body with 400, naming the field', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/app', {
      key: t.key,
      body: { app_id: uniqueAppId(), name: 'a\u0000b', owner_org: t.orgId },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', 'Invalid app configuration', res.rid, {
        issues: [{ path: 'name', message: 'Must not contain the NUL character (U+0000)' }],
      }),
    );
  });
});
