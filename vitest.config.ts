import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: integration tests start real servers (sipp, redis, geored); too many at once starves timers.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
