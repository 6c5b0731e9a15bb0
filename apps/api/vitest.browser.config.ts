import { defineConfig } from 'vitest/config';

/** `pnpm test:browser`: the docs page in Debian's Chromium. Needs /usr/bin/chromium, no database. */
export default defineConfig({
  test: {
    include: ['test-browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
