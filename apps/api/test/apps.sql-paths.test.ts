import { describe, expect, it } from 'vitest';
import { App } from '../src/modules/app/app.entity.js';
import { OrgMember } from '../src/modules/org/org.entity.js';
import { call, createAppVia } from './support/client.js';
import { createMember, createTenant } from './support/factories.js';
import { ISO_DATE, errorEnvelope, uniqueAppId, useServer } from './support/harness.js';

const h = useServer();

/** Apps of a fresh tenant with chosen creation times (two share one, so app_id breaks the tie). */
async function tenantWithDatedApps() {
  const t = await createTenant(h.em());
  const base = uniqueAppId('com.page');
  const ids = [`${base}.z`, `${base}.a`, `${base}.B`, `${base}.y`];
  const times = [
    '2026-01-01T00:00:03.000Z',
    '2026-01-01T00:00:02.000Z',
    '2026-01-01T00:00:02.000Z',
    '2026-01-01T00:00:01.000Z',
  ];
  for (const [i, appId] of ids.entries()) {
    await createAppVia(h, t.key, { name: `App ${i}`, app_id: appId, owner_org: t.orgId });
    await h.em().nativeUpdate(App, { appIdKey: appId.toLowerCase() }, { createdAt: new Date(times[i] as string) });
  }
  // Newest first; at 00:02 byte order puts "B" before "a" (a locale order would not).
  return { t, newestFirst: [ids[0], ids[2], ids[1], ids[3]] as string[] };
}

const appIdsOf = (body: { data: { app_id: string }[] }) => body.data.map((app) => app.app_id);

describe('GET /app paging', () => {
  it('pages newest first with the app_id tie-break, the exact total on every page', async () => {
    const { t, newestFirst } = await tenantWithDatedApps();
    const pages = [];
    for (const page of [0, 1]) {
      const res = await call(h, 'get', `/app?limit=3&page=${page}`, { key: t.key });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ page, limit: 3, total: 4 });
      pages.push(...appIdsOf(res.body));
    }
    expect(pages).toEqual(newestFirst);
  });

  it('gives the same order whatever the page size, pages from both ends of the list included', async () => {
    const { t, newestFirst } = await tenantWithDatedApps();
    const extra = await createAppVia(h, t.key, { name: 'Newest', app_id: uniqueAppId(), owner_org: t.orgId });
    const all = [extra.app_id, ...newestFirst];
    for (const limit of [1, 2, 3, 4]) {
      const walked = [];
      for (let page = 0; page * limit < all.length; page++) {
        const res = await call(h, 'get', `/app?limit=${limit}&page=${page}`, { key: t.key });
        expect(res.body.total).toBe(all.length);
        walked.push(...appIdsOf(res.body));
      }
      expect(walked).toEqual(all);
    }
  });

  it('answers a page past the end with no apps and the exact total', async () => {
    const { t } = await tenantWithDatedApps();
    const res = await call(h, 'get', '/app?limit=2&page=7', { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], page: 7, limit: 2, total: 4 });
  });

  it('returns each app exactly as GET /app/:app_id does', async () => {
    const { t, newestFirst } = await tenantWithDatedApps();
    const list = await call(h, 'get', '/app?limit=1', { key: t.key });
    const one = await call(h, 'get', `/app/${newestFirst[0]}`, { key: t.key });
    expect(list.body.data).toEqual([one.body]);
    expect(one.body.created_at).toBe('2026-01-01T00:00:03.000Z');
  });

  it('counts and lists only the apps a key limited to apps may see', async () => {
    const { t, newestFirst } = await tenantWithDatedApps();
    const limited = await createMember(h.em(), t.orgId, 'read', {
      limitedToApps: [newestFirst[3] as string, newestFirst[1] as string],
    });
    const res = await call(h, 'get', '/app', { key: limited.key });
    expect(res.status).toBe(200);
    expect(appIdsOf(res.body)).toEqual([newestFirst[1], newestFirst[3]]);
    expect(res.body.total).toBe(2);
  });

  it('merges the apps of every org of the key, newest first', async () => {
    const a = await tenantWithDatedApps();
    const b = await createTenant(h.em());
    const em = h.em();
    em.create(OrgMember, { orgId: b.orgId, userId: a.t.userId, role: 'read' } as OrgMember);
    await em.flush();
    const other = await createAppVia(h, b.key, { name: 'Other', app_id: uniqueAppId(), owner_org: b.orgId });
    await h.em().nativeUpdate(App, { id: other.id }, { createdAt: new Date('2026-01-01T00:00:02.500Z') });
    const res = await call(h, 'get', '/app', { key: a.t.key });
    expect(appIdsOf(res.body)).toEqual([a.newestFirst[0], other.app_id, ...a.newestFirst.slice(1)]);
    expect(res.body.total).toBe(5);
  });
});

describe('PUT /app/:app_id', () => {
  it('answers the row as stored, and updated_at advances on every update, even within one millisecond', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, {
      name: 'Before',
      app_id: uniqueAppId(),
      owner_org: t.orgId,
      icon: 'https://example.com/a.png',
    });
    const first = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { name: 'After', icon: null } });
    const second = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { retention: 0 } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...app, name: 'After', icon_url: '', updated_at: expect.stringMatching(ISO_DATE) });
    expect(second.body).toEqual({ ...first.body, retention: 0, updated_at: expect.stringMatching(ISO_DATE) });
    expect(Date.parse(first.body.updated_at)).toBeGreaterThan(Date.parse(app.updated_at as string));
    expect(Date.parse(second.body.updated_at)).toBeGreaterThan(Date.parse(first.body.updated_at));
    expect((await call(h, 'get', `/app/${app.app_id}`, { key: t.key })).body).toEqual(second.body);
  });

  it('gives 404 to an update of an app that is gone', async () => {
    const t = await createTenant(h.em());
    const app = await createAppVia(h, t.key, { name: 'Gone', app_id: uniqueAppId(), owner_org: t.orgId });
    await h.em().nativeDelete(App, { id: app.id });
    const res = await call(h, 'put', `/app/${app.app_id}`, { key: t.key, body: { name: 'X' } });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorEnvelope('app_not_found', 'App not found', res.rid));
  });
});
