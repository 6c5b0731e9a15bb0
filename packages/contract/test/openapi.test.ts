import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { initContract, isAppRoute } from '@ts-rest/core';
import type { OperationObject, ParameterObject, ResponseObject, SchemaObject } from 'openapi3-ts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as contractModule from '../src/index.js';
import { AuthHeaders, authErrorResponses, contract } from '../src/index.js';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../src/openapi/index.js';

const document = buildOpenApiDocument();
const KEY_SCHEMES = [{ authorization: [] }, { capgkey: [] }, { 'x-api-key': [] }];
const PUBLIC_ROUTERS = new Set(['health', 'docs', 'files', 'plugin']);
/** The device protocol answers in the plugin's own shape, never in ErrorBody (SPEC-live-updates §4). */
const PLUGIN_ERRORS = new Set(['#/components/schemas/PluginErrorBody', '#/components/schemas/PluginRejected']);

/** Every route of the contract with its router's name, nested routers included. */
function contractRoutes() {
  const routes: { router: string; key: string; method: string; path: string }[] = [];
  const walk = (node: object, router: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (isAppRoute(value)) routes.push({ router, key, method: value.method.toLowerCase(), path: value.path });
      else walk(value, router);
    }
  };
  for (const [router, node] of Object.entries(contract)) walk(node, router);
  return routes;
}

function operations() {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, OperationObject>).map(([method, operation]) => ({ path, method, operation })),
  );
}

describe('the OpenAPI document', () => {
  it('is the committed packages/contract/openapi.json, byte for byte (run `pnpm generate` after changing the contract)', () => {
    const committed = readFileSync(new URL('../openapi.json', import.meta.url), 'utf8');
    expect(serializeOpenApiDocument(document)).toBe(committed);
  });

  it('is built the same way every time', () => {
    expect(serializeOpenApiDocument(buildOpenApiDocument())).toBe(serializeOpenApiDocument(document));
  });

  it('is a valid OpenAPI 3.0 document', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
  });

  it('has one operation per contract route, its operationId the router key and its tag the router', () => {
    const expected = contractRoutes().map(({ router, key, method, path }) => ({
      path: path.replace(/:(\w+)/g, '{$1}'),
      method,
      operationId: key,
      tags: [router],
    }));
    const actual = operations().map(({ path, method, operation }) => ({
      path,
      method,
      operationId: operation.operationId,
      tags: operation.tags,
    }));
    const byId = (a: { operationId?: string }, b: { operationId?: string }) =>
      String(a.operationId).localeCompare(String(b.operationId));
    expect(actual.sort(byId)).toEqual(expected.sort(byId));
  });

  it('asks for a key through the three key headers as security schemes, never as parameters', () => {
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(['authorization', 'capgkey', 'x-api-key']);
    for (const { path, operation } of operations()) {
      const router = operation.tags?.[0] ?? '';
      expect(operation.security, path).toEqual(PUBLIC_ROUTERS.has(router) ? [] : KEY_SCHEMES);
      const headers = ((operation.parameters ?? []) as ParameterObject[]).filter((p) => p.in === 'header');
      expect(headers, path).toEqual([]);
    }
  });

  it('answers every error with a reference to the one ErrorBody schema', () => {
    expect(document.components?.schemas?.ErrorBody).toMatchObject({
      type: 'object',
      required: ['status', 'error', 'code', 'request_id'],
      additionalProperties: false,
    });
    for (const { path, method, operation } of operations()) {
      for (const [status, response] of Object.entries(operation.responses as Record<string, ResponseObject>)) {
        if (Number(status) < 400) continue;
        if (operation.tags?.[0] === 'plugin') {
          const ref = (response.content?.['application/json']?.schema as { $ref?: string } | undefined)?.$ref;
          expect(PLUGIN_ERRORS.has(String(ref)), `${method} ${path} ${status}`).toBe(true);
          continue;
        }
        expect(response.content, `${method} ${path} ${status}`).toEqual({
          'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } },
        });
      }
    }
  });

  it('describes every operation and response, and states retention in seconds', () => {
    for (const { path, method, operation } of operations()) {
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
      expect(operation.description, `${method} ${path}`).toBeTruthy();
      for (const [status, response] of Object.entries(operation.responses as Record<string, ResponseObject>)) {
        expect(response.description, `${method} ${path} ${status}`).not.toMatch(/^\d+$/);
      }
    }
    const app = document.components?.schemas?.App as SchemaObject | undefined;
    const retention = (app?.properties?.retention ?? {}) as SchemaObject;
    expect(retention).toMatchObject({ type: 'integer', minimum: 0, maximum: 63113903 });
    expect(retention.description).toMatch(/in \*\*seconds\*\*/);
  });

  it('names its licence (Apache-2.0, as in LICENSE) and a contact', () => {
    expect(document.info.license).toEqual({ name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' });
    expect(document.info.contact?.name).toBeTruthy();
    const licence = readFileSync(new URL('../../../LICENSE', import.meta.url), 'utf8');
    expect(licence).toContain('Apache License\n                           Version 2.0, January 2004');
  });

  it('declares every enum of several values once, as a named component (one type per enum in generated clients)', () => {
    const inline: string[] = [];
    const walk = (node: unknown, where: string, isComponent: boolean): void => {
      if (Array.isArray(node)) {
        for (const [i, item] of node.entries()) walk(item, `${where}/${i}`, false);
        return;
      }
      if (typeof node !== 'object' || node === null) return;
      const schema = node as SchemaObject;
      if (Array.isArray(schema.enum) && schema.enum.length > 1 && !isComponent) inline.push(where);
      for (const [key, value] of Object.entries(schema)) walk(value, `${where}/${key}`, false);
    };
    walk(document.paths, '#/paths', false);
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      walk(schema, `#/components/schemas/${name}`, true);
    }
    expect(inline).toEqual([]);
    const schemas = (document.components?.schemas ?? {}) as Record<string, SchemaObject>;
    expect(schemas.KeyMode).toMatchObject({ type: 'string', enum: ['read', 'upload', 'write', 'all'] });
    expect(schemas.AddMemberBody?.properties?.invite_type).toEqual({
      allOf: [{ $ref: '#/components/schemas/Role' }],
      description: 'Role to give.',
    });
    expect(schemas.ErrorBody?.properties?.code).toEqual({ $ref: '#/components/schemas/ErrorCode' });
  });
});

describe('a router added to the contract', () => {
  // What a new resource looks like: its own router with the key headers, an exported schema, the error envelope.
  const Widget = z.object({ id: z.string().uuid(), name: z.string() }).describe('A widget.');
  const c = initContract();
  const widget = c.router(
    {
      listWidgets: {
        method: 'GET',
        path: '/widget',
        summary: 'List widgets',
        description: 'The widgets of the key.',
        responses: { 200: z.object({ data: z.array(Widget) }), ...authErrorResponses },
      },
    },
    { baseHeaders: AuthHeaders, strictStatusCodes: true },
  );
  const extended = buildOpenApiDocument({
    router: { ...contract, widget },
    schemas: { ...contractModule, Widget },
  });

  it('is emitted with no change to the emitter: operationId, tag, security, named schemas, ErrorBody', () => {
    const operation = extended.paths['/widget']?.get as OperationObject;
    expect(operation).toMatchObject({
      operationId: 'listWidgets',
      tags: ['widget'],
      security: KEY_SCHEMES,
    });
    expect(operation.parameters).toBeUndefined();
    expect((operation.responses as Record<string, ResponseObject>)['200']?.content).toEqual({
      'application/json': {
        schema: {
          type: 'object',
          properties: { data: { type: 'array', items: { $ref: '#/components/schemas/Widget' } } },
          required: ['data'],
        },
      },
    });
    expect((operation.responses as Record<string, ResponseObject>)['401']?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } },
    });
    expect(extended.components?.schemas?.Widget).toMatchObject({ title: 'Widget', description: 'A widget.' });
    expect(extended.tags?.map((tag) => tag.name)).toEqual([...Object.keys(contract), 'widget']);
  });

  it('refuses an inline enum that no export names, so that every generated client gets one type for it', () => {
    const colour = c.router(
      {
        paint: {
          method: 'GET',
          path: '/paint',
          summary: 'Paint',
          description: 'Paints.',
          query: z.object({ colour: z.enum(['red', 'blue']) }),
          responses: { 200: z.object({ colour: z.enum(['red', 'blue']) }), ...authErrorResponses },
        },
      },
      { baseHeaders: AuthHeaders, strictStatusCodes: true },
    );
    expect(() => buildOpenApiDocument({ router: { ...contract, colour }, schemas: contractModule })).toThrow(
      'Inline enum [red, blue]: export it from the contract to name it',
    );
  });
});
