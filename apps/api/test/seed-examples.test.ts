import { describe, expect, it } from 'vitest';
import { createAppVia } from './support/client.js';
import { createTenant } from './support/factories.js';
import { ISO_DATE, newAppBody, useServer } from './support/harness.js';
import { curlExamples, readSeedPage, stripJsComments, useCaseBodies } from './support/seed-examples.js';

const h = useServer();
const SEED_ORG = '046a36ac-e03c-4590-9257-bd6c9dba9ee8';

/**
 * Replays the product page's examples (docs/seed) as a client would: host, key and org id
 * replaced, JavaScript comments removed from bodies. The app ids com.demo.app and
 * com.demo.myapp are used by this file only, so it owns them in the run's database.
 */
describe('the seed page examples', () => {
  const page = readSeedPage();

  it('has the seven curl examples and three use-case bodies this replay expects', () => {
    expect(curlExamples(page).map((e) => `${e.method} ${e.url}`)).toEqual([
      'GET https://api.capgo.app/app/',
      `GET https://api.capgo.app/app/?org_id=${SEED_ORG}`,
      'GET https://api.capgo.app/app/com.demo.app',
      'POST https://api.capgo.app/app/',
      'PUT https://api.capgo.app/app/com.demo.app',
      'DELETE https://api.capgo.app/app/com.demo.app',
      `GET https://api.capgo.app/app/?org_id=${SEED_ORG}`,
    ]);
    expect(useCaseBodies(page).map((u) => u.purpose)).toEqual([
      'Set up a new app',
      'Change app name and icon',
      'Configure automatic bundle cleanup',
    ]);
  });

  it('answers each example as the spec says', async () => {
    const t = await createTenant(h.em());
    const demo = await createAppVia(h, t.key, {
      name: 'Demo App',
      app_id: 'com.demo.app',
      icon: 'https://example.com/icon.png',
      owner_org: t.orgId,
    });

    const replay = async (method: string, url: string, headers: Record<string, string>, body?: string) => {
      const res = await fetch(url.replace('https://api.capgo.app', h.baseUrl).replace(SEED_ORG, t.orgId), {
        method,
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'your-api-key' ? t.key : v])),
        body: body === undefined ? undefined : stripJsComments(body).replace(SEED_ORG, t.orgId),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const [listAll, listOrg, getOne, create, update, remove, listOrgAgain] = curlExamples(page);
    const run = (e: typeof listAll) => replay(e?.method ?? '', e?.url ?? '', e?.headers ?? {}, e?.body);

    expect(await run(listAll)).toEqual({ status: 200, body: { data: [demo], page: 0, limit: 50, total: 1 } });
    expect(await run(listOrg)).toEqual({ status: 200, body: { data: [demo], page: 0, limit: 50, total: 1 } });
    expect(await run(getOne)).toEqual({ status: 200, body: demo });

    const created = await run(create);
    expect(created).toEqual({
      status: 201,
      body: newAppBody({
        app_id: 'com.demo.myapp',
        name: 'My New App',
        icon_url: 'https://example.com/icon.png',
        owner_org: t.orgId,
        user_id: t.userId,
      }),
    });

    expect(await run(update)).toEqual({
      status: 200,
      body: {
        ...demo,
        name: 'Updated App Name',
        icon_url: 'https://example.com/updated-icon.png',
        retention: 45,
        updated_at: expect.stringMatching(ISO_DATE),
      },
    });
    expect(await run(remove)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await run(listOrgAgain)).toEqual({
      status: 200,
      body: { data: [created.body], page: 0, limit: 50, total: 1 },
    });

    const [setUp, rename, retention] = useCaseBodies(page);
    const json = { authorization: 'your-api-key', 'content-type': 'application/json' };
    const missingAppId = await replay('POST', 'https://api.capgo.app/app/', json, setUp?.body);
    expect(missingAppId).toEqual({
      status: 400,
      body: {
        status: 'KO',
        error: 'Invalid app configuration',
        code: 'invalid_parameters',
        details: { issues: [{ path: 'app_id', message: 'Required' }] },
        request_id: expect.any(String),
      },
    });
    const renamed = await replay('PUT', 'https://api.capgo.app/app/com.demo.myapp', json, rename?.body);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Rebranded App Name', icon_url: 'https://example.com/new-icon.png' });
    const kept = await replay('PUT', 'https://api.capgo.app/app/com.demo.myapp', json, retention?.body);
    expect(kept.status).toBe(200);
    // The page's comment says days; retention is seconds everywhere here (SPEC §5).
    expect(kept.body).toEqual({ ...renamed.body, retention: 30, updated_at: expect.stringMatching(ISO_DATE) });
  });
});
