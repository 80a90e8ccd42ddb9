/**
 * The page of the onload row, bundled for Chromium: the `obsidian` stub with the plugin host's additions (a mobile
 * host: `require` serves `obsidian` and the editor packages Obsidian provides, nothing else; they are loaded with the
 * page, as Obsidian has them loaded before any plugin), then the production `main.js` loaded as a classic script, as
 * Obsidian loads it, and the plugin's `onload` awaited. Timings go to `window.onloadTiming`.
 */
import * as editorState from '@codemirror/state';
import * as editorView from '@codemirror/view';
import * as stub from '../tests/support/obsidian-stub';
import { hostApp, hostModule } from '../tests/obsidian/plugin-host';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' };

interface PluginInstance {
    onload(): Promise<void>;
    unload(): void;
}

/** Resolves once the script at `src` has been fetched, parsed and run. */
function loadScript(src: string): Promise<void> {
    return new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = src;
        script.onload = () => resolve();
        script.onerror = () => reject(new Error(`could not load ${src}`));
        document.head.appendChild(script);
    });
}

async function main(): Promise<void> {
    stub.installDomHelpers();
    const host = hostModule(stub, { isDesktop: false, isMobile: true });
    const app = hostApp(stub);
    app.pluginData.set(MANIFEST.id, JSON.stringify(DEFAULT_SETTINGS));
    app.secretStorage.setSecret(DEFAULT_SETTINGS.model.apiKeySecretName, 'bench-key');
    const module = { exports: {} as { default?: new (app: unknown, manifest: unknown) => PluginInstance } };
    Object.assign(window, {
        module,
        exports: module.exports,
        require: (id: string): unknown => {
            if (id === 'obsidian') return host;
            if (id === '@codemirror/state') return editorState;
            if (id === '@codemirror/view') return editorView;
            throw new Error(`main.js asked for "${id}" while loading; a mobile host has no such module`);
        },
    });
    const started = performance.now();
    await loadScript('/main.js');
    const evaluated = performance.now();
    // How much of the script time was the local fetch (the rest is parsing and running the bundle).
    const resource = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/main.js'));
    const fetchMs = resource === undefined ? Number.NaN : resource.duration;
    const Plugin = module.exports.default;
    if (Plugin === undefined) throw new Error('main.js exports no default plugin class');
    const plugin = new Plugin(app, MANIFEST);
    await plugin.onload();
    const loaded = performance.now();
    app.workspace.fireLayoutReady();
    // Layout-ready work (index, queue) starts here; a turn of the event loop lets its synchronous part run.
    await new Promise((resolve) => window.setTimeout(resolve, 0));
    const ready = performance.now();
    plugin.unload();
    Object.assign(window, {
        onloadTiming: {
            scriptMs: evaluated - started,
            fetchMs,
            onloadMs: loaded - evaluated,
            totalMs: loaded - started,
            layoutReadyMs: ready - loaded,
        },
    });
}

main().catch((error: unknown) => {
    Object.assign(window, {
        onloadError: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error),
    });
});
