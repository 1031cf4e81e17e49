import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real processes; on a 2-core shared machine a
    // generous limit avoids flakes, and no assertion depends on time.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Each file runs in its own fork, so a test's process tree is its own.
    pool: 'forks',
    // The default output, then what was skipped and why and one "N passed, N failed, N skipped" line.
    reporters: ['default', './test/helpers/skip-summary.ts'],
  },
});
