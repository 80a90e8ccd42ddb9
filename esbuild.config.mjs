// Builds two bundles from one source tree:
//   main.js      the Obsidian plugin (CommonJS, browser platform, loads on mobile: Node builtins stay external
//                and are only required lazily from *-node.ts modules on desktop)
//   dist/cli.js  the headless `vault-agent` command (ESM, Node platform)
import esbuild from 'esbuild';
import { builtinModules } from 'node:module';
import process from 'node:process';
import { lookbehindTextInRe2js } from './scripts/lookbehind-text-in-re2js.mjs';

const production = process.argv[2] === 'production';

/** The MCP SDK's ajv-based default validator is swapped for one without code generation (see the module's note). */
const mcpValidatorWithoutCodegen = {
    name: 'mcp-validator-without-codegen',
    setup(build) {
        build.onResolve({ filter: /validation\/ajv-provider\.js$/ }, (args) =>
            args.importer.includes('@modelcontextprotocol')
                ? { path: new URL('./scripts/mcp-validator-without-codegen.mjs', import.meta.url).pathname }
                : undefined,
        );
    },
};
const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const plugin = {
    entryPoints: ['src/main.ts'],
    bundle: true,
    outfile: 'main.js',
    format: 'cjs',
    platform: 'browser',
    target: 'es2022',
    external: ['obsidian', 'electron', '@codemirror/*', '@lezer/*', ...nodeBuiltins],
    plugins: [mcpValidatorWithoutCodegen, lookbehindTextInRe2js],
    logLevel: 'info',
    sourcemap: production ? false : 'inline',
    minify: production,
    treeShaking: true,
    legalComments: 'none',
    metafile: true,
};

const cli = {
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    outfile: 'dist/cli.js',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: nodeBuiltins,
    plugins: [mcpValidatorWithoutCodegen, lookbehindTextInRe2js],
    banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __vaCreateRequire } from 'node:module';\nconst require = __vaCreateRequire(import.meta.url);",
    },
    logLevel: 'info',
    sourcemap: production ? false : 'inline',
    minify: false,
    legalComments: 'none',
};

async function main() {
    const fs = await import('node:fs');
    const builds = [plugin];
    if (fs.existsSync('src/cli/main.ts')) builds.push(cli);
    if (production) {
        await Promise.all(builds.map((options) => esbuild.build(options)));
        return;
    }
    const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
    await Promise.all(contexts.map((ctx) => ctx.watch()));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
