import { describe, expect, inject, it } from 'vitest';
import { UUID } from './support/harness.js';
import { runEntry } from './support/process.js';

const env = () => ({ DATABASE_URL: inject('databaseUrl'), LOG_LEVEL: 'silent' });
const admin = (...args: string[]) => runEntry('src/cli/admin.ts', args, env());
const email = () => `cli-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;

describe('admin CLI', () => {
  it('bootstrap, add-member, create-key and revoke-key each print exactly one JSON object', async () => {
    const owner = email();
    const boot = await admin('bootstrap', '--email', owner, '--org', 'CLI org');
    expect(boot.code).toBe(0);
    const booted = JSON.parse(boot.stdout);
    expect(boot.stdout.trim().split('\n')).toHaveLength(1);
    expect(booted).toEqual({
      user_id: expect.stringMatching(UUID),
      org_id: expect.stringMatching(UUID),
      api_key: expect.stringMatching(/^capgo_[0-9A-Za-z]{40}$/),
    });

    // The root script forwards its arguments after `--`.
    const member = await admin('--', 'add-member', '--org', booted.org_id, '--email', email(), '--role', 'write');
    expect(member.code).toBe(0);
    expect(JSON.parse(member.stdout)).toEqual({
      user_id: expect.stringMatching(UUID),
      org_id: booted.org_id,
      role: 'write',
    });

    const key = await admin(
      'create-key',
      '--email',
      owner,
      '--mode',
      'read',
      '--name',
      'ci',
      '--limited-to-orgs',
      booted.org_id,
      '--limited-to-apps',
      'com.a.b,com.c.d',
      '--expires-at',
      '2999-01-01T00:00:00Z',
    );
    expect(key.code).toBe(0);
    const created = JSON.parse(key.stdout);
    expect(created).toEqual({ id: expect.stringMatching(UUID), api_key: expect.stringMatching(/^capgo_/) });

    const revoked = await admin('revoke-key', '--id', created.id);
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toEqual({ id: created.id, revoked: true });
    expect(revoked.stdout).not.toContain('capgo_');
  });

  it.each([
    [['frobnicate'], /Unknown command: frobnicate/],
    [[], /No command given/],
    [['bootstrap', '--email', 'not-an-email', '--org', 'x'], /--email: must be an e-mail address\n--org:/],
    [['add-member', '--org', 'x', '--email', 'a@b.c', '--role', 'owner'], /--org: must be an organization id/],
    [
      ['create-key', '--email', 'a@b.c', '--mode', 'all', '--expires-at', '2001-01-01T00:00:00Z'],
      /--expires-at: must be in the future/,
    ],
    [
      ['revoke-key', '--id', '00000000-0000-4000-8000-000000000000'],
      /No API key with id 00000000-0000-4000-8000-000000000000/,
    ],
    [['create-key', '--email', 'nobody@example.com', '--mode', 'all'], /No user with e-mail nobody@example.com/],
    [['revoke-key', '--id', 'x', '--force'], /Unknown option '--force'/],
  ])('fails on %j with a message on stderr and nothing on stdout', async (args, message) => {
    const result = await admin(...args);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });
});
