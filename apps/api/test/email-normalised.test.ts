import { describe, expect, it } from 'vitest';
import { loggableError } from '../src/common/http-errors.js';
import { User } from '../src/modules/user/user.entity.js';
import { call } from './support/client.js';
import { createTenant } from './support/factories.js';
import { errorEnvelope, useServer } from './support/harness.js';

const h = useServer();

// 305 characters as sent, 605 once lower-cased: `İ` lower-cases to `i` + U+0307.
const SWELLING = `${'İ'.repeat(300)}@x.io`;
const ISSUE = { path: 'email', message: 'Must be at most 320 characters once lower-cased' };

describe('e-mail addresses are checked as they will be stored', () => {
  it('refuses an address that outgrows 320 characters when lower-cased: 400, not 500', async () => {
    const t = await createTenant(h.em());
    const res = await call(h, 'post', '/organization/members', {
      key: t.key,
      body: { orgId: t.orgId, email: SWELLING, invite_type: 'read' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorEnvelope('invalid_parameters', 'Invalid parameters', res.rid, { issues: [ISSUE] }));
    const removal = await call(
      h,
      'delete',
      `/organization/members?orgId=${t.orgId}&email=${encodeURIComponent(SWELLING)}`,
      {
        key: t.key,
      },
    );
    expect(removal.status).toBe(400);
  });

  it('keeps the SQL text and its bound values out of what is logged about a database error', async () => {
    const em = h.em();
    const email = `${'a'.repeat(400)}@secret.example`;
    em.create(User, { id: '00000000-0000-4000-8000-00000000e8a1', email } as User);
    const error = await em.flush().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toContain('secret.example');
    const logged = JSON.stringify(loggableError(error));
    expect(logged).not.toContain('secret.example');
    expect(logged).not.toContain('insert');
    expect(loggableError(error)).toMatchObject({ type: 'DriverException', code: '22001' });
  });
});
