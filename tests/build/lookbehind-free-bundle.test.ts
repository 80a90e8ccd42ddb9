/**
 * Obsidian on iOS before 16.4 cannot parse a regex with lookbehind: a literal one stops `main.js` loading at all, and
 * one built at load with `new RegExp` throws there. The plugin build rewrites the library ones
 * (scripts/lookbehind-free-libraries.mjs) and fails if any lookbehind text is left in `main.js`. This checks:
 * - the built `main.js` holds no lookbehind text, and loads where `RegExp` refuses lookbehind as old iOS does (V8
 *   still parses regex literals itself, so the text check is what covers those);
 * - each rewritten library behaves as published: it is bundled both ways and the two copies are run on the same inputs
 *   (tests run on Node, which has lookbehind, so the published copy is the reference);
 * - every rewrite fails the build when its library text is not found, and the build refuses lookbehind from anywhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import esbuild, { type Plugin } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Stub from '../support/obsidian-stub';
import { hostApp, hostModule } from '../obsidian/plugin-host';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const nodeRequire = createRequire(import.meta.url);

interface Rewrite {
    library: string;
    file: RegExp;
    replacements: [string, string][];
}
/** The project's build plugin (a plain `.mjs` build script without types, so loaded through `require`). */
const { lookbehindFreeLibraries, REWRITES, applyRewrite } = nodeRequire(
    '../../scripts/lookbehind-free-libraries.mjs',
) as {
    lookbehindFreeLibraries: Plugin;
    REWRITES: Rewrite[];
    applyRewrite: (rewrite: Rewrite, source: string, file: string) => string;
};

const LOOKBEHIND_TEXT = /\(\?<[=!]/u;

function newestSourceMtime(): number {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(ROOT, 'src', name));
    const scripts = ['esbuild.config.mjs', 'scripts/lookbehind-free-libraries.mjs'].map((name) => join(ROOT, name));
    return Math.max(...[...sources, ...scripts].map((file) => statSync(file).mtimeMs));
}

/** The built plugin, rebuilt with the project's own build when missing or older than the sources. */
function builtBundle(): string {
    const bundle = join(ROOT, 'main.js');
    let fresh = false;
    try {
        fresh = statSync(bundle).mtimeMs >= newestSourceMtime();
    } catch {
        fresh = false;
    }
    if (!fresh) execFileSync(process.execPath, ['esbuild.config.mjs', 'production'], { cwd: ROOT, stdio: 'pipe' });
    return readFileSync(bundle, 'utf8');
}

let scratch = '';
let count = 0;

/** Bundles `entry` (minified, as the plugin is) with or without the rewrites, and loads it as a CommonJS module. */
async function library<T>(entry: string, rewritten: boolean): Promise<T> {
    const result = await esbuild.build({
        stdin: { contents: entry, resolveDir: ROOT, loader: 'js' },
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'node',
        target: 'es2022',
        minify: true,
        logLevel: 'silent',
        plugins: rewritten ? [lookbehindFreeLibraries] : [],
    });
    const text = result.outputFiles[0]?.text ?? '';
    expect(LOOKBEHIND_TEXT.test(text)).toBe(!rewritten);
    const file = join(scratch, `library-${count++}.cjs`);
    writeFileSync(file, text);
    return nodeRequire(file) as T;
}

/** Runs `f`, giving its result or the error it threw, so two copies can be compared on failures too. */
function outcome<T>(f: () => T): { value: T } | { error: string } {
    try {
        return { value: f() };
    } catch (error) {
        return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
}

beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'va-lookbehind-'));
});
afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
});

describe('main.js without regex lookbehind', () => {
    it('holds no lookbehind text anywhere', () => {
        const code = builtBundle();
        const found = [...code.matchAll(/.{0,60}\(\?<[=!].{0,40}/gu)].map((m) => m[0]);
        expect(found).toEqual([]);
    });

    it('loads and starts where RegExp refuses lookbehind, as on iOS before 16.4', async () => {
        const code = builtBundle();
        const stubBuild = await esbuild.build({
            entryPoints: [join(ROOT, 'tests/support/obsidian-stub.ts')],
            bundle: true,
            write: false,
            format: 'cjs',
            platform: 'browser',
            target: 'es2022',
            logLevel: 'silent',
        });
        const { console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone } =
            globalThis;
        const { URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto } = globalThis;
        const refused: string[] = [];
        const context = vm.createContext({
            ...{ console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone },
            ...{ URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto },
            ...{ Event, EventTarget, refused },
            // A web view has it, as every browser does.
            performance,
        });
        // `new RegExp` with lookbehind throws a SyntaxError, as old WebKit does; `instanceof RegExp` still holds.
        vm.runInContext(
            `globalThis.window = globalThis; globalThis.self = globalThis;
            const refuse = (args) => {
                const source = args[0] instanceof RegExp ? args[0].source : String(args[0]);
                if (/\\(\\?<[=!]/.test(source)) {
                    refused.push(source);
                    throw new SyntaxError('Invalid regular expression: invalid group specifier name');
                }
            };
            RegExp = new Proxy(RegExp, {
                construct(target, args, newTarget) { refuse(args); return Reflect.construct(target, args, newTarget); },
                apply(target, self, args) { refuse(args); return Reflect.apply(target, self, args); },
            });`,
            context,
        );
        const run = (source: string, filename: string, require: (id: string) => unknown): unknown => {
            const module = { exports: {} as unknown };
            const wrapper = vm.runInContext(`(function (require, module, exports) {\n${source}\n})`, context, {
                filename,
            }) as (require: (id: string) => unknown, module: { exports: unknown }, exports: unknown) => void;
            wrapper(require, module, module.exports);
            return module.exports;
        };
        // The harness has teeth: a lookbehind regex built at load fails to load.
        expect(() => run(`new RegExp(['(?', '<!a)b'].join(''));`, 'probe.js', () => undefined)).toThrow(
            /invalid group specifier/u,
        );
        refused.length = 0;

        const stub = run(stubBuild.outputFiles[0]?.text ?? '', 'obsidian-stub.js', () => {
            throw new Error('the stub must not require anything');
        }) as typeof Stub;
        const obsidian = hostModule(stub, { isDesktop: false, isMobile: true });
        const exports = run(code, 'main.js', (id) => {
            if (id === 'obsidian') return obsidian;
            // Obsidian provides its editor packages to plugins, on mobile too (the build keeps them external).
            if (id === '@codemirror/state' || id === '@codemirror/view') return nodeRequire(id);
            throw new Error(`Cannot find module '${id}': not available on Obsidian mobile`);
        }) as { default?: new (app: Stub.App, manifest: object) => Stub.Plugin };
        expect(typeof exports.default).toBe('function');
        const app = hostApp(stub);
        const PluginClass = exports.default as new (app: Stub.App, manifest: object) => Stub.Plugin;
        const plugin = new PluginClass(app, { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' });
        await plugin.onload();
        app.workspace.fireLayoutReady();
        expect(stub.notices).toEqual([]);
        // yaml builds one at load inside a try/catch and falls back; nothing else asked for lookbehind.
        expect(refused.length).toBeGreaterThan(0);
        expect(refused.every((source) => source.includes('\n+'))).toBe(true);
        plugin.unload();
    });
});

interface MinimatchModule {
    Minimatch: new (
        pattern: string,
        options?: object,
    ) => { globSet: string[]; set: unknown[]; match(file: string): boolean };
}

describe('minimatch numeric ranges, rewritten', () => {
    let published: MinimatchModule;
    let rewritten: MinimatchModule;
    beforeAll(async () => {
        published = await library<MinimatchModule>("export { Minimatch } from 'minimatch';", false);
        rewritten = await library<MinimatchModule>("export { Minimatch } from 'minimatch';", true);
    });

    /** What a pattern expands to and which files it matches (the range mark is private, so it is shown as `#`). */
    function behaviour(mm: MinimatchModule, pattern: string, files: string[], options: object = {}) {
        return outcome(() => {
            const m = new mm.Minimatch(pattern, options);
            return {
                globSet: m.globSet.map((glob) => glob.replace(/[\uE000-\uF8FF]/gu, '#')),
                matches: files.filter((file) => m.match(file)),
            };
        });
    }

    const FILES = ['a1', 'a3', 'a150', 'a500', '$1', '$150', '\\150', '{1..3}', '{1..150}', 'x5y7', 'a/1', '1', '150'];

    it.each([
        'a{1..3}',
        'a{1..150}',
        '\\{1..150}',
        '${1..150}',
        '$${1..150}',
        '\\\\{1..150}',
        '{1..150}{1..150}',
        'x{1..150}y{1..200}',
        '\\{1..150}{1..150}',
        '${1..3}',
        '\\{1..3}',
        '{{1..150}}',
        '[{1..150}]',
        '*({1..150})',
        '{-5..150}',
    ])('%s expands and matches as published', (pattern) => {
        const expected = behaviour(published, pattern, FILES);
        expect(behaviour(rewritten, pattern, FILES)).toEqual(expected);
        expect(behaviour(rewritten, pattern, FILES, { nobrace: true })).toEqual(
            behaviour(published, pattern, FILES, { nobrace: true }),
        );
    });

    it('a range after \\ or $ stays unexpanded by the range rule, as published', () => {
        // The rule is the one the lookbehind expressed: `a{1..150}` is kept as a range, `\{1..150}` is not.
        const ranged = (pattern: string) =>
            new rewritten.Minimatch(pattern).globSet.some((g) => /[\uE000-\uF8FF]/u.test(g));
        expect(ranged('a{1..150}')).toBe(true);
        expect(ranged('{1..150}')).toBe(true);
        expect(ranged('\\{1..150}')).toBe(false);
        expect(ranged('${1..150}')).toBe(false);
    });

    it('agrees with the published minimatch on patterns built from range pieces', () => {
        const piece = fc.constantFrom(
            ...['\\', '$', '{', '}', '1..150', '-3..120', '1..3', 'a', '/', '*', '[', ']', '(', ')', '+'],
            ...['{1..150}', '{-3..120}', '{1..3}', '\\{1..150}', '${1..150}'],
        );
        fc.assert(
            fc.property(
                fc.array(piece, { maxLength: 10 }),
                fc.array(fc.constantFrom(...FILES), { maxLength: 4 }),
                (pieces, files) => {
                    const pattern = pieces.join('');
                    // Two ranges at most: three of 150 values would expand to millions of patterns when not kept.
                    fc.pre(pattern.split('..').length <= 3);
                    expect(behaviour(rewritten, pattern, files)).toEqual(behaviour(published, pattern, files));
                },
            ),
            { numRuns: 400 },
        );
    });
});

type PathTag = (statics: readonly string[], ...params: unknown[]) => string;

describe('Anthropic SDK path segments, rewritten', () => {
    let published: PathTag;
    let rewritten: PathTag;
    const entry = "export { path } from './node_modules/@anthropic-ai/sdk/internal/utils/path.mjs';";
    beforeAll(async () => {
        published = (await library<{ path: PathTag }>(entry, false)).path;
        rewritten = (await library<{ path: PathTag }>(entry, true)).path;
    });

    it.each([
        [['/v1/files/', ''], ['abc']],
        [['/v1/files/', ''], ['..']],
        [['/v1/files/', ''], ['.']],
        [['/v1/files/', '/content'], ['%2E%2e']],
        [['', '/x'], ['..']],
        [
            ['/a/', '/', ''],
            ['.', '..'],
        ],
        [
            ['/a/', '/b?c=', ''],
            ['x', '..'],
        ],
        [['/a/', ''], ['..;jsessionid=1']],
        [['/a/', ''], ['...']],
        [['/a/', ''], ['.x']],
        [['/a/', ''], [';x']],
        [['/a/./b/../', ''], ['ok']],
        [
            ['./', '/../', ''],
            ['a', 'b'],
        ],
    ] as [string[], string[]][])('%j with %j gives what the published SDK gives', (statics, params) => {
        const expected = outcome(() => published(statics, ...params));
        expect(outcome(() => rewritten(statics, ...params))).toEqual(expected);
    });

    it('still refuses a `..` segment with the same message, underline included', () => {
        const result = outcome(() => rewritten(['/v1/files/', '/content'], '..'));
        expect(result).toEqual(outcome(() => published(['/v1/files/', '/content'], '..')));
        expect('error' in result && result.error).toMatch(/Value "\.\." can't be safely passed/u);
    });

    it('agrees with the published SDK on paths built from segment pieces', () => {
        const piece = fc.constantFrom('/', '.', '..', '%2e', '%2E', ';', 'x', '?', '#', '', 'a.b');
        const text = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
        fc.assert(
            fc.property(
                fc.array(text, { minLength: 1, maxLength: 4 }),
                fc.array(text, { maxLength: 3 }),
                (statics, params) => {
                    const args = params.slice(0, statics.length - 1);
                    expect(outcome(() => rewritten(statics, ...args))).toEqual(
                        outcome(() => published(statics, ...args)),
                    );
                },
            ),
            { numRuns: 1000 },
        );
    });
});

interface YamlModule {
    parse(text: string): unknown;
    stringify(value: unknown, options?: object): string;
}

describe('yaml, its lookbehind text rebuilt at run time', () => {
    let published: YamlModule;
    let rewritten: YamlModule;
    beforeAll(async () => {
        published = await library<YamlModule>("export { parse, stringify } from 'yaml';", false);
        rewritten = await library<YamlModule>("export { parse, stringify } from 'yaml';", true);
    });

    it.each(['"a  \\t\n  b  "', "'a \t \n\n  b\t'", 'k: "x   \n   y"', '[ "a ", b  ,  c ]', '{ a: "b  \n c" }'])(
        'parses %j as published',
        (text) => {
            expect(outcome(() => rewritten.parse(text))).toEqual(outcome(() => published.parse(text)));
        },
    );

    it.each(['a\n\nb\n\n\n', 'line\n\n\n\nend', '\n\nx\n', 'tail  \n\n'])('stringifies %j as published', (value) => {
        expect(rewritten.stringify({ value })).toBe(published.stringify({ value }));
        expect(rewritten.stringify(value, { blockQuote: 'literal' })).toBe(
            published.stringify(value, { blockQuote: 'literal' }),
        );
    });
});

describe('the rewrites fail loudly', () => {
    it.each(REWRITES.map((rewrite) => [rewrite.library, rewrite] as const))(
        '%s: the build fails when the library text is not there, or there twice',
        (_name, rewrite) => {
            const [from] = rewrite.replacements[0] ?? ['', ''];
            expect(() => applyRewrite(rewrite, 'export const nothing = 1;', 'lib.js')).toThrow(
                /exactly once, found it 0/u,
            );
            const all = rewrite.replacements.map(([text]) => text).join('\n');
            expect(() => applyRewrite(rewrite, `${all}\n${from}`, 'lib.js')).toThrow(/exactly once, found it 2/u);
            expect(LOOKBEHIND_TEXT.test(applyRewrite(rewrite, all, 'lib.js'))).toBe(false);
        },
    );

    it('every rewrite applies to the library as installed', () => {
        const files = [
            'minimatch/dist/esm/index.js',
            'minimatch/dist/commonjs/index.js',
            '@anthropic-ai/sdk/internal/utils/path.mjs',
            '@anthropic-ai/sdk/internal/utils/path.js',
            'yaml/dist/stringify/stringifyString.js',
            'yaml/browser/dist/stringify/stringifyString.js',
            'yaml/dist/compose/resolve-flow-scalar.js',
            'yaml/browser/dist/compose/resolve-flow-scalar.js',
        ].map((name) => join(ROOT, 'node_modules', name));
        for (const file of files) {
            const rewrites = REWRITES.filter((rewrite) => rewrite.file.test(file));
            expect(rewrites, file).toHaveLength(1);
            const source = readFileSync(file, 'utf8');
            expect(source).toMatch(LOOKBEHIND_TEXT);
            expect(applyRewrite(rewrites[0] as Rewrite, source, file)).not.toMatch(LOOKBEHIND_TEXT);
        }
    });

    it('the build refuses lookbehind text from anywhere in the output', async () => {
        const build = esbuild.build({
            stdin: { contents: `export const re = new RegExp(${JSON.stringify('(?<' + '!a)b')});`, loader: 'js' },
            bundle: true,
            write: false,
            format: 'cjs',
            logLevel: 'silent',
            plugins: [lookbehindFreeLibraries],
        });
        await expect(build).rejects.toThrow(/holds regex lookbehind/u);
    });
});
