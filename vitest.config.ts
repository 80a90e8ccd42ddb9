import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
    resolve: {
        alias: {
            obsidian: fileURLToPath(new URL('./tests/support/obsidian-stub.ts', import.meta.url)),
        },
    },
    test: {
        include: ['tests/**/*.test.ts'],
        exclude: ['tests/browser/**', 'node_modules/**'],
        testTimeout: 20_000,
        hookTimeout: 30_000,
        pool: 'forks',
        globalSetup: ['tests/support/user-state-setup.ts'],
    },
});
