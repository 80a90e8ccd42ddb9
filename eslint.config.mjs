import { defineConfig, globalIgnores } from 'eslint/config';
import obsidianmd from 'eslint-plugin-obsidianmd';
import globals from 'globals';

/**
 * The core never imports `obsidian` at runtime (type-only imports are fine): see docs/ARCHITECTURE.md, "The boundary".
 */
export const CORE_FOLDERS = ['src/vault', 'src/context', 'src/agent', 'src/delegate', 'src/cli'];

export default defineConfig([
    globalIgnores([
        'node_modules/**',
        'main.js',
        'dist/**',
        'coverage/**',
        'example-vault/**',
        'bench/out/**',
        'tests/fixtures/**',
    ]),
    ...obsidianmd.configs.recommended,
    {
        files: ['**/*.{ts,mjs}'],
        languageOptions: {
            parserOptions: {
                projectService: { allowDefaultProject: ['eslint.config.mjs', 'esbuild.config.mjs', 'scripts/*.mjs', 'bench/*.mjs'] },
                tsconfigRootDir: import.meta.dirname,
            },
        },
        rules: {
            '@microsoft/sdl/no-inner-html': 'error',
            '@typescript-eslint/no-floating-promises': 'error',
            'no-eval': 'error',
            'no-implied-eval': 'error',
            'no-new-func': 'error',
        },
    },
    {
        files: CORE_FOLDERS.map((folder) => `${folder}/**/*.ts`),
        rules: {
            '@typescript-eslint/no-restricted-imports': [
                'error',
                {
                    paths: [
                        {
                            name: 'obsidian',
                            message: 'The core never imports obsidian at runtime; take a port instead.',
                            allowTypeImports: true,
                        },
                    ],
                },
            ],
        },
    },
    {
        // The core also runs in Node (the CLI, the MCP server), where there is no `window`: timers and globals are
        // the platform's own there. Host code (views, adapters) keeps the popout-window rules.
        files: [...CORE_FOLDERS.map((folder) => `${folder}/**/*.ts`), 'src/kernel/**/*.ts'],
        rules: { 'obsidianmd/prefer-window-timers': 'off', 'obsidianmd/no-global-this': 'off' },
    },
    {
        // Node-side code: the CLI, benchmarks, scripts and tests run in Node, not in Obsidian.
        files: ['src/cli/**', '**/*-node.ts', 'tests/**', 'bench/**', 'scripts/**', '*.mjs', 'vitest.config.ts'],
        languageOptions: { globals: { ...globals.node } },
        rules: {
            'obsidianmd/no-nodejs-modules': 'off',
            'import/no-nodejs-modules': 'off',
            'no-console': 'off',
            'obsidianmd/rule-custom-message': 'off',
        },
    },
    {
        // Tests name `.obsidian` on purpose: as data, and to prove nothing in src hard-codes it.
        files: ['tests/**'],
        rules: {
            'obsidianmd/hardcoded-config-path': 'off',
            'obsidianmd/prefer-window-timers': 'off',
            'obsidianmd/no-global-this': 'off',
            'obsidianmd/prefer-file-manager-trash-file': 'off',
            'no-restricted-globals': 'off',
        },
    },
]);
