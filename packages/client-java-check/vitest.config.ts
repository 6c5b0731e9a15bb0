import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The API's per-run database (a fresh one on DATABASE_URL's server, else embedded), migrated once.
    globalSetup: [require.resolve('@apps-api/api/testing/global-setup')],
    // A JVM starting on a loaded 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
