import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '@apps-api/contract';
import type { KeyMode } from '../src/modules/apikey/apikey.entity.js';
import type { Role } from '../src/modules/org/org.entity.js';
import { call } from './support/client.js';
import { type Tenant, createMember } from './support/factories.js';
import { errorEnvelope, useServer } from './support/harness.js';
import { createChannelVia, createExternalVia, externalBody, tenantWithApp, uploadVia } from './support/live-updates.js';

/**
 * Every bundle, channel, device and statistics route, for a member of each role (with an `all`
 * key) and for a super_admin's key of each capped mode: the documented right or more succeeds,
 * less gets 403 insufficient_permissions (SPEC-live-updates §2).
 */
const h = useServer();
const RANK: Record<Role, number> = { read: 0, upload: 1, write: 2, admin: 3, super_admin: 4 };
const MODE_CAP: Record<KeyMode, number> = { read: 0, upload: 1, write: 2, all: 4 };
const DEVICE = '00009a6b-eefe-490a-9c60-8e965132ae51';

interface Fixture {
  owner: Tenant;
  app: App;
  key: string;
  n: number;
}

interface Route {
  label: string;
  needs: Role;
  /** Prepares what the call needs (with the owner's key), then calls with the principal's key. */
  run: (f: Fixture) => Promise<{ status: number; body: unknown; rid: string }>;
  ok: number;
}

const version = (f: Fixture) => `1.0.${f.n++}`;

const routes: Route[] = [
  { label: 'list bundles', needs: 'read', ok: 200, run: (f) => call(h, 'get', `/bundle?app_id=${f.app.app_id}`, { key: f.key }) },
  {
    label: 'register a bundle',
    needs: 'upload',
    ok: 201,
    run: (f) => call(h, 'post', '/bundle', { key: f.key, body: externalBody(f.app.app_id, version(f)) }),
  },
  {
    label: 'upload a bundle',
    needs: 'upload',
    ok: 201,
    run: (f) => uploadVia(h, { key: f.key, query: { app_id: f.app.app_id, version: version(f) } }),
  },
  {
    label: 'link a bundle',
    needs: 'write',
    ok: 200,
    run: async (f) => {
      const v = version(f);
      await createExternalVia(h, f.owner.key, f.app.app_id, v);
      return call(h, 'put', '/bundle', { key: f.key, body: { app_id: f.app.app_id, version: v, channel: 'qa' } });
    },
  },
  {
    label: 'edit bundle metadata',
    needs: 'write',
    ok: 200,
    run: (f) =>
      call(h, 'post', '/bundle/metadata', { key: f.key, body: { app_id: f.app.app_id, version: '0.0.1', comment: 'c' } }),
  },
  {
    label: 'delete a bundle',
    needs: 'admin',
    ok: 200,
    run: async (f) => {
      const v = version(f);
      await createExternalVia(h, f.owner.key, f.app.app_id, v);
      return call(h, 'delete', `/bundle?app_id=${f.app.app_id}&version=${v}`, { key: f.key });
    },
  },
  { label: 'list channels', needs: 'read', ok: 200, run: (f) => call(h, 'get', `/channel?app_id=${f.app.app_id}`, { key: f.key }) },
  {
    label: 'create a channel',
    needs: 'write',
    ok: 201,
    run: (f) => call(h, 'post', '/channel', { key: f.key, body: { app_id: f.app.app_id, channel: `c${f.n++}` } }),
  },
  {
    label: 'delete a channel',
    needs: 'admin',
    ok: 200,
    run: async (f) => {
      const name = `gone${f.n++}`;
      await createChannelVia(h, f.owner.key, { app_id: f.app.app_id, channel: name });
      return call(h, 'delete', `/channel?app_id=${f.app.app_id}&channel=${name}`, { key: f.key });
    },
  },
  { label: 'list devices', needs: 'read', ok: 200, run: (f) => call(h, 'get', `/device?app_id=${f.app.app_id}`, { key: f.key }) },
  {
    label: 'set an override',
    needs: 'write',
    ok: 200,
    run: (f) => call(h, 'post', '/device', { key: f.key, body: { app_id: f.app.app_id, device_id: DEVICE, channel: 'qa' } }),
  },
  {
    label: 'remove an override',
    needs: 'write',
    ok: 200,
    run: (f) => call(h, 'delete', `/device?app_id=${f.app.app_id}&device_id=${DEVICE}`, { key: f.key }),
  },
  {
    label: 'read statistics',
    needs: 'read',
    ok: 200,
    run: (f) => call(h, 'get', `/statistics?app_id=${f.app.app_id}&from=2026-01-01&to=2026-01-07`, { key: f.key }),
  },
];

const principals: { label: string; role: Role; mode: KeyMode }[] = [
  ...(['read', 'upload', 'write', 'admin', 'super_admin'] as Role[]).map((role) => ({ label: `${role} member`, role, mode: 'all' as KeyMode })),
  ...(['read', 'upload', 'write'] as KeyMode[]).map((mode) => ({ label: `super_admin with a ${mode} key`, role: 'super_admin' as Role, mode })),
];

describe.each(principals)('$label', ({ role, mode }) => {
  const f = {} as Fixture;
  beforeAll(async () => {
    const { t, app } = await tenantWithApp(h);
    await createChannelVia(h, t.key, { app_id: app.app_id, channel: 'qa' });
    await createExternalVia(h, t.key, app.app_id, '0.0.1');
    const member = await createMember(h.em(), t.orgId, role, { mode });
    Object.assign(f, { owner: t, app, key: member.key, n: 10 });
  });

  it.each(routes)('$label', async (route) => {
    const allowed = Math.min(RANK[role], MODE_CAP[mode]) >= RANK[route.needs];
    const res = await route.run(f);
    if (allowed) {
      expect(res.status).toBe(route.ok);
    } else {
      expect(res.status).toBe(403);
      expect(res.body).toEqual(
        errorEnvelope('insufficient_permissions', 'Insufficient permissions to manage app', res.rid),
      );
    }
  });
});
