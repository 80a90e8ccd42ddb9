/**
 * The plugin honours Obsidian's own Excluded files: `app.json` in the config folder, read through the vault adapter
 * (the host's adapter over a map of files stands in for Obsidian's; it cannot show Obsidian's own file watching,
 * which the plugin does not rely on). A note under an excluded prefix never reaches the local Messages-API server,
 * an edit to app.json counts from the next chat turn, and an unreadable list excludes everything with a notice.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stub from '../support/obsidian-stub';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import VaultAgentPlugin from '../../src/main';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { hostApp, type HostApp } from './plugin-host';

vi.mock('obsidian', async (importOriginal) => {
    const original = await importOriginal<typeof stub>();
    const { hostModule } = await import('./plugin-host');
    return hostModule(original, { isDesktop: false, isMobile: true });
});

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0', dir: '.obsidian/plugins/vault-agent' };
const CANARY = 'ARCHIVE-CANARY-51c2';
const APP_JSON = '.obsidian/app.json';
const approveAll: ApprovalGate = { request: async (p) => ({ kind: 'approve', binding: p.binding }) };

let api: MessagesApiServer;
let loaded: { plugin: stub.Plugin; services: PluginServices } | null = null;

beforeEach(async () => {
    api = await startMessagesApiServer({ defaultResponse: textTurn('Noted.') });
});

afterEach(async () => {
    loaded?.plugin.unload();
    await loaded?.services.queue.stop();
    loaded = null;
    await api.close();
});

async function loadPlugin(appJson: string | null, privacy: Partial<Settings['privacy']> = {}) {
    const app: HostApp = hostApp(stub);
    const settings = structuredClone(DEFAULT_SETTINGS);
    settings.model = { ...settings.model, baseUrl: api.baseURL };
    settings.privacy = { ...settings.privacy, ...privacy };
    app.pluginData.set(MANIFEST.id, JSON.stringify(settings));
    if (appJson !== null) app.files.set(APP_JSON, appJson);
    app.secretStorage.setSecret(DEFAULT_SETTINGS.model.apiKeySecretName, api.apiKey);
    await app.vault.createFolder('Notes');
    await app.vault.createFolder('Archive');
    for (const [path, text] of [
        ['Notes/Plan.md', '# Plan\n\nShip in May.\n'],
        ['Archive/Old plan.md', `# Old plan\n\n${CANARY}\n`],
    ] as const) {
        await app.vault.create(path, text);
        app.metadataCache.setCache(path, {});
    }
    const plugin = new VaultAgentPlugin(app as never, MANIFEST as never) as unknown as stub.Plugin;
    await plugin.onload();
    app.workspace.fireLayoutReady();
    const services = (plugin as unknown as { services: PluginServices }).services;
    loaded = { plugin, services };
    // Every note's tags are read from its text first (row 140); until then the gate excludes it.
    await services.vault.tagsSettled();
    return { app, services };
}

async function sentBy(services: PluginServices, message: string): Promise<string> {
    const before = api.messageRequests().length;
    await services.createChat(approveAll).send(message);
    return JSON.stringify(
        api
            .messageRequests()
            .slice(before)
            .map((r) => r.body),
    );
}

describe("the plugin and Obsidian's Excluded files", () => {
    it('a note under an excluded prefix is never sent; an edit to app.json counts from the next turn', async () => {
        const { app, services } = await loadPlugin(JSON.stringify({ userIgnoreFilters: ['Archive/'] }));
        expect(services.currentGate().isExcluded('Archive/Old plan.md')).toBe(true);
        const first = await sentBy(services, 'Compare @[[Plan]] with @[[Old plan]]');
        expect(first).toContain('Ship in May.');
        expect(first).not.toContain(CANARY);

        app.files.set(APP_JSON, JSON.stringify({ userIgnoreFilters: [] }));
        expect(await sentBy(services, 'Now read @[[Old plan]]')).toContain(CANARY);

        app.files.set(APP_JSON, JSON.stringify({ userIgnoreFilters: ['/Old plan/'] }));
        expect(await sentBy(services, 'Again @[[Old plan]]')).not.toContain(CANARY);
    });

    it('the setting turned off sends the note', async () => {
        const { services } = await loadPlugin(JSON.stringify({ userIgnoreFilters: ['Archive/'] }), {
            obsidianExcludedFiles: false,
        });
        expect(await sentBy(services, 'Read @[[Old plan]]')).toContain(CANARY);
    });

    it('a filter that cannot be evaluated safely excludes every note, with a notice', async () => {
        const { services } = await loadPlugin(JSON.stringify({ userIgnoreFilters: ['/Old(?! plan)/'] }));
        expect(services.currentGate().isExcluded('Notes/Plan.md')).toBe(true);
        const sent = await sentBy(services, 'Compare @[[Plan]] with @[[Old plan]]');
        expect(sent).not.toContain('Ship in May.');
        expect(sent).not.toContain(CANARY);
        expect(stub.notices.join('\n')).toMatch(/excluded files could not be read/);
    });
});
