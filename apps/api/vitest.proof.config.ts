import { defineConfig } from 'vitest/config';

/**
 * The proof suite (`pnpm test:proof`): contract fuzzing, database outage, graceful shutdown and
 * rate limits across two replicas. Needs DATABASE_URL (a PostgreSQL server); files run one at a
 * time so load and outages do not overlap.
 */
export default defineConfig({
  test: {
    include: ['test/proof/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
