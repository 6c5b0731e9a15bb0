import { describe, expect, it } from 'vitest';
import { ApiKey } from '../src/modules/apikey/apikey.entity.js';
import { call } from './support/client.js';
import { createTenant } from './support/factories.js';
import { errorEnvelope, uniqueEmail, useServer } from './support/harness.js';

const h = useServer({
  MAX_KEYS_PER_USER: 3,
  MAX_ORGS_PER_USER: 2,
  MAX_MEMBERS_PER_ORG: 4,
  MAX_PENDING_INVITATIONS_PER_ORG: 2,
});

const limit = (rid: string, name: string, max: number, what: string) =>
  errorEnvelope('limit_reached', `Limit reached: at most ${max} ${what}`, rid, { limit: name, max });

describe('what one user or org may hold is capped', () => {
  it('caps keys per user, even when many are minted at once', async () => {
    const t = await createTenant(h.em());
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(h, 'post', '/apikey', { key: t.key, body: { name: `k${i}`, mode: 'all' } }),
      ),
    );
    expect(results.map((res) => res.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    const refused = results.find((res) => res.status === 409);
    expect(refused?.body).toEqual(limit(refused?.rid ?? '', 'keys_per_user', 3, 'API keys per user'));
    expect(await h.em().count(ApiKey, { userId: t.userId })).toBe(3);

    // A revoked key frees its place.
    const [minted] = results.filter((res) => res.status === 201);
    await call(h, 'delete', `/apikey/${minted?.body.id}`, { key: t.key });
    expect((await call(h, 'post', '/apikey', { key: t.key, body: { name: 'again' } })).status).toBe(201);
  });

  it('caps organizations per user', async () => {
    const t = await createTenant(h.em());
    expect((await call(h, 'post', '/organization', { key: t.key, body: { name: 'Second' } })).status).toBe(201);
    const res = await call(h, 'post', '/organization', { key: t.key, body: { name: 'Third' } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(limit(res.rid, 'orgs_per_user', 2, 'organizations per user'));
  });

  it('caps accepting invitations by the same count of organizations', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    await call(h, 'post', '/organization', { key: b.key, body: { name: 'B second' } });
    await call(h, 'post', '/organization/members', {
      key: a.key,
      body: { orgId: a.orgId, email: b.email, invite_type: 'read' },
    });
    const res = await call(h, 'post', '/organization/members/accept', { key: b.key, body: { orgId: a.orgId } });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(limit(res.rid, 'orgs_per_user', 2, 'organizations per user'));
  });

  it('caps pending invitations and members per organization', async () => {
    const t = await createTenant(h.em());
    const invite = (email: string) =>
      call(h, 'post', '/organization/members', { key: t.key, body: { orgId: t.orgId, email, invite_type: 'read' } });
    const others = [await createTenant(h.em()), await createTenant(h.em()), await createTenant(h.em())];
    expect((await invite(others[0]?.email ?? '')).status).toBe(201);
    expect((await invite(others[1]?.email ?? '')).status).toBe(201);
    const pending = await invite(others[2]?.email ?? '');
    expect(pending.status).toBe(409);
    expect(pending.body).toEqual(
      limit(pending.rid, 'pending_invitations_per_org', 2, 'pending invitations per organization'),
    );

    // 3 of 4 places are taken (the owner and two invitations): one new address fits, the next does not.
    expect((await invite(uniqueEmail())).status).toBe(201);
    const full = await invite(uniqueEmail());
    expect(full.status).toBe(409);
    expect(full.body).toEqual(limit(full.rid, 'members_per_org', 4, 'members per organization'));
    // Changing the role of someone already there needs no new place.
    expect((await invite(others[0]?.email ?? '')).status).toBe(200);
  });
});

describe('GET /organization pages like every list', () => {
  it('keeps SPEC’s {data} without paging parameters, and gives {data, page, limit, total} with them', async () => {
    const t = await createTenant(h.em());
    const second = await call(h, 'post', '/organization', { key: t.key, body: { name: 'Paged' } });
    const all = await call(h, 'get', '/organization', { key: t.key });
    expect(Object.keys(all.body)).toEqual(['data']);
    expect(all.body.data.map((org: { id: string }) => org.id)).toEqual([t.orgId, second.body.id]);

    const page = await call(h, 'get', '/organization?page=1&limit=1', { key: t.key });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ data: [all.body.data[1]], page: 1, limit: 1, total: 2 });
    const bad = await call(h, 'get', '/organization?limit=1001', { key: t.key });
    expect(bad.status).toBe(400);
    expect(bad.body.details).toEqual({ issues: [{ path: 'limit', message: 'Must be at most 1000' }] });
  });
});
