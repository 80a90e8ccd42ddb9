/**
 * The linear-time regex engine in the plugin bundle. RE2JS spells its optional lookbehind syntax as strings; the
 * build rewrites them (scripts/lookbehind-text-in-re2js.mjs) so the bundle holds no lookbehind text, which iOS before
 * 16.4 cannot load when it is a regex and a text search cannot tell from one that is a string. This bundles the
 * library the way the plugin build does (minified, for the browser) and checks both halves: no such text, and the
 * engine still behaves the same.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import esbuild, { type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The plugin the project's build uses (a plain `.mjs` build script without types, so loaded through `require`). */
const { lookbehindTextInRe2js } = createRequire(import.meta.url)('../../scripts/lookbehind-text-in-re2js.mjs') as {
    lookbehindTextInRe2js: Plugin;
};
const LOOKBEHIND_TEXT = /\(\?<[=!]/u;

async function bundle(withPlugin: boolean): Promise<string> {
    const result = await esbuild.build({
        stdin: { contents: "export { RE2JS } from 're2js';", resolveDir: ROOT, loader: 'js' },
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'browser',
        target: 'es2022',
        minify: true,
        logLevel: 'silent',
        plugins: withPlugin ? [lookbehindTextInRe2js] : [],
    });
    return result.outputFiles[0]?.text ?? '';
}

interface Re2jsModule {
    RE2JS: {
        LOOKBEHINDS: number;
        compile(pattern: string, flags?: number): { test(text: string): boolean; toString(): string };
    };
}

function load(code: string): Re2jsModule {
    const module = { exports: {} as unknown };
    const wrapper = vm.runInNewContext(`(function (module, exports) {\n${code}\n})`, {}) as (
        module: { exports: unknown },
        exports: unknown,
    ) => void;
    wrapper(module, module.exports);
    return module.exports as Re2jsModule;
}

describe('RE2JS in the plugin bundle', () => {
    it('holds no lookbehind text once built, where the library as published does', async () => {
        expect(await bundle(false)).toMatch(LOOKBEHIND_TEXT);
        expect(await bundle(true)).not.toMatch(LOOKBEHIND_TEXT);
    });

    it('still parses and prints lookbehind when asked, so the rewrite changed no behaviour', async () => {
        const { RE2JS } = load(await bundle(true));
        const open = ['(?', '<'].join('');
        const regex = RE2JS.compile(`${open}=a)b`, RE2JS.LOOKBEHINDS);
        expect(regex.test('ab')).toBe(true);
        expect(regex.test('cb')).toBe(false);
        expect(RE2JS.compile(`${open}!a)b`, RE2JS.LOOKBEHINDS).test('cb')).toBe(true);
    });
});
