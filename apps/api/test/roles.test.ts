import { describe, expect, it } from 'vitest';
import type { KeyMode } from '../src/modules/apikey/apikey.entity.js';
import { ROLES, type Role } from '../src/modules/org/org.entity.js';
import { User } from '../src/modules/user/user.entity.js';
import { call } from './support/client.js';
import { createMember, createTenant } from './support/factories.js';
import { UUID, errorEnvelope, uniqueEmail, useServer } from './support/harness.js';
import { orgState } from './support/state.js';

/*
 * Every org, member and key route for a member of each role (with an `all` key), and for a
 * super_admin's key of each mode: the route answers its success status from the documented
 * minimum right up, and 403 insufficient_permissions below it with nothing changed.
 */

const h = useServer();
const RANK: Record<Role, number> = { read: 0, upload: 1, write: 2, admin: 3, super_admin: 4 };

interface Fixture {
  orgId: string;
  /** E-mail of a `read` member the caller may try to remove. */
  readerEmail: string;
}

interface Route {
  label: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  success: number;
  /** The success body. */
  ok: (f: Fixture) => unknown;
  /** Lowest member role that succeeds. */
  needs: Role;
  /** Whether only an unrestricted key (mode `all`) may call it, whatever the role. */
  allKeyOnly?: boolean;
}

const routes: Route[] = [
  {
    label: 'list orgs',
    method: 'get',
    path: () => '/organization',
    success: 200,
    ok: (f) => ({ data: [expect.objectContaining({ id: f.orgId })] }),
    needs: 'read',
  },
  {
    label: 'get org',
    method: 'get',
    path: (f) => `/organization?orgId=${f.orgId}`,
    success: 200,
    ok: (f) => expect.objectContaining({ id: f.orgId, logo: null }),
    needs: 'read',
  },
  {
    label: 'create org',
    method: 'post',
    path: () => '/organization',
    body: () => ({ name: 'Side project' }),
    success: 201,
    ok: () => ({ id: expect.stringMatching(UUID) }),
    needs: 'read',
    allKeyOnly: true,
  },
  {
    label: 'update org',
    method: 'put',
    path: () => '/organization',
    body: (f) => ({ orgId: f.orgId, name: 'Renamed' }),
    success: 200,
    ok: (f) => ({ status: 'ok', id: f.orgId, data: expect.objectContaining({ id: f.orgId, name: 'Renamed' }) }),
    needs: 'admin',
  },
  {
    label: 'delete org',
    method: 'delete',
    path: (f) => `/organization?orgId=${f.orgId}`,
    success: 200,
    ok: () => ({ status: 'ok' }),
    needs: 'super_admin',
  },
  {
    label: 'list members',
    method: 'get',
    path: (f) => `/organization/members?orgId=${f.orgId}`,
    success: 200,
    ok: (f) => ({
      data: expect.arrayContaining([{ uid: expect.stringMatching(UUID), email: f.readerEmail, role: 'read' }]),
    }),
    needs: 'read',
  },
  ...ROLES.map(
    (role): Route => ({
      label: `invite as ${role}`,
      method: 'post',
      path: () => '/organization/members',
      body: (f) => ({ orgId: f.orgId, email: uniqueEmail(), invite_type: role }),
      success: 201,
      ok: () => ({ uid: expect.stringMatching(UUID), email: expect.stringContaining('@example.com'), role }),
      // admin is needed to invite at all, and nobody grants above their own role.
      needs: RANK[role] > RANK.admin ? role : 'admin',
    }),
  ),
  {
    label: 'remove a reader',
    method: 'delete',
    path: (f) => `/organization/members?orgId=${f.orgId}&email=${encodeURIComponent(f.readerEmail)}`,
    success: 200,
    ok: () => ({ status: 'ok' }),
    needs: 'admin',
  },
  {
    label: 'list keys',
    method: 'get',
    path: () => '/apikey',
    success: 200,
    ok: () => ({ data: [expect.objectContaining({ mode: 'all', hint: expect.stringMatching(/^capgo_…/) })] }),
    needs: 'read',
    allKeyOnly: true,
  },
  {
    label: 'create key',
    method: 'post',
    path: () => '/apikey',
    body: () => ({ name: 'k' }),
    success: 201,
    ok: () => expect.objectContaining({ name: 'k', mode: 'read', key: expect.stringMatching(/^capgo_/) }),
    needs: 'read',
    allKeyOnly: true,
  },
];

async function fixture(role: Role, mode: KeyMode) {
  const owner = await createTenant(h.em());
  const reader = await createMember(h.em(), owner.orgId, 'read');
  const { key } = await createMember(h.em(), owner.orgId, role, { mode });
  const { email: readerEmail } = await h.em().findOneOrFail(User, { id: reader.userId });
  return { key, f: { orgId: owner.orgId, readerEmail } };
}

async function expectOutcome(route: Route, key: string, f: Fixture, allowed: boolean) {
  const before = await orgState(h.em(), f.orgId);
  const res = await call(h, route.method, route.path(f), { key, body: route.body?.(f) });
  if (allowed) {
    expect(res.status).toBe(route.success);
    expect(res.body).toEqual(route.ok(f));
    return;
  }
  expect(res.status).toBe(403);
  expect(res.body).toEqual(errorEnvelope('insufficient_permissions', 'Insufficient permissions', res.rid));
  expect(await orgState(h.em(), f.orgId)).toEqual(before);
}

describe('role matrix: a member of each role, with an `all` key', () => {
  const cases = ROLES.flatMap((role) => routes.map((route) => [role, route.label, route] as const));
  it.each(cases)('%s × %s', async (role, _label, route) => {
    const { key, f } = await fixture(role, 'all');
    await expectOutcome(route, key, f, RANK[role] >= RANK[route.needs]);
  });
});

describe("mode matrix: a super_admin's key of each mode", () => {
  const MODE_RANK: Record<KeyMode, number> = { read: 0, upload: 1, write: 2, all: 4 };
  const modes: KeyMode[] = ['read', 'upload', 'write', 'all'];
  const cases = modes.flatMap((mode) => routes.map((route) => [mode, route.label, route] as const));
  it.each(cases)('%s × %s', async (mode, _label, route) => {
    const { key, f } = await fixture('super_admin', mode);
    const allowed = route.allKeyOnly ? mode === 'all' : MODE_RANK[mode] >= RANK[route.needs];
    await expectOutcome(route, key, f, allowed);
  });
});
