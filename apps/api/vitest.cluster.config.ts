import { defineConfig } from 'vitest/config';

/**
 * The cluster test (`pnpm test:cluster`): HAProxy (`haproxy` on PATH) in front of two replicas on
 * one PostgreSQL server (DATABASE_URL). `.ci/run` installs what it needs and runs it.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
