import fc from 'fast-check';
import { type ArbitraryContext, arbitraryFor } from './zod-arbitrary.js';
import { type FuzzRoute, schemaOf } from './contract-routes.js';
import { makeZip } from '../support/zip.js';

export interface FuzzRequest {
  /** `valid`, or the mutation applied. */
  kind: string;
  method: string;
  /** Raw path and query, sent as is (no normalisation). */
  path: string;
  headers: Record<string, string>;
  /** JSON text, or raw bytes for a route that takes them (a zip upload). */
  body?: string | Buffer;
}

export interface Credentials {
  /** Keys the fuzzer may send: the owner's first, others after. */
  keys: string[];
}

interface Parts {
  method: string;
  params: Record<string, string>;
  query: [string, string][];
  body: unknown;
  rawBody?: string;
  contentType?: string;
  auth: [string, string] | undefined;
  pathSuffix: string;
  literalCase: 'as-is' | 'upper';
}

const UNICODE = [
  'é',
  '日本語',
  '🚀👩‍👩‍👧',
  '\u202eRTL',
  '\u200b',
  'A\u0301',
  '\u0000',
  '\ud800',
  '\uffff',
  '\t\n',
  '<script>',
];
const WRONG_TYPES: unknown[] = [
  123,
  -1,
  1.5,
  1e308,
  -0,
  true,
  false,
  null,
  [],
  {},
  [1, 'a'],
  { nested: { x: 1 } },
  '',
  ' ',
];
const QUERY_VALUES = [
  '-1',
  '0',
  '1e3',
  '1.5',
  '99999999999999999999',
  '00000000001',
  ' 1',
  '0x10',
  'NaN',
  'Infinity',
  '',
  '1000001',
  '1001',
  '-0',
  '١٢',
  '１',
  'true',
  'null',
  '%',
  '%00',
  'a'.repeat(4_000),
];
const PATH_TRICKS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  'a%2Fb',
  '%00',
  'com.demo.app%00',
  '%C0%AE',
  '%E0%A4%A',
  '%F0%9F%9A%80.app',
  `${'a'.repeat(300)}.b`,
  'com.demo.app;x=1',
  'com.demo.app%3Fx=1',
  '~',
  '%',
  'com.demo..app',
  '%5C..%5C',
  'com.demo.app%23x',
  '%20com.demo.app',
  'COM.DEMO.APP',
  '-1',
  '0',
  'null',
  'undefined',
  '%u0041',
];
const RAW_BODIES = [
  '{',
  '{"a":}',
  'nul',
  "{'a':1}",
  '\u0000',
  '{"a":1} x',
  '[]',
  '"s"',
  '1',
  'null',
  'true',
  '',
  '{}',
  `${'['.repeat(3_000)}${']'.repeat(3_000)}`,
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '\ufeff{}',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'json',
  '*/*',
];
const EXTRA_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'id',
  'owner_org',
  'user_id',
  'retention',
  'created_at',
  'transfer_history',
  'role',
  'x'.repeat(300),
  '',
];

const repeatJoined = (count: number, item: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => item(i)).join(',');

/**
 * Bodies built to cost the most per byte (issue 9): nesting up to 100,000 levels, arrays up to
 * the 100 kB body limit and past it, arrays of invalid items (one issue each), wide objects,
 * long strings. Each wraps its payload in the route's own field `key`, so it reaches the same
 * code a valid body would.
 */
export const HOSTILE_BODIES: ((key: string) => string)[] = [
  ...[33, 1_000, 5_000, 49_000].map(
    (depth) => (key: string) => `{${JSON.stringify(key)}:${'['.repeat(depth)}${']'.repeat(depth)}}`,
  ),
  () => '['.repeat(100_000),
  () => `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
  ...[1_001, 49_000, 51_000].map(
    (length) => (key: string) => `{${JSON.stringify(key)}:[${repeatJoined(length, () => '0')}]}`,
  ),
  (key) => `{${JSON.stringify(key)}:${'['.repeat(3_000)}${repeatJoined(47_000, () => '0')}${']'.repeat(3_000)}}`,
  (key) => `{${JSON.stringify(key)}:[${repeatJoined(990, (i) => `"not-valid-${i}"`)}]}`,
  () => `{${repeatJoined(1_001, (i) => `"f${i}":0`)}}`,
  (key) => `{${JSON.stringify(key)}:[${repeatJoined(20, () => `[${repeatJoined(600, () => '0')}]`)}]}`,
  (key) => `{${JSON.stringify(key)}:"${'x'.repeat(65_537)}"}`,
];

/** encodeURIComponent that also takes lone surrogates (as U+FFFD) instead of throwing. */
const encode = (value: string) => encodeURIComponent(value.replace(/\p{Cs}/gu, '\ufffd'));

const objectKeys = (value: unknown) =>
  value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) ? Object.keys(value) : [];

/** Content types of a route that takes raw bytes (contract `metadata.binaryBody`). */
function binaryTypesOf(fr: FuzzRoute): string[] | undefined {
  return (fr.route as { metadata?: { binaryBody?: string[] } }).metadata?.binaryBody;
}

/** Zip bodies, good and hostile: random bytes, a zip header then noise, unsafe entry names, cut and bit-flipped zips. */
function zipBodies(): fc.Arbitrary<Buffer> {
  const good = () => makeZip([{ name: 'index.html', data: '<!doctype html>' }, { name: 'js/a.js', data: 'x' }]);
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(good) },
    fc.uint8Array({ maxLength: 4096 }).map((bytes) => Buffer.from(bytes)),
    fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.concat([Buffer.from('PK\u0003\u0004', 'latin1'), bytes])),
    fc
      .constantFrom('../evil.js', '/etc/passwd', 'C:/x.dll', 'a\\b.js', 'a/../../b', '', 'x'.repeat(65_535))
      .map((name) => makeZip([{ name: 'index.html', data: 'ok' }, { name, data: 'evil' }])),
    fc.constant(null).map(() => makeZip([])),
    fc.nat().map((n) => {
      const zip = good();
      return zip.subarray(0, n % zip.length);
    }),
    fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, mask]) => {
      const zip = Buffer.from(good());
      const index = at % zip.length;
      zip[index] = (zip[index] as number) ^ mask;
      return zip;
    }),
  );
}

function hugeString(): fc.Arbitrary<string> {
  return fc.constantFrom(1_000, 20_000, 99_000, 150_000).map((n) => 'x'.repeat(n));
}

function unicodeString(): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...UNICODE), { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''));
}

/** One way of spoiling a valid request; each mutation keeps the request otherwise intact. */
function mutations(fr: FuzzRoute): [string, (parts: Parts) => fc.Arbitrary<Parts>][] {
  const keysOf = (parts: Parts) => [
    ...new Set([...objectKeys(parts.body), ...shapeKeys((fr.route as { body?: unknown }).body)]),
  ];
  const setField = (value: fc.Arbitrary<unknown>) => (parts: Parts) =>
    fc.tuple(fc.constantFrom(...keysOf(parts), 'unknown_field'), value).map(([key, v]) => ({
      ...parts,
      body: { ...(typeof parts.body === 'object' && parts.body ? parts.body : {}), [key]: v },
    }));
  const list: [string, (parts: Parts) => fc.Arbitrary<Parts>][] = [
    [
      'drop-field',
      (parts) =>
        fc.constantFrom(...objectKeys(parts.body), '-').map((key) => {
          const body = { ...(parts.body as object) } as Record<string, unknown>;
          delete body[key];
          return { ...parts, body };
        }),
    ],
    [
      'extra-field',
      (parts) =>
        fc.tuple(fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => ({
          ...parts,
          rawBody: JSON.stringify(parts.body ?? {})
            .replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(value)},`)
            .replace(/,\}$/, '}'),
        })),
    ],
    ['wrong-type', setField(fc.constantFrom(...WRONG_TYPES))],
    ['huge-string', setField(hugeString())],
    ['unicode-string', setField(unicodeString())],
    ['raw-body', (parts) => fc.constantFrom(...RAW_BODIES).map((rawBody) => ({ ...parts, rawBody }))],
    [
      'content-type',
      (parts) =>
        fc
          .constantFrom(...CONTENT_TYPES)
          .map((contentType) => ({ ...parts, body: parts.body ?? { a: 1 }, contentType })),
    ],
    [
      'query-value',
      (parts) =>
        fc
          .tuple(
            fc.constantFrom(...parts.query.map(([k]) => k), ...queryKeys(fr), 'page', 'limit'),
            fc.oneof(fc.constantFrom(...QUERY_VALUES), unicodeString()),
          )
          .map(([key, value]) => ({
            ...parts,
            query: [...parts.query.filter(([k]) => k !== key), [key, value] as [string, string]],
          })),
    ],
    [
      'query-repeat',
      (parts) =>
        fc
          .constantFrom(...queryKeys(fr), 'page')
          .map((key) => ({ ...parts, query: [...parts.query, [key, '1'], [key, '2']] as [string, string][] })),
    ],
    [
      'query-brackets',
      (parts) =>
        fc.constantFrom('[]', '[a]', '[0]').map((suffix) => ({
          ...parts,
          query: [...parts.query, [`${queryKeys(fr)[0] ?? 'page'}${suffix}`, '1']] as [string, string][],
        })),
    ],
    [
      'query-unknown',
      (parts) =>
        fc.constant({ ...parts, query: [...parts.query, ['foo', 'bar'], ['__proto__', 'x']] as [string, string][] }),
    ],
    [
      'auth-header',
      (parts) =>
        fc
          .constantFrom<[string, string] | undefined>(
            undefined,
            ['authorization', 'Bearer '],
            ['authorization', 'Bearer'],
            ['x-api-key', 'capgo_'],
            ['capgkey', `capgo_${'x'.repeat(6_000)}`],
            ['authorization', 'capgo_é'],
            ['authorization', "' OR 1=1 --"],
          )
          .map((auth) => ({ ...parts, auth })),
    ],
    [
      'method',
      (parts) =>
        fc
          .constantFrom('PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PUT', 'DELETE', 'POST', 'GET')
          .map((method) => ({ ...parts, method })),
    ],
    [
      'path-shape',
      (parts) => fc.constantFrom('/', '//', '/x', '/..', '%2F').map((pathSuffix) => ({ ...parts, pathSuffix })),
    ],
    ['path-case', (parts) => fc.constant({ ...parts, literalCase: 'upper' as const })],
  ];
  const params = Object.keys(parts0Params(fr));
  if (params.length > 0) {
    list.push([
      'path-param',
      (parts) =>
        fc
          .tuple(fc.constantFrom(...params), fc.oneof(fc.constantFrom(...PATH_TRICKS), unicodeString().map(encode)))
          .map(([key, value]) => ({
            ...parts,
            params: { ...parts.params, [key]: value },
          })),
    ]);
  }
  return list;
}

/** Field names of an object schema, through refinements and optionals. */
function shapeKeys(value: unknown): string[] {
  let schema = schemaOf(value);
  while (schema && !('shape' in schema)) schema = schemaOf(schema._def.schema ?? schema._def.innerType);
  return schema ? Object.keys((schema as unknown as { shape: object }).shape) : [];
}

function queryKeys(fr: FuzzRoute): string[] {
  return shapeKeys((fr.route as { query?: unknown }).query);
}

function parts0Params(fr: FuzzRoute): Record<string, true> {
  return Object.fromEntries(fr.segments.filter((s) => s.startsWith(':')).map((s) => [s.slice(1), true]));
}

function toQuery(value: unknown): [string, string][] {
  return Object.entries((value ?? {}) as Record<string, unknown>).flatMap(([key, v]) =>
    v === undefined
      ? []
      : Array.isArray(v)
        ? v.map((item) => [key, String(item)] as [string, string])
        : [[key, String(v)] as [string, string]],
  );
}

function toRequest(fr: FuzzRoute, parts: Parts, kind: string): FuzzRequest {
  const path = fr.segments
    .map((segment) => {
      if (segment.startsWith(':')) return parts.params[segment.slice(1)] ?? '';
      return parts.literalCase === 'upper' ? segment.toUpperCase() : segment;
    })
    .join('/');
  const query = parts.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
  const headers: Record<string, string> = {};
  if (parts.auth) headers[parts.auth[0]] = parts.auth[1];
  let body: string | Buffer | undefined;
  if (parts.rawBody !== undefined) body = parts.rawBody;
  else if (Buffer.isBuffer(parts.body)) body = parts.body;
  else if (parts.body !== undefined) body = JSON.stringify(parts.body);
  const binaryTypes = binaryTypesOf(fr);
  const defaultType = Buffer.isBuffer(body) && binaryTypes ? binaryTypes[body.length % binaryTypes.length] : undefined;
  if (body !== undefined) headers['content-type'] = parts.contentType ?? defaultType ?? 'application/json';
  return { kind, method: parts.method, path: `/${path}${parts.pathSuffix}${query ? `?${query}` : ''}`, headers, body };
}

/** Valid requests for `fr` derived from its zod schemas, and the same requests spoiled one way. */
export function requestsFor(fr: FuzzRoute, ctx: ArbitraryContext, credentials: Credentials): fc.Arbitrary<FuzzRequest> {
  const { route } = fr;
  const pathParams = schemaOf((route as { pathParams?: unknown }).pathParams);
  const params = pathParams
    ? (arbitraryFor(pathParams, ctx) as fc.Arbitrary<Record<string, unknown>>).map((values) =>
        Object.fromEntries(Object.entries(values).map(([k, v]) => [k, encode(String(v))])),
      )
    : fc.constant(Object.fromEntries(Object.keys(parts0Params(fr)).map((key) => [key, 'x'])));
  const querySchema = schemaOf((route as { query?: unknown }).query);
  const bodySchema = schemaOf((route as { body?: unknown }).body);
  const [ownerKey, ...otherKeys] = credentials.keys;
  const auth = fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .constantFrom('authorization', 'capgkey', 'x-api-key', 'bearer')
        .map(
          (header) =>
            (header === 'bearer' ? ['authorization', `Bearer ${ownerKey}`] : [header, ownerKey]) as [string, string],
        ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...otherKeys.map((key) => ['authorization', key] as [string, string])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<[string, string] | undefined>(undefined, ['authorization', 'capgo_not_a_key']),
    },
  );
  const valid: fc.Arbitrary<Parts> = fc.record({
    method: fc.constant(route.method),
    params,
    query: querySchema ? arbitraryFor(querySchema, ctx).map(toQuery) : fc.constant([] as [string, string][]),
    body: binaryTypesOf(fr) ? zipBodies() : bodySchema ? arbitraryFor(bodySchema, ctx) : fc.constant(undefined),
    auth,
    pathSuffix: fc.constantFrom('', '', '', '/'),
    literalCase: fc.constant('as-is' as const),
  });
  const spoilers = mutations(fr);
  const bodyKeys = shapeKeys((route as { body?: unknown }).body);
  const hostile = fc
    .tuple(valid, fc.constantFrom(...HOSTILE_BODIES), fc.constantFrom(...bodyKeys, 'name'))
    .map(([parts, build, key]) => toRequest(fr, { ...parts, rawBody: build(key) }, 'hostile-body'));
  return fc.oneof(
    { weight: 1, arbitrary: hostile },
    { weight: 2, arbitrary: valid.map((parts) => toRequest(fr, parts, 'valid')) },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, fc.nat(spoilers.length - 1)).chain(([parts, index]) => {
        const [kind, spoil] = spoilers[index] as (typeof spoilers)[number];
        return spoil(parts).map((spoilt) => toRequest(fr, spoilt, kind));
      }),
    },
  );
}
