import { parseArgs } from 'node:util';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { EmbeddedDatabaseBusyError } from '../db/embedded.js';
import { migrateUp } from '../db/orm.js';
import { KEY_MODES } from '../modules/apikey/apikey.entity.js';
import { ROLES } from '../modules/org/org.entity.js';
import { AdminError, addMember, bootstrap, createKey, revokeKey } from '../modules/admin/admin.service.js';

const USAGE = `Usage: pnpm --silent admin <command> [options]
  bootstrap  --email <e> --org <name>
  add-member --org <org id> --email <e> --role <${ROLES.join('|')}>
  create-key --email <e> --mode <${KEY_MODES.join('|')}> [--name <n>] [--limited-to-orgs <id,…>]
             [--limited-to-apps <app_id,…>] [--expires-at <ISO date>]
  revoke-key --id <key id>`;

const email = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an e-mail address');
const list = z
  .string()
  .optional()
  .transform((value) =>
    value
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : [],
  );

/** One zod schema per command: the options it takes and how each is checked. */
const commands = {
  bootstrap: {
    options: z.object({ email, org: z.string().trim().min(3).max(255) }).strict(),
    run: (em: EntityManager, o: { email: string; org: string }) => bootstrap(em, { email: o.email, orgName: o.org }),
  },
  'add-member': {
    options: z.object({ org: z.string().uuid('must be an organization id'), email, role: z.enum(ROLES) }).strict(),
    run: (em: EntityManager, o: { org: string; email: string; role: (typeof ROLES)[number] }) =>
      addMember(em, { orgId: o.org, email: o.email, role: o.role }),
  },
  'create-key': {
    options: z
      .object({
        email,
        mode: z.enum(KEY_MODES),
        name: z.string().trim().min(1).max(255).optional(),
        'limited-to-orgs': list.pipe(z.array(z.string().uuid('must be organization ids'))),
        'limited-to-apps': list,
        'expires-at': z
          .string()
          .datetime({ offset: true, message: 'must be an ISO-8601 date-time' })
          .transform((value) => new Date(value))
          .refine((date) => date > new Date(), 'must be in the future')
          .optional(),
      })
      .strict(),
    run: (
      em: EntityManager,
      o: {
        email: string;
        mode: (typeof KEY_MODES)[number];
        name?: string;
        'limited-to-orgs': string[];
        'limited-to-apps': string[];
        'expires-at'?: Date;
      },
    ) =>
      createKey(em, {
        email: o.email,
        mode: o.mode,
        name: o.name,
        limitedToOrgs: o['limited-to-orgs'],
        limitedToApps: o['limited-to-apps'],
        expiresAt: o['expires-at'],
      }),
  },
  'revoke-key': {
    options: z.object({ id: z.string().uuid('must be an API key id') }).strict(),
    run: (em: EntityManager, o: { id: string }) => revokeKey(em, o),
  },
} as const;

type CommandName = keyof typeof commands;

const OPTION_NAMES = [
  'email',
  'org',
  'role',
  'mode',
  'name',
  'id',
  'limited-to-orgs',
  'limited-to-apps',
  'expires-at',
] as const;

class UsageError extends Error {}

function parseCommand(argv: string[]): { name: CommandName; options: unknown } {
  const { positionals, values } = parseArgs({
    // The root script forwards its arguments after a `--` so that pnpm leaves the options alone.
    args: argv[0] === '--' ? argv.slice(1) : argv,
    allowPositionals: true,
    strict: true,
    options: Object.fromEntries(OPTION_NAMES.map((option) => [option, { type: 'string' }])),
  });
  const name = positionals[0];
  if (!name || !(name in commands) || positionals.length > 1) {
    throw new UsageError(name ? `Unknown command: ${positionals.join(' ')}` : 'No command given');
  }
  const command = commands[name as CommandName];
  const parsed = command.options.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown option ${issue.keys.map((key) => `--${key}`).join(', ')}`
        : `--${issue.path.join('.')}: ${issue.message}`,
    );
    throw new UsageError(problems.join('\n'));
  }
  return { name: name as CommandName, options: parsed.data };
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError || error instanceof TypeError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }

  const config = loadConfig(process.env);
  const database = await openDatabase(config, 'admin CLI');
  try {
    if (config.MIGRATE_ON_START) await migrateUp(database.orm);
    const command = commands[parsed.name] as { run: (em: EntityManager, options: unknown) => Promise<unknown> };
    const result = await command.run(database.orm.em.fork() as EntityManager, parsed.options);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known =
      error instanceof AdminError || error instanceof ConfigError || error instanceof EmbeddedDatabaseBusyError;
    process.stderr.write(`Error: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  },
);
