import { describe, expect, it } from 'vitest';
import { AppId, CreateAppBody, ListAppsQuery, UpdateAppBody } from '../src/index.js';

describe('AppId', () => {
  it.each(['com.demo.app', 'com.Demo.App', 'io.x_y.z-1', 'a1.b'])('accepts %s', (value) => {
    expect(AppId.safeParse(value).success).toBe(true);
  });
  it.each([
    'com',
    'com.',
    '.com.demo',
    'com..demo',
    'com.dé.app',
    'com/demo',
    'com.demo app',
    '_x.y',
    `a.${'b'.repeat(254)}`,
  ])('rejects %s', (value) => {
    expect(AppId.safeParse(value).success).toBe(false);
  });
});

describe('ListAppsQuery', () => {
  it('defaults page 0 and limit 50', () => {
    expect(ListAppsQuery.parse({})).toEqual({ page: 0, limit: 50 });
  });
  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ page: '-1' }, 'page'],
    [{ page: '1000001' }, 'page'],
    [{ page: '1.5' }, 'page'],
    [{ page: '1e3' }, 'page'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ org_id: 'x' }, 'org_id'],
  ])('rejects %j (never clamps)', (query, field) => {
    const result = ListAppsQuery.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([field]);
  });
});

describe('bodies', () => {
  it('CreateAppBody rejects retention as an unknown field', () => {
    const result = CreateAppBody.safeParse({
      app_id: 'com.a.b',
      name: 'n',
      owner_org: '046a36ac-e03c-4590-9257-bd6c9dba9ee8',
      retention: 5,
    });
    expect(result.error?.issues[0]?.code).toBe('unrecognized_keys');
  });
  it('UpdateAppBody needs at least one field and takes retention in whole seconds', () => {
    expect(UpdateAppBody.safeParse({}).success).toBe(false);
    expect(UpdateAppBody.safeParse({ retention: 1.5 }).success).toBe(false);
    expect(UpdateAppBody.safeParse({ retention: 63113904 }).success).toBe(false);
    expect(UpdateAppBody.parse({ retention: 0 })).toEqual({ retention: 0 });
    expect(UpdateAppBody.parse({ icon: null })).toEqual({ icon: null });
  });
});
