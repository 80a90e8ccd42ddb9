import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** The browser suite: playwright-core drives Debian's Chromium against the harness (`npm run test:browser`). */
export default defineConfig({
    root: fileURLToPath(new URL('../..', import.meta.url)),
    test: {
        include: ['tests/browser/**/*.test.ts'],
        testTimeout: 60_000,
        hookTimeout: 60_000,
        pool: 'forks',
        fileParallelism: false,
        // A home of its own, as the main suite has: Chromium keeps its crash-report settings under the user's config.
        globalSetup: ['tests/support/user-state-setup.ts'],
    },
});
