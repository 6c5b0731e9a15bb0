import { type AppRoute, type AppRouteResponse, type AppRouter, isAppRouteOtherResponse } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject, SchemaObject } from 'openapi3-ts';
import { z } from 'zod';
import * as contractModule from '../index.js';
import { AuthHeaders, contract } from '../index.js';
import { NamedSchemas } from './components.js';
import {
  API_DESCRIPTION,
  API_VERSION,
  CONTACT,
  LICENSE,
  RESPONSE_HEADERS,
  SECURITY_SCHEMES,
  TAG_DESCRIPTIONS,
  responseHeadersFor,
} from './texts.js';

const AUTH_HEADER_NAMES = new Set(Object.keys(AuthHeaders.shape));
/** Any one of the three key headers authenticates a request (SPEC §3). */
const KEY_REQUIRED = Object.keys(SECURITY_SCHEMES).map((scheme) => ({ [scheme]: [] }));

const REASONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'No Content',
  '206': 'Partial Content',
  '304': 'Not Modified',
};

function isAuthenticated(route: AppRoute): boolean {
  const headers = route.headers;
  return headers instanceof z.ZodObject && Object.keys(headers.shape).some((name) => AUTH_HEADER_NAMES.has(name));
}

function responseOf(
  named: NamedSchemas,
  status: string,
  generated: ResponseObject,
  declared: AppRouteResponse | undefined,
): ResponseObject {
  const response: ResponseObject = { ...generated };
  if (response.description === status) response.description = REASONS[status] ?? status;
  const ref = named.refTo(declared, true);
  if (ref) {
    response.content = { 'application/json': { schema: ref } };
  } else if (declared && isAppRouteOtherResponse(declared) && declared.body instanceof z.ZodType) {
    response.description = declared.body.description ?? response.description;
    response.content = { [declared.contentType]: { schema: named.schemaOf(declared.body, true) } };
  } else if (response.content) {
    response.content = Object.fromEntries(
      Object.entries(response.content).map(([type, media]) => [
        type,
        media.schema ? { ...media, schema: named.hoist(media.schema) } : media,
      ]),
    );
  }
  response.headers = responseHeadersFor(status);
  return response;
}

/** ts-rest's operation, made exact: key headers as security, named schemas, body and response details. */
function completeOperation(named: NamedSchemas, operation: OperationObject, route: AppRoute): OperationObject {
  const authenticated = isAuthenticated(route);
  const parameters = ((operation.parameters ?? []) as ParameterObject[])
    .filter((parameter) => !(parameter.in === 'header' && AUTH_HEADER_NAMES.has(parameter.name)))
    .map((parameter) => (parameter.schema ? { ...parameter, schema: named.hoist(parameter.schema) } : parameter));
  const responses = Object.fromEntries(
    Object.entries(operation.responses as Record<string, ResponseObject>).map(([status, response]) => [
      status,
      responseOf(named, status, response, (route.responses as Record<string, AppRouteResponse>)[status]),
    ]),
  );
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    ...(operation.deprecated ? { deprecated: true } : {}),
    // One tag per top-level router: it names the generated client's API class.
    tags: operation.tags?.slice(0, 1),
    security: authenticated ? KEY_REQUIRED : [],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...requestBodyOf(named, operation, route),
    responses,
  };
}

/** Content types of a route whose body is raw bytes rather than JSON (declared in its `metadata.binaryBody`). */
function binaryContentTypes(route: AppRoute): string[] | undefined {
  const types = (route.metadata as { binaryBody?: string[] } | undefined)?.binaryBody;
  return Array.isArray(types) && types.length > 0 ? types : undefined;
}

function requestBodyOf(named: NamedSchemas, operation: OperationObject, route: AppRoute): Partial<OperationObject> {
  const body = 'body' in route ? route.body : undefined;
  const binaryTypes = binaryContentTypes(route);
  if (binaryTypes && body instanceof z.ZodType) {
    const schema: SchemaObject = { type: 'string', format: 'binary' };
    return {
      requestBody: {
        description: body.description ?? 'Raw bytes.',
        required: true,
        content: Object.fromEntries(binaryTypes.map((type) => [type, { schema }])),
      },
      'x-codegen-request-body-name': 'body',
    };
  }
  if (!operation.requestBody || !(body instanceof z.ZodType)) return {};
  return {
    requestBody: {
      description: body.description ?? 'JSON body.',
      required: !body.isOptional(),
      content: {
        'application/json': {
          schema: named.refTo(body, false) ?? named.schemaOf(body, false),
        },
      },
    },
    // Names the generated client's body parameter `body` rather than after its schema.
    'x-codegen-request-body-name': 'body',
  };
}

export interface BuildOptions {
  /** The root router; one tag per top-level key. The contract by default. */
  router?: AppRouter;
  /** The schemas to name as components, by export name. The contract's exports by default. */
  schemas?: Record<string, unknown>;
}

/**
 * The OpenAPI document of the whole contract: every route of every router, operationIds from the
 * router keys, the three key headers as security schemes, `ErrorBody` as the one named error
 * schema. Deterministic: the same contract always gives the same document.
 */
export function buildOpenApiDocument({
  router = contract,
  schemas = contractModule,
}: BuildOptions = {}): OpenAPIObject {
  const named = new NamedSchemas(schemas);
  const generated = generateOpenApi(
    router,
    {
      openapi: '3.0.3',
      info: {
        title: 'Apps API',
        version: API_VERSION,
        description: API_DESCRIPTION,
        contact: CONTACT,
        license: LICENSE,
      },
      servers: [
        {
          url: '/',
          description: 'The instance serving this document; every deployment serves the same paths under its own URL.',
        },
      ],
    },
    {
      setOperationId: true,
      operationMapper: (operation, route) => completeOperation(named, operation, route),
    },
  );
  // ts-rest moved the titled schemas it met into components of its own; gather them with ours.
  for (const component of Object.values((generated.components?.schemas ?? {}) as Record<string, SchemaObject>)) {
    named.hoist(component);
  }

  const usedTags = new Set(
    Object.values(generated.paths).flatMap((item) =>
      Object.values(item as Record<string, OperationObject>).flatMap((operation) => operation.tags ?? []),
    ),
  );
  const { openapi, info, servers, paths } = generated;
  return {
    openapi,
    info,
    servers,
    tags: Object.keys(router)
      .filter((tag) => usedTags.has(tag))
      .map((tag) => ({ name: tag, description: TAG_DESCRIPTIONS[tag] ?? `Operations of the \`${tag}\` router.` })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(named.components).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      securitySchemes: SECURITY_SCHEMES,
      headers: RESPONSE_HEADERS,
    },
  };
}

export type { OpenAPIObject };
