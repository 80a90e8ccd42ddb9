import { defineConfig, globalIgnores } from 'eslint/config';
import obsidianmd from 'eslint-plugin-obsidianmd';
import globals from 'globals';

/**
 * The rooms of `src/` and what each may import, lowest first (docs/ARCHITECTURE.md). The kernel imports nothing; no
 * room imports one above it, so no import runs back up the layers. `main.ts` only wires and may import anything.
 */
export const ROOMS = {
    kernel: [],
    vault: ['kernel'],
    context: ['kernel', 'vault'],
    search: ['kernel', 'vault', 'context'],
    agent: ['kernel', 'vault', 'context', 'search'],
    delegate: ['kernel', 'vault', 'context', 'search', 'agent'],
    chat: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate'],
    review: ['kernel', 'vault', 'context', 'search', 'agent'],
    compose: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review'],
    cli: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose'],
    views: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose'],
    obsidian: ['kernel', 'vault', 'context', 'search', 'agent', 'delegate', 'chat', 'review', 'compose', 'views'],
};

/**
 * The core never imports `obsidian` at runtime (type-only imports are fine): see docs/ARCHITECTURE.md, "The boundary".
 */
export const CORE_FOLDERS = [
    'kernel',
    'vault',
    'context',
    'search',
    'agent',
    'delegate',
    'chat',
    'review',
    'compose',
    'cli',
].map((room) => `src/${room}`);

const OBSIDIAN_AT_RUNTIME = {
    name: 'obsidian',
    message: 'The core never imports obsidian at runtime; take a port instead.',
    allowTypeImports: true,
};

/** One config per room: the rooms above it (and `main.ts`) are out of bounds, and `obsidian` too in the core. */
function roomBoundaries() {
    return Object.entries(ROOMS).map(([room, below]) => {
        const forbidden = [...Object.keys(ROOMS).filter((other) => other !== room && !below.includes(other)), 'main'];
        return {
            files: [`src/${room}/**/*.ts`],
            rules: {
                '@typescript-eslint/no-restricted-imports': [
                    'error',
                    {
                        paths: CORE_FOLDERS.includes(`src/${room}`) ? [OBSIDIAN_AT_RUNTIME] : [],
                        patterns: [
                            {
                                // The kernel is one flat folder: anything outside it is another room.
                                regex:
                                    room === 'kernel' ? '^\\.\\./' : `^(?:\\.\\./)+(?:${forbidden.join('|')})(?:/|$)`,
                                message:
                                    room === 'kernel'
                                        ? 'The kernel imports nothing from other rooms: it is the vocabulary below them all.'
                                        : `The ${room} room may import only ${below.join(', ')}: no import runs back up the layers (docs/ARCHITECTURE.md).`,
                            },
                        ],
                    },
                ],
            },
        };
    });
}

export default defineConfig([
    globalIgnores([
        'node_modules/**',
        'main.js',
        'dist/**',
        'coverage/**',
        'example-vault/**',
        'bench/out/**',
        'tests/fixtures/**',
        // Type declarations of scripts written in JavaScript: nothing runs in them.
        'scripts/*.d.mts',
    ]),
    ...obsidianmd.configs.recommended,
    {
        files: ['**/*.{ts,mjs}'],
        languageOptions: {
            parserOptions: {
                projectService: {
                    allowDefaultProject: ['eslint.config.mjs', 'esbuild.config.mjs', 'scripts/*.mjs', 'bench/*.mjs'],
                    // The build and bench scripts in plain JavaScript outnumber the default of 8.
                    maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 24,
                },
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
    ...roomBoundaries(),
    {
        // The core also runs in Node (the CLI, the MCP server), where there is no `window`: timers and globals are
        // the platform's own there. Host code (views, adapters) keeps the popout-window rules.
        files: CORE_FOLDERS.map((folder) => `${folder}/**/*.ts`),
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
