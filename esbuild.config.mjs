// Builds two bundles from one source tree:
//   main.js      the Obsidian plugin (CommonJS, browser platform, loads on mobile: Node builtins stay external
//                and are only required lazily from *-node.ts modules on desktop)
//   dist/cli.js  the headless `vault-agent` command (ESM, Node platform)
import esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { bundledPackages, legalComment, noticesText } from './scripts/third-party-notices.mjs';
import { openTelemetryNoop } from './scripts/esbuild-opentelemetry-noop.mjs';
import { mcpClientWithoutOAuth } from './scripts/esbuild-mcp-client-without-oauth.mjs';
import { sdkCredentialsPassedIn } from './scripts/esbuild-sdk-credentials-passed-in.mjs';
import { sdkTracingOff } from './scripts/esbuild-sdk-tracing-off.mjs';
import { lookbehindFreeLibraries } from './scripts/lookbehind-free-libraries.mjs';
import { pluginEngines } from './scripts/esbuild-plugin-engines.mjs';

const production = process.argv[2] === 'production';

/** The version lives in package.json only; the CLI's `--version` and the MCP server read it from this define. */
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const define = { __VAULT_AGENT_VERSION__: JSON.stringify(version) };

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
    // Regex lookbehind stops the plugin loading on iOS before 16.4: library ones are rewritten, and the build fails if
    // any is left in main.js. The CLI runs on Node, which has lookbehind, so its libraries stay as published. Regexes
    // run on JavaScript's engine in a stoppable worker instead of RE2 (decision 0017), so re2js is not bundled.
    plugins: [
        mcpValidatorWithoutCodegen,
        pluginEngines,
        lookbehindFreeLibraries,
        openTelemetryNoop,
        mcpClientWithoutOAuth,
        sdkCredentialsPassedIn,
        sdkTracingOff,
    ],
    logLevel: 'info',
    sourcemap: production ? false : 'inline',
    minify: production,
    treeShaking: true,
    // The licence notices of the bundled dependencies stay in the shipped file, gathered at its end.
    legalComments: 'eof',
    define,
    metafile: true,
};

const cli = {
    // `dist/cli.js` and its chunks: code only some commands need (the PDF reader, the model client's streaming) sits
    // in chunks loaded on first use, so `vault-agent mcp` does not compile megabytes it never runs at start.
    entryPoints: { cli: 'src/cli/main.ts' },
    bundle: true,
    outdir: 'dist',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: nodeBuiltins,
    plugins: [mcpValidatorWithoutCodegen],
    banner: {
        js: "#!/usr/bin/env node\nimport { createRequire as __vaCreateRequire } from 'node:module';\nconst require = __vaCreateRequire(import.meta.url);",
    },
    // Only warnings and errors: the size summary flags any output over 1 MB, which says nothing for a Node command.
    logLevel: 'warning',
    sourcemap: production ? false : 'inline',
    // Minified like `main.js`: a start compiles half the bytes (decision 0029: about 10 ms off every start).
    minify: production,
    legalComments: 'eof',
    define,
    metafile: true,
};

/**
 * The program of the CLI's search worker threads (decision 0024), next to `dist/cli.js`, which starts it by that name.
 * It searches note files for `search_notes`.
 */
const { outdir: _outdir, splitting: _splitting, chunkNames: _chunkNames, ...cliOptions } = cli;
const searchWorker = {
    ...cliOptions,
    // One file of its own: a worker thread loads it whole, at the start of the first search.
    entryPoints: ['src/vault/text-scan-worker-node.ts'],
    outfile: 'dist/text-scan-worker.js',
};

async function main() {
    const fs = await import('node:fs');
    const builds = [plugin];
    if (fs.existsSync('src/cli/main.ts')) builds.push(cli, searchWorker);
    if (production) {
        // Chunks of an earlier build have other names: they go, so the folder holds exactly what this build made.
        fs.rmSync('dist/chunks', { recursive: true, force: true });
        await Promise.all(
            builds.map(async (options) => {
                const result = await esbuild.build({ ...options, write: false });
                // Shipped bundles carry the licence notices of every package bundled into them: the entry file those of
                // the whole program (its chunks included), each chunk those of the packages in it. Each file is written
                // whole and renamed into place, so nothing ever reads a bundle without its notices or half written.
                const entry = path.resolve(options.outfile ?? path.join(options.outdir, 'cli.js'));
                const outputOf = (file) => path.relative(process.cwd(), file.path).split(path.sep).join('/');
                const code = result.outputFiles.filter((file) => result.metafile.outputs[outputOf(file)] !== undefined);
                const packagesIn = (files) => {
                    const byName = new Map();
                    for (const file of files) {
                        for (const pkg of bundledPackages(result.metafile, outputOf(file))) byName.set(pkg.name, pkg);
                    }
                    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
                };
                for (const file of result.outputFiles) {
                    const isEntry = path.resolve(file.path) === entry;
                    const packages = isEntry ? packagesIn(code) : code.includes(file) ? packagesIn([file]) : [];
                    const notices = legalComment(noticesText(packages, 'Vault Agent'));
                    const text = isEntry || packages.length > 0 ? file.text + notices : file.text;
                    fs.mkdirSync(path.dirname(file.path), { recursive: true });
                    const temp = `${file.path}.${process.pid}.tmp`;
                    // The CLI runs as `./dist/cli.js` too, and `npm install -g .` links it as `vault-agent`.
                    fs.writeFileSync(temp, text, { mode: options === cli ? 0o755 : 0o644 });
                    fs.renameSync(temp, file.path);
                }
            }),
        );
        return;
    }
    const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
    await Promise.all(contexts.map((ctx) => ctx.watch()));
}

/** The plugin's and the command's build options, for scripts that measure the bundles (`scripts/bundle-sizes.mjs`). */
export { plugin as pluginBuild, cli as cliBuild };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
