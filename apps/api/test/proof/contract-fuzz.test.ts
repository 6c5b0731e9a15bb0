import { contract } from '@apps-api/contract';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Answer, type FuzzRoute, matchRoute, problemWith, routesOf } from '../fuzz/contract-routes.js';
import { RawClient } from '../fuzz/http.js';
import { type FuzzRequest, requestsFor } from '../fuzz/requests.js';
import { KnownValues } from '../fuzz/zod-arbitrary.js';
import { createAppVia } from '../support/client.js';
import { createMember, createTenant } from '../support/factories.js';
import { uniqueAppId, useServer } from '../support/harness.js';

/** Requests per run, shared evenly by the contract's routes (FUZZ_REQUESTS overrides; FUZZ_SEED replays). */
const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

// Limits stay on (their statements run on every request) but high enough never to answer 429.
const h = useServer({
  RATE_LIMIT_PER_MINUTE: 1_000_000,
  RATE_LIMIT_PER_USER_PER_MINUTE: 1_000_000,
  RATE_LIMIT_FAILED_AUTH: 1_000_000,
  DEVICE_RATE_LIMIT_PER_MINUTE: 1_000_000,
});
const routes = routesOf(contract);
const perRoute = Math.ceil(TOTAL / routes.length);

const figures = {
  requests: 0,
  serverErrors: 0,
  createsReadBack: 0,
  createsWithoutReadBack: 0,
  statuses: {} as Record<string, Record<number, number>>,
  kinds: {} as Record<string, number>,
};

function describeRequest(req: FuzzRequest): string {
  const shown = Buffer.isBuffer(req.body) ? `${req.body.subarray(0, 150).toString('hex')} (hex)` : req.body?.slice(0, 300);
  const body = req.body === undefined ? '' : `\n  body (${req.body.length} chars): ${shown}`;
  return `${req.kind}: ${req.method} ${req.path.slice(0, 300)}\n  headers: ${JSON.stringify(req.headers).slice(0, 300)}${body}`;
}

function count(routeName: string, answer: Answer) {
  figures.requests += 1;
  if (answer.status >= 500) figures.serverErrors += 1;
  figures.statuses[routeName] ??= {};
  const byStatus = figures.statuses[routeName];
  byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
}

/** The path of a created resource: its Location, else GET `<create path>/:param` filled from the body. */
function readBackPath(fr: FuzzRoute, created: Answer, body: Record<string, unknown>): string | undefined {
  const location = created.headers.location;
  if (typeof location === 'string') return location;
  const getOne = routes.find(
    (r) =>
      r.route.method === 'GET' &&
      r.segments.length === fr.segments.length + 1 &&
      r.route.path.startsWith(`${fr.route.path}/:`),
  );
  const param = getOne?.segments.at(-1)?.slice(1);
  const value = param ? (body[param] ?? body.id) : undefined;
  return typeof value === 'string' ? `${fr.route.path}/${encodeURIComponent(value)}` : undefined;
}

describe('contract fuzzing', () => {
  let client: RawClient;
  let requestNumber = 0;

  afterAll(() => {
    client?.close();
    console.log(`FUZZ FIGURES ${JSON.stringify(figures)}`);
  });

  it.each(routes.map((fr) => [fr.name, fr] as const))(
    '%s answers every generated request within the contract',
    async (_, fr) => {
      client ??= new RawClient(h.baseUrl);
      const owner = await createTenant(h.em());
      const reader = await createMember(h.em(), owner.orgId, 'read');
      const known = new KnownValues();
      known.prefer(owner.orgId, owner.email);
      known.addFrom([owner.userId, reader.userId]);
      known.addFrom(
        await createAppVia(h, owner.key, { app_id: uniqueAppId(), name: 'Fuzz target', owner_org: owner.orgId }),
      );
      // The fuzzer's own keys, and on DELETE its org, are never a target: it would only fuzz 401s afterwards.
      const exclude = new Set(fr.route.method === 'GET' ? [] : [owner.keyId, reader.keyId]);
      if (fr.route.method === 'DELETE') exclude.add(owner.orgId);

      const send = async (req: FuzzRequest) => {
        const rid = `fuzz-${++requestNumber}`;
        const answer = await client.send({ ...req, headers: { ...req.headers, 'x-request-id': rid } });
        count(fr.name, answer);
        const problem = problemWith(matchRoute(routes, req.method, req.path), req.method, answer, rid);
        if (problem) throw new Error(`${problem}\n${describeRequest(req)}`);
        return answer;
      };

      await fc.assert(
        fc.asyncProperty(requestsFor(fr, { known, exclude }, { keys: [owner.key, reader.key] }), async (req) => {
          figures.kinds[req.kind] = (figures.kinds[req.kind] ?? 0) + 1;
          const answer = await send(req);
          // Only JSON answers carry ids to reuse (the docs page is HTML, checked by problemWith).
          if (req.method === 'HEAD' || answer.text === '' || !String(answer.headers['content-type']).includes('json'))
            return;
          const body = JSON.parse(answer.text) as Record<string, unknown>;
          known.addFrom(body);
          if (answer.status !== 201) return;

          const path = readBackPath(fr, answer, body);
          if (!path) {
            figures.createsWithoutReadBack += 1;
            return;
          }
          const authHeaders = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'content-type'));
          const got = await send({ kind: 'read-back', method: 'GET', path, headers: authHeaders });
          expect(got.status, `read-back of ${describeRequest(req)}`).toBe(200);
          const read = JSON.parse(got.text) as Record<string, unknown>;
          const shared = Object.keys(read).filter((key) => key in body);
          expect(shared.length).toBeGreaterThan(0);
          for (const key of shared) expect(read[key], `field ${key} read back after create`).toEqual(body[key]);
          figures.createsReadBack += 1;
        }),
        { numRuns: perRoute, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
    },
  );

  it('sent the planned number of requests, none answered with a 5xx', () => {
    expect(figures.requests).toBeGreaterThanOrEqual(TOTAL);
    expect(figures.serverErrors).toBe(0);
  });
});
