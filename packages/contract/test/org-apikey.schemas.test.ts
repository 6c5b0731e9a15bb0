import { describe, expect, it } from 'vitest';
import {
  AddMemberBody,
  CreateApiKeyBody,
  CreateOrgBody,
  UpdateApiKeyBody,
  UpdateOrgBody,
  apikeyContract,
  organizationContract,
} from '../src/index.js';

const ORG = '046a36ac-e03c-4590-9257-bd6c9dba9ee8';

describe('organization and apikey routes', () => {
  const routes = Object.entries({ ...organizationContract, ...apikeyContract });
  it.each(routes)('%s has a summary, a description and the auth errors', (_name, route) => {
    expect(route.summary).toBeTruthy();
    expect(route.description).toBeTruthy();
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['401', '429', '500', '503']));
  });
});

describe('bodies', () => {
  it('CreateOrgBody trims the name and rejects unknown fields', () => {
    expect(CreateOrgBody.parse({ name: '  Acme  ' })).toEqual({ name: 'Acme' });
    expect(CreateOrgBody.safeParse({ name: 'Acme', id: ORG }).error?.issues[0]?.code).toBe('unrecognized_keys');
  });

  it('UpdateOrgBody needs a field besides orgId', () => {
    expect(UpdateOrgBody.safeParse({ orgId: ORG }).success).toBe(false);
    expect(UpdateOrgBody.parse({ orgId: ORG, logo: null })).toEqual({ orgId: ORG, logo: null });
  });

  it('AddMemberBody takes the five roles only', () => {
    for (const role of ['read', 'upload', 'write', 'admin', 'super_admin']) {
      expect(AddMemberBody.safeParse({ orgId: ORG, email: 'a@b.c', invite_type: role }).success).toBe(true);
    }
    expect(AddMemberBody.safeParse({ orgId: ORG, email: 'a@b.c', invite_type: 'owner' }).success).toBe(false);
  });

  it('CreateApiKeyBody defaults mode to read and wants a future, zoned expires_at', () => {
    expect(CreateApiKeyBody.parse({ name: 'k' })).toEqual({ name: 'k', mode: 'read' });
    expect(CreateApiKeyBody.safeParse({ name: 'k', expires_at: '2000-01-01T00:00:00Z' }).success).toBe(false);
    expect(CreateApiKeyBody.safeParse({ name: 'k', expires_at: '2999-01-01T00:00:00' }).success).toBe(false);
    expect(CreateApiKeyBody.safeParse({ name: 'k', expires_at: '2999-01-01T00:00:00+05:30' }).success).toBe(true);
  });

  it('UpdateApiKeyBody needs a field and caps the limit lists at 100', () => {
    expect(UpdateApiKeyBody.safeParse({}).success).toBe(false);
    expect(UpdateApiKeyBody.parse({ expires_at: null })).toEqual({ expires_at: null });
    const apps = Array.from({ length: 101 }, (_, i) => `com.a.app${i}`);
    expect(UpdateApiKeyBody.safeParse({ limited_to_apps: apps }).success).toBe(false);
  });
});
