import {
  ISO_DATE,
  createMember,
  createTenant,
  errorEnvelope,
  newAppBody,
  requestIdOf,
  uniqueAppId,
  useServer,
} from '@apps-api/api/testing';
import { contract } from '@apps-api/contract';
import { describe, expect, it } from 'vitest';
import { ApiError, type App, createClient } from '../src/index.js';

const h = useServer();
const INVALID_APP = 'Invalid app configuration';

/** A client whose requests carry a known x-request-id, so error bodies can be asserted exactly. */
function clientOf(apiKey: string) {
  const rid = requestIdOf();
  return { client: createClient({ baseUrl: h.baseUrl, apiKey, headers: { 'x-request-id': rid } }), rid };
}

/** The ApiError a call fails with; fails the test if it succeeds or fails otherwise. */
async function failureOf(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

function expectApiError(error: ApiError, status: number, body: ReturnType<typeof errorEnvelope>) {
  expect(error).toBeInstanceOf(ApiError);
  expect({
    status: error.status,
    code: error.code,
    error: error.error,
    details: error.details,
    requestId: error.requestId,
  }).toEqual({ status, code: body.code, error: body.error, details: body.details, requestId: body.request_id });
  expect(error.body).toEqual(body);
}

async function appIn(orgId: string, apiKey: string, name = 'Client app'): Promise<App> {
  const { client } = clientOf(apiKey);
  return client.app.createApp({ body: { app_id: uniqueAppId('com.client'), name, owner_org: orgId } });
}

describe('client.app.createApp', () => {
  it('creates an app and returns it, typed, exactly as the API sent it', async () => {
    const t = await createTenant(h.em());
    const appId = uniqueAppId('com.client');
    const { client } = clientOf(t.key);
    const app = await client.app.createApp({
      body: { app_id: appId, name: '  Client App  ', icon: 'https://example.com/i.png', owner_org: t.orgId },
    });
    expect(app).toEqual(
      newAppBody(
        {
          app_id: appId,
          name: 'Client App',
          icon_url: 'https://example.com/i.png',
          owner_org: t.orgId,
          user_id: t.userId,
        },
        { updated_at: app.created_at },
      ),
    );
  });

  it('throws ApiError 409 app_id_taken for an app_id in use, in any letter case', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const { client, rid } = clientOf(t.key);
    const error = await failureOf(
      client.app.createApp({ body: { app_id: app.app_id.toUpperCase(), name: 'Twin', owner_org: t.orgId } }),
    );
    expectApiError(error, 409, errorEnvelope('app_id_taken', 'Custom ID already in use', rid));
  });

  it('throws ApiError 400 naming every failing field', async () => {
    const t = await createTenant(h.em());
    const { client, rid } = clientOf(t.key);
    const error = await failureOf(
      client.app.createApp({ body: { app_id: uniqueAppId(), name: ' ', icon: 'ftp://x/y.png', owner_org: t.orgId } }),
    );
    expectApiError(
      error,
      400,
      errorEnvelope('invalid_parameters', INVALID_APP, rid, {
        issues: [
          { path: 'name', message: 'Must not be empty' },
          { path: 'icon', message: 'Must be an http(s) URL' },
        ],
      }),
    );
  });

  it('throws ApiError 403 org_access_denied for an org the key cannot write', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const { client, rid } = clientOf(a.key);
    const error = await failureOf(
      client.app.createApp({ body: { app_id: uniqueAppId(), name: 'X', owner_org: b.orgId } }),
    );
    expectApiError(error, 403, errorEnvelope('org_access_denied', 'You do not have access to this organization', rid));
  });
});

describe('client.app.getApp', () => {
  it('returns the app, found by either spelling of its app_id', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const { client } = clientOf(t.key);
    await expect(client.app.getApp({ app_id: app.app_id })).resolves.toEqual(app);
    await expect(client.app.getApp({ app_id: app.app_id.toUpperCase() })).resolves.toEqual(app);
  });

  it('throws ApiError 404 app_not_found for an app of another org', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const app = await appIn(b.orgId, b.key);
    const { client, rid } = clientOf(a.key);
    const error = await failureOf(client.app.getApp({ app_id: app.app_id }));
    expectApiError(error, 404, errorEnvelope('app_not_found', 'App not found', rid));
  });

  it('throws ApiError 400 for a malformed app_id, sent URL-encoded', async () => {
    const t = await createTenant(h.em());
    const { client, rid } = clientOf(t.key);
    const error = await failureOf(client.app.getApp({ app_id: 'no dots here' }));
    expect(error.status).toBe(400);
    expect(error.body).toEqual(
      errorEnvelope('invalid_parameters', INVALID_APP, rid, {
        issues: [{ path: 'app_id', message: expect.stringContaining('reverse-domain') }],
      }),
    );
  });

  it('throws ApiError 401 invalid_apikey for an unknown key', async () => {
    const { client, rid } = clientOf('capgo_not-a-real-key-000000000000000000');
    const error = await failureOf(client.app.getApp({ app_id: 'com.any.app' }));
    expectApiError(error, 401, errorEnvelope('invalid_apikey', 'Invalid API key', rid));
  });
});

describe('client.app.listApps', () => {
  it('lists the apps of an org, newest first, with the paging it used', async () => {
    const t = await createTenant(h.em());
    const first = await appIn(t.orgId, t.key, 'First');
    const second = await appIn(t.orgId, t.key, 'Second');
    const { client } = clientOf(t.key);
    await expect(client.app.listApps({ org_id: t.orgId })).resolves.toEqual({
      data: [second, first],
      page: 0,
      limit: 50,
      total: 2,
    });
    await expect(client.app.listApps({ org_id: t.orgId, page: 1, limit: 1 })).resolves.toEqual({
      data: [first],
      page: 1,
      limit: 1,
      total: 2,
    });
  });

  it('throws ApiError 400 for a limit out of range, never clamping it', async () => {
    const t = await createTenant(h.em());
    const { client, rid } = clientOf(t.key);
    const error = await failureOf(client.app.listApps({ limit: 1001 }));
    expectApiError(
      error,
      400,
      errorEnvelope('invalid_parameters', INVALID_APP, rid, {
        issues: [{ path: 'limit', message: 'Must be at most 1000' }],
      }),
    );
  });

  it('throws ApiError 403 org_access_denied for an org the key cannot read', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const { client, rid } = clientOf(a.key);
    const error = await failureOf(client.app.listApps({ org_id: b.orgId }));
    expectApiError(error, 403, errorEnvelope('org_access_denied', 'You do not have access to this organization', rid));
  });
});

describe('client.app.updateApp', () => {
  it('changes name, icon and retention (seconds) and advances updated_at', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const { client } = clientOf(t.key);
    const updated = await client.app.updateApp({
      app_id: app.app_id,
      body: { name: 'Renamed', icon: 'https://example.com/new.png', retention: 0 },
    });
    expect(updated).toEqual({
      ...app,
      name: 'Renamed',
      icon_url: 'https://example.com/new.png',
      retention: 0,
      updated_at: expect.stringMatching(ISO_DATE),
    });
    expect(updated.updated_at > app.updated_at).toBe(true);
  });

  it('throws ApiError 403 insufficient_permissions for a key that can only read the app', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const reader = await createMember(h.em(), t.orgId, 'read');
    const { client, rid } = clientOf(reader.key);
    const error = await failureOf(client.app.updateApp({ app_id: app.app_id, body: { name: 'Nope' } }));
    expectApiError(
      error,
      403,
      errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', rid),
    );
  });

  it('throws ApiError 400 for a retention beyond about two years', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const { client, rid } = clientOf(t.key);
    const error = await failureOf(client.app.updateApp({ app_id: app.app_id, body: { retention: 63113904 } }));
    expectApiError(
      error,
      400,
      errorEnvelope('invalid_parameters', INVALID_APP, rid, {
        issues: [{ path: 'retention', message: 'Must be at most 63113903 seconds' }],
      }),
    );
  });
});

describe('client.app.deleteApp', () => {
  it('deletes the app: status ok, then 404 app_not_found', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const { client, rid } = clientOf(t.key);
    await expect(client.app.deleteApp({ app_id: app.app_id })).resolves.toEqual({ status: 'ok' });
    const error = await failureOf(client.app.deleteApp({ app_id: app.app_id }));
    expectApiError(error, 404, errorEnvelope('app_not_found', 'App not found', rid));
  });

  it('throws ApiError 403 insufficient_permissions for a key below admin', async () => {
    const t = await createTenant(h.em());
    const app = await appIn(t.orgId, t.key);
    const writer = await createMember(h.em(), t.orgId, 'write');
    const { client, rid } = clientOf(writer.key);
    const error = await failureOf(client.app.deleteApp({ app_id: app.app_id }));
    expectApiError(
      error,
      403,
      errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', rid),
    );
  });
});

describe('createClient', () => {
  it('offers one API per router of the contract', () => {
    const { client } = clientOf('unused');
    expect(Object.keys(client).sort()).toEqual(Object.keys(contract).sort());
  });

  it('reaches the public service endpoints too', async () => {
    const { client } = clientOf('unused');
    await expect(client.health.livez()).resolves.toEqual({ status: 'ok' });
    await expect(client.health.readyz()).resolves.toEqual({ status: 'ok' });
    await expect(client.docs.getOpenApiDocument()).resolves.toMatchObject({ info: { title: 'Apps API' } });
  });
});
