import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MikroORM } from '@mikro-orm/postgresql';
import { startEmbeddedDatabase } from '../db/embedded.js';
import { ormConfig } from '../db/orm.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../db/migrations/', import.meta.url));
const INDEX_FILE = path.join(MIGRATIONS_DIR, 'index.ts');
const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * Lists the new migration in migrations/index.ts (the runtime never scans folders): its import
 * after the last import, its entry at the end of the list.
 */
function register(className: string): void {
  const source = readFileSync(INDEX_FILE, 'utf8');
  const lastImport = source.lastIndexOf('\nimport ');
  const afterImports = source.indexOf('\n', lastImport + 1) + 1;
  const listEnd = source.lastIndexOf('];');
  if (lastImport < 0 || listEnd < afterImports)
    throw new Error(`Cannot find the imports and the list in ${INDEX_FILE}`);
  writeFileSync(
    INDEX_FILE,
    `${source.slice(0, afterImports)}import { ${className} } from './${className}.js';\n` +
      `${source.slice(afterImports, listEnd)}  { name: '${className}', class: ${className} },\n${source.slice(listEnd)}`,
  );
}

function format(files: string[]): void {
  const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'format', '--write', ...files], { stdio: 'ignore' });
}

/**
 * `pnpm --filter @apps-api/api migration:create <name>`: writes the migration that brings a database
 * migrated with every existing migration to what the entities declare (the entities own the schema,
 * see src/db/README.md), and lists it in migrations/index.ts. Works on a throwaway in-memory
 * embedded database, so it needs no server and touches no data.
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (name === undefined || !NAME.test(name)) {
    throw new Error('Usage: migration:create <name>, a name in lower case such as add_bundles');
  }
  const database = await startEmbeddedDatabase({ owner: 'migration:create' });
  try {
    const base = ormConfig({ clientUrl: database.url, poolMax: 1 });
    const orm = await MikroORM.init({
      ...base,
      migrations: {
        ...base.migrations,
        path: MIGRATIONS_DIR,
        emit: 'ts',
        fileName: (timestamp: string, suffix?: string) => `Migration${timestamp}_${suffix}`,
      },
    });
    try {
      const migrator = orm.getMigrator();
      await migrator.up();
      const { fileName } = await migrator.createMigration(MIGRATIONS_DIR, false, false, name);
      if (!fileName) {
        process.stdout.write('The migrations already match the entities: nothing to generate.\n');
        return;
      }
      const className = path.basename(fileName, '.ts');
      register(className);
      format([path.join(MIGRATIONS_DIR, fileName), INDEX_FILE]);
      process.stdout.write(`Wrote src/db/migrations/${fileName} and listed it in src/db/migrations/index.ts.\n`);
    } finally {
      await orm.close();
    }
  } finally {
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
