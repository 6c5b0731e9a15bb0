import { ErrorBody } from '@apps-api/contract';
import { type AppRoute, type AppRouter, isAppRoute, isAppRouteNoBody, isAppRouteOtherResponse } from '@ts-rest/core';
import { z } from 'zod';

export interface FuzzRoute {
  /** Dotted router keys, e.g. `app.createApp`. */
  name: string;
  route: AppRoute;
  segments: string[];
}

/** Every route of the contract, however deeply routers nest: routes merged later are fuzzed too. */
export function routesOf(router: AppRouter, prefix = ''): FuzzRoute[] {
  return Object.entries(router).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isAppRoute(value)) return [{ name, route: value, segments: value.path.split('/').slice(1) }];
    return routesOf(value as AppRouter, name);
  });
}

export function schemaOf(value: unknown): z.ZodTypeAny | undefined {
  return value && typeof value === 'object' && 'safeParse' in value ? (value as z.ZodTypeAny) : undefined;
}

/**
 * The route that answers `method` on the raw request path, as express routes it: literal segments
 * case-insensitive, one optional trailing slash, a parameter being one non-empty segment.
 */
export function matchRoute(routes: FuzzRoute[], method: string, rawPath: string): FuzzRoute | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method;
  let segments = rawPath.split('?')[0]?.split('/').slice(1) ?? [];
  if (segments.length > 1 && segments.at(-1) === '') segments = segments.slice(0, -1);
  return routes.find(
    ({ route, segments: pattern }) =>
      route.method === wanted &&
      pattern.length === segments.length &&
      pattern.every((part, i) => {
        const sent = segments[i] ?? '';
        return part.startsWith(':') ? sent !== '' : part.toLowerCase() === sent.toLowerCase();
      }),
  );
}

/**
 * The same schema with every object strict (unless it says passthrough), so a response carrying a
 * field the contract does not name — a leaked column, a secret — fails the check.
 */
export function strictly(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as z.ZodRawShape).map(([k, v]) => [k, strictly(v)]));
    const rebuilt = z.object(shape);
    return schema._def.unknownKeys === 'passthrough' ? rebuilt.passthrough() : rebuilt.strict();
  }
  if (schema instanceof z.ZodArray) return z.array(strictly(schema.element));
  if (schema instanceof z.ZodNullable) return strictly(schema.unwrap()).nullable();
  if (schema instanceof z.ZodOptional) return strictly(schema.unwrap()).optional();
  return schema;
}

const strictCache = new WeakMap<z.ZodTypeAny, z.ZodTypeAny>();
const strictOf = (schema: z.ZodTypeAny) => {
  if (!strictCache.has(schema)) strictCache.set(schema, strictly(schema));
  return strictCache.get(schema) as z.ZodTypeAny;
};

interface OtherResponse {
  contentType: string;
  body: unknown;
}

/** A declared non-JSON answer (the HTML docs page): its content type, and its body against the schema. */
function problemWithOther(declared: OtherResponse, method: string, answer: Answer): string | undefined {
  const type = String(answer.headers['content-type'] ?? '');
  if (type.toLowerCase() !== declared.contentType.toLowerCase())
    return `content-type ${type} is not ${declared.contentType}`;
  if (method === 'HEAD') return answer.text === '' ? undefined : 'HEAD answered with a body';
  const parsed = schemaOf(declared.body)?.safeParse(answer.text);
  return parsed && !parsed.success ? `body does not match the ${answer.status} schema` : undefined;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * What is wrong with `answer` to a request for `route` (undefined: unknown route), or undefined
 * when it is right: a declared status, a body valid against that status's schema (no field
 * beyond those it names), error bodies
 * carrying the request id, and never a 5xx.
 */
export function problemWith(
  route: FuzzRoute | undefined,
  method: string,
  answer: Answer,
  requestId: string,
): string | undefined {
  if (answer.status >= 500) return `server error ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.headers['x-request-id'] !== requestId) return 'x-request-id header missing or not echoed';
  if (!answer.headers['content-security-policy']) return 'security headers missing';
  const declared = route ? (route.route.responses as Record<number, unknown>)[answer.status] : undefined;
  if (isAppRouteOtherResponse(declared as never)) return problemWithOther(declared as OtherResponse, method, answer);
  const schema = route ? schemaOf(declared) : answer.status === 404 ? ErrorBody : undefined;
  if (!schema && !(route && isAppRouteNoBody(declared as never))) {
    return `status ${answer.status} is not declared for ${route ? route.name : 'an unknown route'}`;
  }
  if (method === 'HEAD') return answer.text === '' ? undefined : 'HEAD answered with a body';
  if (!schema) return answer.text === '' ? undefined : `status ${answer.status} should have no body`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 200)}`;
  }
  const parsed = strictOf(schema).safeParse(body);
  if (!parsed.success) return `body does not match the ${answer.status} schema: ${parsed.error.message.slice(0, 500)}`;
  // The device routes answer in the plugin's shape, which has no request_id (the header still carries it).
  const enveloped = schema instanceof z.ZodObject && 'request_id' in schema.shape;
  if (answer.status >= 400 && enveloped && (body as { request_id?: unknown }).request_id !== requestId) {
    return 'error body request_id differs from the request id';
  }
  if (!route && (body as { code?: unknown }).code !== 'not_found') return 'unknown route answered without not_found';
  return undefined;
}
