import { defineConfig } from 'vitest/config';

/** A run with the real global setup and one failing test: its exit code must say so. */
export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/support/failing-run/always-fails.check.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    reporters: ['dot'],
  },
});
