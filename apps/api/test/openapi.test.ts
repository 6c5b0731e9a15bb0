import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { createLogger } from '../src/common/logger.js';
import { errorEnvelope, requestIdOf } from './support/harness.js';

// The document and the page touch no database: the app is built without one.
const app = buildApp({ runtime: { state: 'starting' }, logger: createLogger('silent') });
const committed = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('@apps-api/contract/openapi.json'), 'utf8'),
) as { paths: Record<string, Record<string, unknown>> };

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** `METHOD /path` of every route express has mounted, in express's path syntax. */
function mountedRoutes(express: Express): string[] {
  const stack = (express as unknown as { router: { stack: RouteLayer[] } }).router.stack;
  return stack.flatMap(({ route }) =>
    route ? Object.keys(route.methods).map((method) => `${method.toUpperCase()} ${route.path}`) : [],
  );
}

function documentedRoutes(): string[] {
  return Object.entries(committed.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
  );
}

describe('route inventory', () => {
  it('mounts exactly the operations of the committed OpenAPI document, no more, no fewer', () => {
    expect(mountedRoutes(app).sort()).toEqual(documentedRoutes().sort());
    expect(documentedRoutes()).toContain('DELETE /app/:app_id');
  });
});

describe('GET /openapi.json', () => {
  it('serves the committed document, without a key', async () => {
    const rid = requestIdOf();
    const res = await request(app).get('/openapi.json').set('x-request-id', rid);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['x-request-id']).toBe(rid);
    expect(res.body).toEqual(committed);
  });
});

describe('GET /docs', () => {
  it('serves a page whose scripts and styles all come from the service itself', async () => {
    const res = await request(app).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const assets = [...res.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets).toEqual([
      '/docs/assets/favicon-32x32.png',
      '/docs/assets/swagger-ui.css',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/docs-init.js',
    ]);
    expect(res.text).not.toMatch(/https?:\/\//);
    // Its own scripts only, none inline; the API's stricter policy stays on every other route.
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';script-src 'self';style-src 'self' 'unsafe-inline';img-src 'self' data:;connect-src 'self';base-uri 'none';form-action 'none';frame-ancestors 'none'",
    );
    expect(res.text).not.toMatch(/<script>/);
    for (const [asset, type] of [
      ['/docs/assets/favicon-32x32.png', 'image/png'],
      ['/docs/assets/swagger-ui.css', 'text/css; charset=utf-8'],
      ['/docs/assets/swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
      ['/docs/assets/docs-init.js', 'text/javascript; charset=utf-8'],
    ]) {
      const file = await request(app).get(String(asset));
      expect(file.status, asset).toBe(200);
      expect(file.headers['content-type'], asset).toBe(type);
    }
  });

  it('serves no other file of the UI package: 404 not_found', async () => {
    for (const path of ['/docs/assets/index.html', '/docs/assets/package.json', '/docs/assets/../package.json']) {
      const rid = requestIdOf();
      const res = await request(app).get(path).set('x-request-id', rid);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toEqual(errorEnvelope('not_found', 'Not found', rid));
    }
  });
});
