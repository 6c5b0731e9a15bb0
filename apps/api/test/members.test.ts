import { describe, expect, it } from 'vitest';
import { findUserByEmail } from '../src/modules/user/user.repository.js';
import { call } from './support/client.js';
import { createKeyFor, createMember, createTenant } from './support/factories.js';
import { UUID, errorEnvelope, uniqueEmail, useServer } from './support/harness.js';
import { orgState, roleIn } from './support/state.js';

const h = useServer();
const INSUFFICIENT = 'Insufficient permissions';
const LAST = 'An organization must keep at least one super_admin';

const invite = (key: string, orgId: string, email: string, role: string) =>
  call(h, 'post', '/organization/members', { key, body: { orgId, email, invite_type: role } });
/** A key of the user with that e-mail. */
async function keyOf(email: string) {
  const user = await findUserByEmail(h.em(), email);
  if (!user) throw new Error(`no user ${email}`);
  return createKeyFor(h.em(), user.id);
}
const remove = (key: string, orgId: string, email: string) =>
  call(h, 'delete', `/organization/members?orgId=${orgId}&email=${encodeURIComponent(email)}`, { key });

describe('GET /organization/members', () => {
  it('lists every member with uid, email and role, ordered by e-mail', async () => {
    const t = await createTenant(h.em());
    await invite(t.key, t.orgId, 'zed@example.com', 'read');
    await invite(t.key, t.orgId, 'amy@example.com', 'write');
    const res = await call(h, 'get', `/organization/members?orgId=${t.orgId}`, { key: t.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        { uid: expect.stringMatching(UUID), email: 'amy@example.com', role: 'write' },
        { uid: t.userId, email: t.email, role: 'super_admin' },
        { uid: expect.stringMatching(UUID), email: 'zed@example.com', role: 'read' },
      ],
    });
  });
});

describe('POST /organization/members', () => {
  it('creates a new user, case-insensitively by e-mail, and adds them with 201', async () => {
    const t = await createTenant(h.em());
    const email = uniqueEmail();
    const res = await invite(t.key, t.orgId, `  ${email.toUpperCase()} `, 'upload');
    expect(res.status).toBe(201);
    const user = await findUserByEmail(h.em(), email);
    expect(res.body).toEqual({ uid: user?.id, email, role: 'upload' });
    expect(await roleIn(h.em(), t.orgId, res.body.uid)).toBe('upload');
  });

  it('adds an existing user under their own id, and changes the role of a member with 200', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const added = await invite(a.key, a.orgId, b.email, 'write');
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ uid: b.userId, email: b.email, role: 'write' });
    const changed = await invite(a.key, a.orgId, b.email, 'read');
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ uid: b.userId, email: b.email, role: 'read' });
    expect(await roleIn(h.em(), a.orgId, b.userId)).toBe('read');
  });

  it('gives one user to two orgs inviting the same new address at once', async () => {
    const a = await createTenant(h.em());
    const b = await createTenant(h.em());
    const email = uniqueEmail();
    const [ra, rb] = await Promise.all([invite(a.key, a.orgId, email, 'read'), invite(b.key, b.orgId, email, 'read')]);
    expect([ra.status, rb.status]).toEqual([201, 201]);
    expect(ra.body.uid).toBe(rb.body.uid);
  });

  it('lets an admin grant up to admin, but never super_admin: 403', async () => {
    const t = await createTenant(h.em());
    const admin = await createMember(h.em(), t.orgId, 'admin');
    expect((await invite(admin.key, t.orgId, uniqueEmail(), 'admin')).status).toBe(201);
    const email = uniqueEmail();
    const res = await invite(admin.key, t.orgId, email, 'super_admin');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    expect(await findUserByEmail(h.em(), email)).toBeNull();
  });

  it('lets a super_admin grant super_admin', async () => {
    const t = await createTenant(h.em());
    const res = await invite(t.key, t.orgId, uniqueEmail(), 'super_admin');
    expect(res.status).toBe(201);
    expect(res.body.role).toBe('super_admin');
  });

  it('forbids an admin to change the role of a super_admin', async () => {
    const t = await createTenant(h.em());
    const admin = await createMember(h.em(), t.orgId, 'admin');
    const res = await invite(admin.key, t.orgId, t.email, 'read');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    expect(await roleIn(h.em(), t.orgId, t.userId)).toBe('super_admin');
  });

  it("caps the inviter's role by the key's mode: a super_admin's write key may not invite", async () => {
    const t = await createTenant(h.em());
    const writer = await createMember(h.em(), t.orgId, 'super_admin', { mode: 'write' });
    const res = await invite(writer.key, t.orgId, uniqueEmail(), 'read');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
  });

  it('refuses to demote the last super_admin with 409 last_super_admin', async () => {
    const t = await createTenant(h.em());
    const res = await invite(t.key, t.orgId, t.email, 'admin');
    expect(res.status).toBe(409);
    expect(res.body).toEqual(errorEnvelope('last_super_admin', LAST, res.rid));
    expect(await roleIn(h.em(), t.orgId, t.userId)).toBe('super_admin');
  });

  it('leaves exactly one super_admin when two demote each other at the same moment', async () => {
    const t = await createTenant(h.em());
    const secondEmail = uniqueEmail();
    await invite(t.key, t.orgId, secondEmail, 'super_admin');
    const second = await keyOf(secondEmail);
    const results = await Promise.all([
      invite(t.key, t.orgId, secondEmail, 'admin'),
      invite(second.key, t.orgId, t.email, 'admin'),
    ]);
    // The loser's role is re-read under the org lock: it is an admin by then, so the super_admin
    // ranks above it.
    const loser = results.find((r) => r.status !== 200);
    expect(results.map((r) => r.status).sort()).toEqual([200, 403]);
    expect(loser?.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, loser?.rid ?? ''));
    const roles = (await orgState(h.em(), t.orgId)).members.map((m) => m.role).sort();
    expect(roles).toEqual(['admin', 'super_admin']);
  });

  it.each([
    ['an unknown role', { invite_type: 'owner' }, 'invite_type'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { role: 'read' }, 'role'],
  ])('rejects %s with 400 naming the field', async (_label, patch, field) => {
    const t = await createTenant(h.em());
    const body = { orgId: t.orgId, email: uniqueEmail(), invite_type: 'read', ...patch };
    const res = await call(h, 'post', '/organization/members', { key: t.key, body });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_parameters');
    expect(res.body.error).toBe('Invalid parameters');
    expect(res.body.details.issues.map((issue: { path: string }) => issue.path)).toEqual([field]);
  });
});

describe('DELETE /organization/members', () => {
  it('removes a member, whose keys lose access to the org at once', async () => {
    const t = await createTenant(h.em());
    const email = uniqueEmail();
    await invite(t.key, t.orgId, email, 'write');
    const { key } = await keyOf(email);
    expect((await call(h, 'get', `/organization?orgId=${t.orgId}`, { key })).status).toBe(200);

    const res = await remove(t.key, t.orgId, email.toUpperCase());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    const after = await call(h, 'get', `/organization?orgId=${t.orgId}`, { key });
    expect(after.status).toBe(403);
    expect(after.body.code).toBe('org_access_denied');
  });

  it('answers 404 member_not_found for an unknown address or a non-member', async () => {
    const t = await createTenant(h.em());
    const outsider = await createTenant(h.em());
    for (const email of [uniqueEmail(), outsider.email]) {
      const res = await remove(t.key, t.orgId, email);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(errorEnvelope('member_not_found', 'Member not found', res.rid));
    }
  });

  it('forbids an admin to remove a super_admin', async () => {
    const t = await createTenant(h.em());
    const admin = await createMember(h.em(), t.orgId, 'admin');
    const res = await remove(admin.key, t.orgId, t.email);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorEnvelope('insufficient_permissions', INSUFFICIENT, res.rid));
    expect(await roleIn(h.em(), t.orgId, t.userId)).toBe('super_admin');
  });

  it('lets a member leave, but never the last super_admin (409)', async () => {
    const t = await createTenant(h.em());
    const otherEmail = uniqueEmail();
    await invite(t.key, t.orgId, otherEmail, 'super_admin');
    const left = await remove((await keyOf(otherEmail)).key, t.orgId, otherEmail);
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ status: 'ok' });
    const res = await remove(t.key, t.orgId, t.email);
    expect(res.status).toBe(409);
    expect(res.body).toEqual(errorEnvelope('last_super_admin', LAST, res.rid));
    expect(await roleIn(h.em(), t.orgId, t.userId)).toBe('super_admin');
  });

  it('requires both orgId and email: 400 naming each', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'delete', '/organization/members', { key: t.key });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorEnvelope('invalid_parameters', 'Invalid parameters', res.rid, {
        issues: [
          { path: 'orgId', message: 'Required' },
          { path: 'email', message: 'Required' },
        ],
      }),
    );
  });
});
