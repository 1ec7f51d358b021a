import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs the Debian packages of .ci/install-packages.sh when it can, and prints one summary of the
    // suites it had to skip at the end (test/support/tools/global-setup.ts).
    globalSetup: ['test/support/tools/global-setup.ts'],
    // Each file gets its own database and queue prefix, so files run in parallel; two cores here.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
