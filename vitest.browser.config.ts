import { defineConfig } from 'vitest/config';

/** The browser suite: playwright-core drives Debian's Chromium against the harness (`tests/browser/`). */
export default defineConfig({
    test: {
        include: ['tests/browser/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 60_000,
        pool: 'forks',
        fileParallelism: false,
    },
});
