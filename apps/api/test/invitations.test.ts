import { describe, expect, it } from 'vitest';
import { call, createAppVia } from './support/client.js';
import { createKeyFor, createTenant } from './support/factories.js';
import { errorEnvelope, uniqueAppId, uniqueEmail, useServer } from './support/harness.js';

const h = useServer();

const invite = (key: string, orgId: string, email: string, role = 'write') =>
  call(h, 'post', '/organization/members', { key, body: { orgId, email, invite_type: role } });
const accept = (key: string, orgId: string) =>
  call(h, 'post', '/organization/members/accept', { key, body: { orgId } });
const orgIdsOf = async (key: string) =>
  (await call(h, 'get', '/organization', { key })).body.data.map((org: { id: string }) => org.id);
const NO_INVITATION = 'No pending invitation to this organization';

describe('adding an existing account is an invitation the invitee accepts', () => {
  it("grants nothing and stays out of the invitee's lists until they accept", async () => {
    const attacker = await createTenant(h.em());
    const victim = await createTenant(h.em());
    const app = await createAppVia(h, attacker.key, { app_id: uniqueAppId(), name: 'Bait', owner_org: attacker.orgId });

    const invited = await invite(attacker.key, attacker.orgId, victim.email);
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual({ uid: victim.userId, email: victim.email, role: 'write' });

    expect(await orgIdsOf(victim.key)).toEqual([victim.orgId]);
    const apps = await call(h, 'get', '/app', { key: victim.key });
    expect(apps.body.total).toBe(0);
    const foreign = await call(h, 'get', `/app/${app.app_id}`, { key: victim.key });
    expect(foreign.status).toBe(404);
    const members = await call(h, 'get', `/organization/members?orgId=${attacker.orgId}`, { key: victim.key });
    expect(members.status).toBe(403);
    expect(members.body).toEqual(
      errorEnvelope('org_access_denied', 'You do not have access to this organization', members.rid),
    );

    // The inviter sees the invitation among the members.
    const listed = await call(h, 'get', `/organization/members?orgId=${attacker.orgId}`, { key: attacker.key });
    expect(listed.body.data).toContainEqual({ uid: victim.userId, email: victim.email, role: 'write' });
  });

  it('makes the invitee a member once they accept with their own unrestricted key', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    await invite(a.key, a.orgId, b.email, 'upload');
    const res = await accept(b.key, a.orgId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ uid: b.userId, email: b.email, role: 'upload' });
    expect(await orgIdsOf(b.key)).toEqual([a.orgId, b.orgId]); // oldest first

    const again = await accept(b.key, a.orgId);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorEnvelope('invitation_not_found', NO_INVITATION, again.rid));
  });

  it.each([
    ['read', { mode: 'read' as const }],
    ['all, limited to apps', { limitedToApps: ['com.a.b'] }],
    ['all, limited to an org', { limitedToOrgs: ['own'] }],
  ])('refuses acceptance by a key of mode %s: 403, still pending', async (_label, options) => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const limitedToOrgs = 'limitedToOrgs' in options ? [b.orgId] : undefined;
    const narrow = await createKeyFor(h.em(), b.userId, { ...options, limitedToOrgs });
    await invite(a.key, a.orgId, b.email);
    const res = await accept(narrow.key, a.orgId);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions', res.rid));
    expect(await orgIdsOf(b.key)).toEqual([b.orgId]);
  });

  it('answers 404 invitation_not_found without an invitation, for an unknown org, and once withdrawn', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    for (const orgId of [a.orgId, '00000000-0000-4000-8000-000000000000']) {
      const res = await accept(b.key, orgId);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('invitation_not_found', NO_INVITATION, res.rid));
    }
    await invite(a.key, a.orgId, b.email);
    const withdrawn = await call(
      h,
      'delete',
      `/organization/members?orgId=${a.orgId}&email=${encodeURIComponent(b.email)}`,
      {
        key: a.key,
      },
    );
    expect(withdrawn.status).toBe(200);
    expect((await accept(b.key, a.orgId)).status).toBe(404);
  });

  it('does not count an invited super_admin as one: the last real one still cannot leave', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    await invite(a.key, a.orgId, b.email, 'super_admin');
    const res = await call(h, 'delete', `/organization/members?orgId=${a.orgId}&email=${encodeURIComponent(a.email)}`, {
      key: a.key,
    });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('last_super_admin');
  });

  it('adds an address nobody has yet as a member at once, as SPEC says', async () => {
    const a = await createTenant(h.em());
    const email = uniqueEmail();
    expect((await invite(a.key, a.orgId, email, 'read')).status).toBe(201);
    const members = await call(h, 'get', `/organization/members?orgId=${a.orgId}`, { key: a.key });
    expect(members.body.data.map((member: { email: string }) => member.email)).toContain(email);
  });
});
