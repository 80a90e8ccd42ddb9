/**
 * The whole plugin on desktop over a REAL folder, as the plugin tests on disk load it: the stub's desktop adapter on
 * the folder (`loadVaultFromDisk`: every note with an empty metadata cache entry), the settings and the API key of the
 * local Messages-API server, `onload`, then layout-ready. Each test file still mocks `obsidian` with the host module
 * itself (`vi.mock` is hoisted per file).
 */
import * as stub from '../support/obsidian-stub';
import VaultAgentPlugin from '../../src/main';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import type { MessagesApiServer } from '../support/messages-api-server';
import { loadVaultFromDisk } from '../support/obsidian-stub-disk';
import { hostApp, type HostApp, type HostPluginShape } from './plugin-host';

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0', dir: '.obsidian/plugins/vault-agent' };

/** The default settings, talking to `server`. */
export function settingsFor(server: MessagesApiServer): Settings {
    const settings = structuredClone(DEFAULT_SETTINGS);
    settings.model = { ...settings.model, baseUrl: server.baseURL, defaultModel: 'claude-sonnet-5-5' };
    return settings;
}

/** A plugin loaded by `loadPluginOnDisk`. */
export interface LoadedOnDisk {
    app: HostApp;
    plugin: stub.Plugin & HostPluginShape;
    services: PluginServices;
}

/**
 * Loads the plugin on desktop over the folder `root` with `settings` and `server`'s key, and fires layout-ready;
 * `atLayout` runs right after it, before anything asynchronous.
 */
export async function loadPluginOnDisk(options: {
    root: string;
    server: MessagesApiServer;
    settings: Settings;
    atLayout?: (services: PluginServices) => void;
    /** The device's local storage, to load the plugin again on the same device (a new one by default). */
    local?: Map<string, unknown>;
    /** The plugin's version (`manifest.version`). */
    version?: string;
    /** Runs on the app before the plugin loads. */
    beforeLoad?: (app: HostApp) => void;
}): Promise<LoadedOnDisk> {
    const app: HostApp = hostApp(stub, { basePath: options.root });
    if (options.local !== undefined) app.local = options.local;
    loadVaultFromDisk(app.vault, app.metadataCache, options.root);
    options.beforeLoad?.(app);
    app.pluginData.set(MANIFEST.id, JSON.stringify(options.settings));
    app.secretStorage.setSecret(DEFAULT_SETTINGS.model.apiKeySecretName, options.server.apiKey);
    const manifest = { ...MANIFEST, version: options.version ?? MANIFEST.version };
    const plugin = new VaultAgentPlugin(app as never, manifest as never) as unknown as stub.Plugin & HostPluginShape;
    await plugin.onload();
    app.workspace.fireLayoutReady();
    const services = (plugin as unknown as { services: PluginServices }).services;
    options.atLayout?.(services);
    return { app, plugin, services };
}
