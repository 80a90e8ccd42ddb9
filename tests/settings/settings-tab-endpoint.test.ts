/**
 * The settings tab's model picker and the privacy section's Obsidian row. The picker's models come from the real
 * SDK's `models.list()` against the local Messages-API server (through the session's catalog), so what it offers is
 * what the endpoint lists; an endpoint without a models route offers none and says so. The privacy row shows
 * Obsidian's Excluded files as read, counts them in the excluded total, and its toggle saves the setting.
 */
import type { App as ObsidianApp, Plugin as ObsidianPlugin } from 'obsidian';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';
import { ModelCatalog } from '../../src/agent/model-catalog';
import { createModelClient } from '../../src/agent/model-client';
import { ObsidianExcludedFiles } from '../../src/context/obsidian-excluded-files';
import { ObsidianSecretStore } from '../../src/obsidian/secret-store';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { SettingsStore } from '../../src/kernel/settings-store';
import { VaultAgentSettingTab } from '../../src/views/settings/settings-tab';
import {
    modelInfo,
    startMessagesApiServer,
    type MessagesApiServer,
    type MessagesApiServerOptions,
} from '../support/messages-api-server';
import {
    App,
    FakeElement,
    Plugin,
    settingsIn,
    type DropdownComponent,
    type Setting,
    type TextComponent,
    type ToggleComponent,
} from '../support/obsidian-stub';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' };
const servers: MessagesApiServer[] = [];
const vaults: TempVault[] = [];

afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    await Promise.all(vaults.splice(0).map((v) => v.cleanup()));
});

async function openTab(api: MessagesApiServerOptions, appJson: string | null = null) {
    const server = await startMessagesApiServer(api);
    servers.push(server);
    const temp = await makeTempVault({ 'Plan.md': 'plan', 'Archive/Old.md': 'old', 'Archive/Older.md': 'older' });
    vaults.push(temp);
    const saved: unknown[] = [];
    const settings = structuredClone(DEFAULT_SETTINGS);
    settings.model.baseUrl = server.baseURL;
    const store = new SettingsStore({
        persistence: {
            load: () => Promise.resolve(settings),
            save: (data) => {
                saved.push(JSON.parse(JSON.stringify(data)));
                return Promise.resolve();
            },
        },
    });
    await store.load();
    const catalog = new ModelCatalog();
    let excluded = ObsidianExcludedFiles.NONE;
    const app = new App();
    const tab = new VaultAgentSettingTab({
        app: app as unknown as ObsidianApp,
        plugin: new Plugin(app, MANIFEST) as unknown as ObsidianPlugin,
        store,
        secrets: new ObsidianSecretStore({ app: app as unknown as ObsidianApp }),
        vault: temp.vault,
        resetToDefaults: () => Promise.resolve(),
        models: async () =>
            catalog.list(
                await createModelClient({
                    secrets: { get: () => Promise.resolve(server.apiKey) },
                    settings: store.settings?.model ?? settings.model,
                }),
            ),
        obsidianExcluded: {
            get current() {
                return excluded;
            },
            refresh: () => {
                excluded = ObsidianExcludedFiles.fromAppJson(appJson);
                return Promise.resolve();
            },
        },
    });
    tab.display();
    for (let i = 0; i < 40; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const root = tab.containerEl as unknown as FakeElement;
    const row = (name: string): Setting => {
        const found = settingsIn(tab.containerEl).find((s) => s.nameEl.textContent === name);
        if (!found) throw new Error(`no setting named "${name}"`);
        return found;
    };
    return { server, store, saved, row, text: () => root.textContent };
}

describe('the model picker', () => {
    it("offers the endpoint's models with their windows; picking one saves it and fills the id field", async () => {
        const { server, store, row } = await openTab({
            models: [
                modelInfo(DEFAULT_MODEL, 'The default', '2026-11-01T00:00:00Z', { max_input_tokens: 1_000_000 }),
                modelInfo('local-model-7b', 'Local 7B', '2026-10-01T00:00:00Z', { max_input_tokens: 32_000 }),
            ],
        });
        expect(server.countOf('/v1/models', 'GET')).toBe(1);
        const picker = row('Models at this endpoint');
        const dropdown = picker.components[0] as DropdownComponent;
        const options = dropdown.selectEl.children.map((o) => o.textContent);
        expect(options).toEqual(['The default (1000k context)', 'Local 7B (32k context)']);
        expect(dropdown.getValue()).toBe(DEFAULT_MODEL);

        dropdown.setValue('local-model-7b');
        dropdown.selectEl.dispatch('change');
        for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
        expect(store.settings?.model.defaultModel).toBe('local-model-7b');
        expect((row('Default model').components[0] as TextComponent).inputEl.value).toBe('local-model-7b');
    });

    it('an endpoint without a models route offers no list and says so', async () => {
        const { row } = await openTab({ models: 'none' });
        const picker = row('Models at this endpoint');
        expect(picker.components).toHaveLength(0);
        expect(picker.descEl.textContent).toMatch(/does not list its models/);
    });
});

describe("the privacy section's Obsidian row", () => {
    it("shows Obsidian's list, counts its notes, and the toggle saves the setting", async () => {
        const { row, saved, text } = await openTab({}, JSON.stringify({ userIgnoreFilters: ['Archive/'] }));
        const obsidian = row("Obsidian's excluded files");
        expect(obsidian.descEl.textContent).toContain("Excluded by Obsidian's list: Archive/");
        expect(text()).toContain('2 of 3 notes are currently excluded.');
        const toggle = obsidian.components[0] as ToggleComponent;
        expect(toggle.getValue()).toBe(true);
        toggle.toggleEl.dispatch('click');
        for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
        expect(saved.at(-1)).toMatchObject({ privacy: { obsidianExcludedFiles: false } });
        expect(text()).toContain('0 of 3 notes are currently excluded.');
    });

    it('an unreadable list says every note is excluded', async () => {
        const { row, text } = await openTab({}, '{"userIgnoreFilters": ["/a(?=b)/"]}');
        expect(row("Obsidian's excluded files").descEl.textContent).toMatch(
            /could not be read .*Every note is excluded/,
        );
        expect(text()).toContain('3 of 3 notes are currently excluded.');
    });
});
