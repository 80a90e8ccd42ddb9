import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stub from '../support/obsidian-stub';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import VaultAgentPlugin from '../../src/main';
import { COMMAND_NAMES } from '../../src/obsidian/plugin-commands';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import { VIEW_TYPE_CHAT } from '../../src/views/chat-view';
import { VIEW_TYPE_INBOX } from '../../src/views/inbox-view';
import { VIEW_TYPE_QUEUE } from '../../src/views/queue-view';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { hostApp, type HostApp, type HostPluginShape } from './plugin-host';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

vi.mock('obsidian', async (importOriginal) => {
    const original = await importOriginal<typeof stub>();
    const { hostModule } = await import('./plugin-host');
    return hostModule(original, { isDesktop: false, isMobile: true });
});

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0', dir: '.obsidian/plugins/vault-agent' };
const CANARY = 'HEALTH-CANARY-7f3a';
const approveAll: ApprovalGate = { request: async (p) => ({ kind: 'approve', binding: p.binding }) };

let api: MessagesApiServer;
let loaded: { plugin: stub.Plugin; services: PluginServices } | null = null;

beforeEach(async () => {
    api = await startMessagesApiServer();
});

afterEach(async () => {
    loaded?.plugin.unload();
    await loaded?.services.queue.stop();
    loaded = null;
    await api.close();
});

function settingsFor(server: MessagesApiServer): Settings {
    const settings = structuredClone(DEFAULT_SETTINGS);
    settings.model = { ...settings.model, baseUrl: server.baseURL, defaultModel: DEFAULT_MODEL };
    return settings;
}

/** Loads the plugin over a vault with a plain note and a health note, then fires layout-ready. */
async function loadPlugin(data: string | null) {
    const app: HostApp = hostApp(stub);
    if (data !== null) app.pluginData.set(MANIFEST.id, data);
    app.secretStorage.setSecret(DEFAULT_SETTINGS.model.apiKeySecretName, api.apiKey);
    await app.vault.createFolder('Notes');
    await app.vault.createFolder('Health');
    for (const [path, text] of [
        ['Notes/Plan.md', '# Plan\n\nShip in May.\n'],
        ['Health/Checkup.md', `# Checkup\n\n${CANARY}\n`],
    ] as const) {
        await app.vault.create(path, text);
        app.metadataCache.setCache(path, {});
    }
    const plugin = new VaultAgentPlugin(app as never, MANIFEST as never) as unknown as stub.Plugin & HostPluginShape;
    await plugin.onload();
    app.workspace.fireLayoutReady();
    const services = (plugin as unknown as { services: PluginServices }).services;
    loaded = { plugin, services };
    // Every note's tags are read from its text first (row 140); until then the gate excludes it.
    await services.vault.tagsSettled();
    return { app, plugin, services };
}

describe('the plugin wiring', () => {
    it('registers the three views, the ribbon icon, the status-bar items and every command, none with a hotkey', async () => {
        const { plugin } = await loadPlugin(JSON.stringify(settingsFor(api)));
        expect([...plugin.views.keys()]).toEqual([VIEW_TYPE_CHAT, VIEW_TYPE_QUEUE, VIEW_TYPE_INBOX]);
        expect(plugin.ribbon).toEqual([{ icon: 'message-square', title: 'Open chat' }]);
        expect(plugin.statusBar).toHaveLength(2);
        // The inline-edit extension, added to every Markdown editor.
        expect(plugin.editorExtensions).toHaveLength(1);
        expect(plugin.commands.map((c) => c.id)).toEqual(Object.keys(COMMAND_NAMES));
        for (const command of plugin.commands) {
            expect(command.name).toMatch(/^[A-Z][^A-Z]*$/);
            expect(command).not.toHaveProperty('hotkeys');
        }
    });

    it('rebuilds the gate on a settings change: a note in a newly excluded folder is then never sent', async () => {
        const { services } = await loadPlugin(JSON.stringify(settingsFor(api)));
        api.enqueue(textTurn('Read.'), textTurn('Noted.'));
        await services.createChat(approveAll).send('Summarise @[[Checkup]]');
        expect(api.allRequestText()).toContain(CANARY);

        await services.store.update((draft) => draft.privacy.excludedFolders.push('Health/'));
        expect(services.currentGate().isExcluded('Health/Checkup.md')).toBe(true);
        const before = api.messageRequests().length;
        const chat = services.createChat(approveAll);
        await chat.send('Compare @[[Plan]] with @[[Checkup]]');
        const sent = JSON.stringify(
            api
                .messageRequests()
                .slice(before)
                .map((r) => r.body),
        );
        expect(sent).toContain('Ship in May.');
        expect(sent).not.toContain(CANARY);
        const user = chat.record.entries[0];
        expect(user?.kind === 'user' ? user.context.join('\n') : '').toMatch(/Not sent/);
    });

    it('follows a data.json that synced in (onExternalSettingsChange) with the gate', async () => {
        const { app, plugin, services } = await loadPlugin(JSON.stringify(settingsFor(api)));
        expect(services.currentGate().isExcluded('Health/Checkup.md')).toBe(false);
        const synced = settingsFor(api);
        synced.privacy.excludedFolders.push('Health/');
        app.pluginData.set(MANIFEST.id, JSON.stringify(synced));
        await (plugin as unknown as VaultAgentPlugin).onExternalSettingsChange();
        expect(services.currentGate().isExcluded('Health/Checkup.md')).toBe(true);
    });

    it('sends nothing while settings are locked: the chat says why and the queue pauses (row 14)', async () => {
        const { services } = await loadPlugin('{"privacy": {"excludedTags": ["priv');
        expect(stub.notices.join('\n')).toMatch(/Vault Agent is paused/);
        expect(services.currentGate().isExcluded('Notes/Plan.md')).toBe(true);
        const errors: string[] = [];
        const chat = services.createChat(approveAll);
        chat.subscribe((event) => {
            if (event.type === 'error') errors.push(event.message);
        });
        expect(await chat.send('Summarise @[[Plan]]')).toBeNull();
        expect(errors.join('\n')).toMatch(/paused: its settings could not be read/);
        await expect(services.client()).rejects.toThrow(/paused/);
        await vi.waitFor(() => expect(services.queue.snapshot().state).toBe('paused'));
        expect(api.requests).toHaveLength(0);
    });
});
