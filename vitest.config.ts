import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each e2e file spawns real server processes; two cores, so keep concurrency modest.
    maxWorkers: 2,
  },
});
