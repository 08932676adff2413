import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Database tests create their own databases; files may run in parallel.
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
