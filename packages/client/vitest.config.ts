import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // The package's own name points at its sources, so the examples import it as a user would.
    alias: { '@apps-api/client': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The API's per-run database (a fresh one on DATABASE_URL's server, else embedded), migrated once.
    globalSetup: [require.resolve('@apps-api/api/testing/global-setup')],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
