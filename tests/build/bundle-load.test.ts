/**
 * Proof that `main.js` loads on Obsidian mobile: the built bundle runs in a bare `node:vm` context whose `require`
 * serves only `obsidian` (the stub, bundled into the same context) and throws for everything else, with no `process`
 * or `Buffer`. Then `onload` runs against a stub app, and must not scan the vault before the layout is ready.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Stub from '../support/obsidian-stub';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' };

/** What a mobile webview offers a plugin: web APIs, no Node. */
function mobileGlobals(): Record<string, unknown> {
    const { console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone } =
        globalThis;
    const { URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto } = globalThis;
    const { Event, EventTarget } = globalThis;
    return {
        ...{ console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone },
        ...{ URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto, Event, EventTarget },
    };
}

/** Runs CommonJS `code` in `context` with the given `require`, returning its exports. */
function runCommonJs(code: string, context: vm.Context, filename: string, require: (id: string) => unknown): unknown {
    const module = { exports: {} as unknown };
    const wrapper = vm.runInContext(`(function (require, module, exports) {\n${code}\n})`, context, { filename }) as (
        require: (id: string) => unknown,
        module: { exports: unknown },
        exports: unknown,
    ) => void;
    wrapper(require, module, module.exports);
    return module.exports;
}

/** A fresh mobile-like context with the stub loaded; `requested` records every module the bundle asked for. */
function mobileSandbox(stubCode: string) {
    const context = vm.createContext(mobileGlobals());
    vm.runInContext('globalThis.window = globalThis; globalThis.self = globalThis;', context);
    const stub = runCommonJs(stubCode, context, 'obsidian-stub.js', () => {
        throw new Error('the stub must not require anything');
    }) as typeof Stub;
    const requested: string[] = [];
    const require = (id: string): unknown => {
        requested.push(id);
        if (id === 'obsidian') return stub;
        throw new Error(`Cannot find module '${id}': not available on Obsidian mobile`);
    };
    return { context, stub, requested, load: (code: string) => runCommonJs(code, context, 'main.js', require) };
}

function newestSourceMtime(): number {
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts'))
        .map((name) => join(ROOT, 'src', name));
    return Math.max(...[...sources, join(ROOT, 'esbuild.config.mjs')].map((file) => statSync(file).mtimeMs));
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

let mainCode = '';
let stubCode = '';

beforeAll(async () => {
    mainCode = builtBundle();
    const stub = await esbuild.build({
        entryPoints: [join(ROOT, 'tests/support/obsidian-stub.ts')],
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'browser',
        target: 'es2022',
        logLevel: 'silent',
    });
    stubCode = stub.outputFiles[0]?.text ?? '';
});

async function loadPlugin(stub: typeof Stub, load: (code: string) => unknown, app: Stub.App) {
    const exports = load(mainCode) as { default?: new (app: Stub.App, manifest: object) => Stub.Plugin };
    const PluginClass = exports.default;
    if (!PluginClass) throw new Error('main.js has no default export');
    const plugin = new PluginClass(app, MANIFEST);
    await plugin.onload();
    return plugin;
}

describe('main.js on a mobile-like host', () => {
    it('refuses a bundle that needs Node at load time (the harness has teeth)', () => {
        const { load } = mobileSandbox(stubCode);
        expect(() => load("require('fs')")).toThrow(/not available on Obsidian mobile/);
        expect(() => load("require('node:fs')")).toThrow(/not available on Obsidian mobile/);
        expect(() => load('process.cwd()')).toThrow(/process is not defined/);
        expect(() => load("Buffer.from('x')")).toThrow(/Buffer is not defined/);
    });

    it('loads with nothing but obsidian, and onload leaves the vault alone until the layout is ready', async () => {
        const { stub, requested, load } = mobileSandbox(stubCode);
        const app = new stub.App();
        await app.vault.create('Note.md', 'hello');
        app.vault.calls = [];

        const plugin = await loadPlugin(stub, load, app);
        expect(requested.every((id) => id === 'obsidian')).toBe(true);
        expect(plugin.settingTabs).toHaveLength(1);
        expect(app.vault.calls).toEqual([]);
        expect(app.metadataCache.listenerCount('resolved')).toBe(0);
        expect(stub.notices).toEqual([]);

        app.workspace.fireLayoutReady();
        expect(app.metadataCache.listenerCount('resolved')).toBe(1);
        plugin.unload();
        expect(app.metadataCache.listenerCount('resolved')).toBe(0);
    });

    it('pauses with a notice and stays locked when loadData throws (RELIABILITY row 14)', async () => {
        const { stub, load } = mobileSandbox(stubCode);
        const app = new stub.App();
        app.pluginData.set('vault-agent', '{"privacy": {"excludedTags": ["priv');

        const plugin = await loadPlugin(stub, load, app);
        expect(stub.notices.join('\n')).toMatch(/Vault Agent is paused: its settings could not be read/);
        app.workspace.fireLayoutReady();
        const tab = plugin.settingTabs[0];
        tab?.display();
        const text = (tab?.containerEl as unknown as Stub.FakeElement).textContent;
        expect(text).toMatch(/Paused/);
        expect(text).not.toMatch(/Default model/);
        expect(plugin.saved).toEqual([]);
        expect(app.pluginData.get('vault-agent')).toBe('{"privacy": {"excludedTags": ["priv');
    });
});
