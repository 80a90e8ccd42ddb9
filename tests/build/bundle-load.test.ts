/**
 * Proof that `main.js` loads on Obsidian mobile: the built bundle runs in a bare `node:vm` context whose `require`
 * serves only `obsidian` (the stub, bundled into the same context, with the plugin host's additions) and throws for
 * everything else, with no `process` or `Buffer`. Then `onload` runs against a stub app, must not scan the vault
 * before the layout is ready, and every service starts on layout-ready and stops on unload. On a desktop-like host
 * Node builtins are served, but only lazily: nothing but `obsidian` is required until a desktop-only path runs.
 */
import { execFileSync } from 'node:child_process';
import {
    mkdirSync,
    mkdtempSync,
    readdirSync,
    readFileSync,
    rmSync,
    statSync,
    symlinkSync,
    writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Stub from '../support/obsidian-stub';
import { hostApp, hostModule, type HostPluginShape } from '../obsidian/plugin-host';
import { loadVaultFromDisk } from '../support/obsidian-stub-disk';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' };

/** What a mobile webview offers a plugin: web APIs, no Node. */
function mobileGlobals(): Record<string, unknown> {
    const { console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone } =
        globalThis;
    const { URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto } = globalThis;
    const { Event, EventTarget, performance } = globalThis;
    return {
        ...{ console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask, structuredClone },
        ...{ URL, URLSearchParams, TextEncoder, TextDecoder, AbortController, AbortSignal, crypto, Event, EventTarget },
        // A web view has it, as every browser does.
        performance,
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

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
/** The editor packages Obsidian itself provides to plugins, on mobile too (the build keeps them external). */
const HOST_EDITOR_PACKAGES = new Set(['@codemirror/state', '@codemirror/view']);
const nodeRequire = createRequire(import.meta.url);
/**
 * Modules js-yaml (inside gray-matter, which the skill and command catalogs' note parser uses) probes for inside a
 * try/catch at load time and does without; refusing them is what mobile does, and loading still succeeds.
 */
const LIBRARY_PROBES = new Set(['buffer', 'esprima']);

/**
 * A fresh mobile-like context with the stub loaded; `requested` records every module the bundle asked for. With
 * `desktop`, `Platform.isDesktop` is true and Node builtins are served (the desktop app has them), still recorded.
 */
function mobileSandbox(stubCode: string, options: { desktop?: boolean } = {}) {
    const desktop = options.desktop === true;
    const context = vm.createContext(mobileGlobals());
    vm.runInContext('globalThis.window = globalThis; globalThis.self = globalThis;', context);
    const stub = runCommonJs(stubCode, context, 'obsidian-stub.js', () => {
        throw new Error('the stub must not require anything');
    }) as typeof Stub;
    const obsidian = hostModule(stub, { isDesktop: desktop, isMobile: !desktop });
    const requested: string[] = [];
    const require = (id: string): unknown => {
        requested.push(id);
        if (id === 'obsidian') return obsidian;
        if (HOST_EDITOR_PACKAGES.has(id)) return nodeRequire(id);
        if (desktop && NODE_BUILTINS.has(id)) return nodeRequire(id);
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

/** What the wiring exposes to these tests (private fields keep their names in the bundle). */
interface LoadedPlugin extends HostPluginShape {
    services: {
        queue: { loop: Promise<void> | null; snapshot(): { state: string } };
        core: { skills: { scan(): Promise<{ skills: { name: string }[] }> } };
        currentGate(): { isExcluded(path: string): boolean };
        vault: { tagsSettled(): Promise<void> };
    };
}

async function loadPlugin(stub: typeof Stub, load: (code: string) => unknown, app: Stub.App): Promise<LoadedPlugin> {
    const exports = load(mainCode) as { default?: new (app: Stub.App, manifest: object) => Stub.Plugin };
    const PluginClass = exports.default;
    if (!PluginClass) throw new Error('main.js has no default export');
    const plugin = new PluginClass(app, MANIFEST);
    await plugin.onload();
    return plugin as unknown as LoadedPlugin;
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
        const app = hostApp(stub);
        await app.vault.create('Note.md', 'hello');
        app.vault.calls = [];

        const plugin = await loadPlugin(stub, load, app);
        expect(
            requested.filter((id) => id !== 'obsidian' && !HOST_EDITOR_PACKAGES.has(id) && !LIBRARY_PROBES.has(id)),
        ).toEqual([]);
        expect(plugin.settingTabs).toHaveLength(1);
        expect(app.vault.calls).toEqual([]);
        expect(app.metadataCache.listenerCount('resolved')).toBe(0);
        expect(stub.notices).toEqual([]);

        app.workspace.fireLayoutReady();
        expect(app.metadataCache.listenerCount('resolved')).toBe(1);
        plugin.unload();
        expect(app.metadataCache.listenerCount('resolved')).toBe(0);
    });

    it('pauses with a notice and stays locked when loadData throws (docs/RELIABILITY.md row 14)', async () => {
        const { stub, load } = mobileSandbox(stubCode);
        const app = hostApp(stub);
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

    it('starts every service on layout-ready and stops them on unload, still needing nothing but obsidian', async () => {
        const { stub, requested, load } = mobileSandbox(stubCode);
        const app = hostApp(stub);
        await app.vault.createFolder('Agent');
        app.vault.calls = [];

        const plugin = await loadPlugin(stub, load, app);
        expect([...plugin.views.keys()]).toEqual(['vault-agent-chat', 'vault-agent-queue', 'vault-agent-inbox']);
        expect(plugin.commands.length).toBeGreaterThanOrEqual(11);
        expect(plugin.statusBar).toHaveLength(2);
        expect(plugin.services.queue.loop).toBeNull();
        expect(app.vault.calls).toEqual([]);

        app.workspace.fireLayoutReady();
        expect(plugin.services.queue.loop).not.toBeNull();
        await plugin.services.core.skills.scan();
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(app.vault.calls.length).toBeGreaterThan(0);
        expect(stub.notices).toEqual([]);

        const loop = plugin.services.queue.loop;
        plugin.unload();
        await loop;
        expect(plugin.services.queue.loop).toBeNull();
        expect(plugin.views.size).toBe(0);
        expect(
            requested.filter((id) => id !== 'obsidian' && !HOST_EDITOR_PACKAGES.has(id) && !LIBRARY_PROBES.has(id)),
        ).toEqual([]);
    });

    // The note parser also runs inside Obsidian (skills in `.claude/skills/` are not in the metadata cache), so its
    // YAML must parse with no `Buffer` and no Node at all.
    it('parses a skill note on mobile without Node', async () => {
        const { stub, load } = mobileSandbox(stubCode);
        const app = hostApp(stub);
        for (const folder of ['Agent', 'Agent/Skills', 'Agent/Skills/tidy']) await app.vault.createFolder(folder);
        await app.vault.create('Agent/Skills/tidy/SKILL.md', '---\nname: tidy\ndescription: Tidies.\n---\nSort.\n');
        app.metadataCache.setCache('Agent/Skills/tidy/SKILL.md', { frontmatter: { name: 'tidy', description: 'x' } });
        const plugin = await loadPlugin(stub, load, app);
        app.workspace.fireLayoutReady();
        try {
            expect(await plugin.services.core.skills.scan()).toMatchObject({ skills: [{ name: 'tidy' }] });
        } finally {
            plugin.unload();
        }
    });

    it('on desktop requires Node builtins only lazily, when a desktop-only path first runs', async () => {
        const root = mkdtempSync(join(tmpdir(), 'vault-agent-desktop-'));
        try {
            const { stub, requested, load } = mobileSandbox(stubCode, { desktop: true });
            const app = hostApp(stub, { basePath: root });
            const plugin = await loadPlugin(stub, load, app);
            app.workspace.fireLayoutReady();
            await new Promise((resolve) => setTimeout(resolve, 50));
            expect(
                requested.filter((id) => id !== 'obsidian' && !HOST_EDITOR_PACKAGES.has(id) && !LIBRARY_PROBES.has(id)),
            ).toEqual([]);

            // The skills scan reads `.claude/skills/` through the Node reader on desktop: loaded now, not before.
            await plugin.services.core.skills.scan();
            expect(requested.some((id) => /^(node:)?fs(\/promises)?$/.test(id))).toBe(true);
            plugin.unload();
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });

    it('on desktop the built bundle judges a symlinked note by its target, loading fs at the first check', async () => {
        const root = mkdtempSync(join(tmpdir(), 'vault-agent-desktop-links-'));
        try {
            mkdirSync(join(root, 'Secrets'));
            writeFileSync(join(root, 'Secrets', 'Diary.md'), 'private\n');
            writeFileSync(join(root, 'Plan.md'), 'public\n');
            symlinkSync(join('Secrets', 'Diary.md'), join(root, 'Shortcut.md'));
            const { stub, requested, load } = mobileSandbox(stubCode, { desktop: true });
            const app = hostApp(stub, { basePath: root });
            loadVaultFromDisk(app.vault, app.metadataCache, root);
            const settings = structuredClone(DEFAULT_SETTINGS);
            settings.privacy.excludedFolders = ['Secrets/'];
            app.pluginData.set('vault-agent', JSON.stringify(settings));
            const plugin = await loadPlugin(stub, load, app);
            app.workspace.fireLayoutReady();
            const gate = plugin.services.currentGate();
            // Every note is excluded until its tags have been read from its text (row 140).
            expect(gate.isExcluded('Plan.md')).toBe(true);
            await plugin.services.vault.tagsSettled();
            expect(gate.isExcluded('Plan.md')).toBe(false);
            expect(gate.isExcluded('Shortcut.md')).toBe(true);
            expect(requested).toContain('fs');
            plugin.unload();
        } finally {
            rmSync(root, { recursive: true, force: true });
        }
    });
});
