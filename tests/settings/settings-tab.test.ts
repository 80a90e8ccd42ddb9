import type { App as ObsidianApp } from 'obsidian';
import { describe, expect, it } from 'vitest';
import VaultAgentPlugin from '../../src/main';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import { ObsidianSecretStore } from '../../src/obsidian/secret-store';
import type { VaultAgentSettingTab } from '../../src/views/settings/settings-tab';
import {
    App,
    FakeElement,
    notices,
    settingsIn,
    type Plugin as StubPlugin,
    type SecretComponent,
    type Setting,
    type TextComponent,
    type ToggleComponent,
    type DropdownComponent,
    type ButtonComponent,
} from '../support/obsidian-stub';
import * as stub from '../support/obsidian-stub';
import { hostApp } from '../obsidian/plugin-host';

const MANIFEST = {
    id: 'vault-agent',
    name: 'Vault Agent',
    version: '0.1.0',
    author: '',
    minAppVersion: '',
    description: '',
};
const CANARY = 'sk-ant-api03-canary-7f3a9c1e5b';

/** Loads the real plugin against the stub app and opens its settings tab. */
async function openSettings(app: App = hostApp(stub), dataJson?: string) {
    if (dataJson !== undefined) app.pluginData.set('vault-agent', dataJson);
    const plugin = new VaultAgentPlugin(app as unknown as ObsidianApp, MANIFEST);
    await plugin.onload();
    const stub = plugin as unknown as StubPlugin;
    const tab = stub.settingTabs[0] as unknown as VaultAgentSettingTab;
    tab.display();
    const row = (name: string): Setting => {
        const found = settingsIn(tab.containerEl).find((s) => s.nameEl.textContent === name);
        if (!found) throw new Error(`no setting named "${name}"`);
        return found;
    };
    const text = (el: HTMLElement) => (el as unknown as FakeElement).textContent;
    return { app, plugin: stub, tab, row, text: () => text(tab.containerEl) };
}

/** Lets the store's save and the tab's follow-up work finish. */
async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function type(setting: Setting, value: string): void {
    const input = (setting.components[0] as TextComponent).inputEl;
    input.value = value;
    input.dispatch('input');
}

const errorOf = (setting: Setting) =>
    setting.infoEl.findAll((el) => el.hasClass('vault-agent-setting-error'))[0]?.textContent ?? '';

describe('the settings tab and the API key (docs/RELIABILITY.md row 23)', () => {
    it('puts the key in secret storage only: data.json holds its name, after any change', async () => {
        const { app, plugin, row } = await openSettings();
        const picker = row('API key').components[0] as SecretComponent;
        picker.createAndSelect('my-anthropic-key', CANARY);
        await settle();
        type(row('Default model'), 'claude-opus-4-1');
        type(row('Excluded tags'), 'private\nhealth');
        (row('Attach the focused note').components[0] as ToggleComponent).toggleEl.dispatch('click');
        await settle();

        expect(app.secretStorage.getSecret('my-anthropic-key')).toBe(CANARY);
        expect(plugin.saved.length).toBeGreaterThanOrEqual(4);
        for (const payload of plugin.saved) expect(JSON.stringify(payload)).not.toContain(CANARY);
        expect(app.pluginData.get('vault-agent')).not.toContain(CANARY);
        expect(plugin.saved.at(-1)).toMatchObject({
            model: { apiKeySecretName: 'my-anthropic-key', defaultModel: 'claude-opus-4-1' },
            privacy: { excludedTags: ['private', 'health'] },
            chat: { attachFocusedNote: false },
        });
        expect(row('API key').descEl.textContent).toContain('Set on this device.');
    });

    it('on a second device with the synced settings but no secret, the key is "not set on this device"', async () => {
        const first = await openSettings();
        (first.row('API key').components[0] as SecretComponent).createAndSelect('my-anthropic-key', CANARY);
        await settle();

        const secondDevice = hostApp(stub);
        const second = await openSettings(secondDevice, first.app.pluginData.get('vault-agent'));
        const secrets = new ObsidianSecretStore({ app: secondDevice as unknown as ObsidianApp });
        await expect(secrets.get('my-anthropic-key')).resolves.toBeNull();
        await settle();
        expect(second.row('API key').descEl.textContent).toContain('API key not set on this device.');
    });

    it('drops a key pasted into data.json and never writes it back', async () => {
        const { app } = await openSettings(
            hostApp(stub),
            JSON.stringify({
                privacy: { excludedTags: ['private'], excludedFolders: [] },
                model: { apiKey: CANARY },
            }),
        );
        await settle();
        expect(app.pluginData.get('vault-agent') ?? '').not.toContain(CANARY);
    });
});

describe('the settings tab fields', () => {
    it('refuses what does not parse, says why, and saves nothing', async () => {
        const { plugin, row } = await openSettings();
        const cases: [string, string, RegExp][] = [
            ['Base URL', 'ftp://example.test', /full URL/],
            ['Max output tokens', 'lots', /whole number/],
            ['Max output tokens', '0', /whole number/],
            ['Jobs folder', '../outside', /inside the vault/],
            ['Output folder', '.obsidian/out', /protected/],
            ['Jobs at once', '99', /1 to 10/],
            ['Excluded tags', 'private\nnot a tag', /not a tag/],
            ['Excluded folders', '../x', /inside the vault/],
        ];
        for (const [name, value, message] of cases) {
            type(row(name), value);
            await settle();
            expect(errorOf(row(name))).toMatch(message);
        }
        expect(plugin.saved).toEqual([]);

        type(row('Base URL'), 'http://127.0.0.1:8080');
        type(row('Jobs at once'), '4');
        await settle();
        expect(errorOf(row('Base URL'))).toBe('');
        expect(plugin.saved.at(-1)).toMatchObject({
            model: { baseUrl: 'http://127.0.0.1:8080' },
            delegate: { concurrency: 4 },
        });
    });

    it('saves the chat mode and says how many notes the exclusions hide', async () => {
        const app = hostApp(stub);
        for (const [path, cache] of [
            ['Public.md', {}],
            ['Health.md', { frontmatter: { tags: 'Private/health' } }],
            ['Unindexed.md', null],
        ] as const) {
            await app.vault.create(path, 'text');
            if (cache) app.metadataCache.setCache(path, cache);
        }
        const { plugin, text, row } = await openSettings(app);
        await settle();
        expect(text()).toContain('2 of 3 notes are currently excluded.');
        type(row('Excluded tags'), 'finance');
        await settle();
        expect(text()).toContain('1 of 3 notes are currently excluded.');

        const dropdown = row('Default mode').components[0] as DropdownComponent;
        dropdown.selectEl.value = 'read-only';
        dropdown.selectEl.dispatch('change');
        await settle();
        expect(plugin.saved.at(-1)).toMatchObject({ chat: { defaultMode: 'read-only' } });
        expect(text()).toContain('No servers yet.');
    });
});

describe('locked settings (docs/RELIABILITY.md row 14, plugin level)', () => {
    it('pauses with a notice and shows the error and a confirmed reset instead of the fields', async () => {
        const before = notices.length;
        const { app, plugin, text, row } = await openSettings(hostApp(stub), '{"privacy": {"excludedTags": ["priv');
        expect(notices.slice(before).join('\n')).toMatch(/Vault Agent is paused: its settings could not be read/);
        expect(text()).toMatch(/not valid JSON/);
        expect(() => row('Default model')).toThrow();

        const click = (setting: Setting, index: number) =>
            (setting.components[index] as ButtonComponent).buttonEl.dispatch('click');
        click(row('Reset to defaults'), 0);
        const confirm = row('Reset all settings of this plugin?');
        click(confirm, 0);
        expect(() => row('Reset all settings of this plugin?')).toThrow();
        expect(plugin.saved).toEqual([]);

        click(row('Reset to defaults'), 0);
        click(row('Reset all settings of this plugin?'), 1);
        await settle();
        expect(JSON.parse(app.pluginData.get('vault-agent') ?? '')).toMatchObject({
            privacy: { excludedTags: ['private'] },
        });
        expect(row('Default model')).toBeDefined();
    });

    // Decision 0001 changed: these used to run with the default exclusions, dropping the person's excluded folders.
    it.each([
        ['null', 'null', /holds no settings/],
        ['{}', '{}', /no exclusions \(privacy\) section/],
        [
            'an old synced copy without a privacy section',
            JSON.stringify({ version: 1, model: { defaultModel: 'claude-opus-4-1' }, delegate: { concurrency: 2 } }),
            /no exclusions \(privacy\) section/,
        ],
        ['privacy: {}', JSON.stringify({ version: 2, privacy: {} }), /no excluded tags list/],
    ])('locks on a data.json holding %s: nothing sent, the queue paused, a reset offered', async (_l, data, why) => {
        const before = notices.length;
        const { app, plugin, text, row } = await openSettings(hostApp(stub), data);
        expect(notices.slice(before).join('\n')).toMatch(/Vault Agent is paused/);
        expect(notices.slice(before).join('\n')).toMatch(why);
        expect(text()).toMatch(why);
        expect(() => row('Default model')).toThrow();

        const services = (plugin as unknown as { services: PluginServices }).services;
        app.workspace.fireLayoutReady();
        await settle();
        await expect(services.client()).rejects.toThrow(/Vault Agent is paused/);
        await expect(services.queue.enqueue({ title: 'Job', brief: 'Do something' })).rejects.toThrow(why);
        expect(services.queue.snapshot()).toMatchObject({ state: 'paused' });
        expect(services.currentGate().check('Plan.md').excluded).toBe(true);
        expect(plugin.saved).toEqual([]);
        expect(app.pluginData.get('vault-agent')).toBe(data);

        const click = (setting: Setting, index: number) =>
            (setting.components[index] as ButtonComponent).buttonEl.dispatch('click');
        click(row('Reset to defaults'), 0);
        click(row('Reset all settings of this plugin?'), 1);
        await settle();
        expect(JSON.parse(app.pluginData.get('vault-agent') ?? '')).toMatchObject({
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        });
        expect(row('Default model')).toBeDefined();
        // The queue follows the settings on its next look (it polls), and the pause ends by itself.
        for (let i = 0; i < 50 && services.queue.snapshot().state === 'paused'; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(services.queue.snapshot().state).not.toBe('paused');
        (plugin as unknown as { unload(): void }).unload();
    });

    it('starts from the defaults when there is no data.json at all (a fresh install)', async () => {
        const before = notices.length;
        const { row } = await openSettings(hostApp(stub));
        expect(notices.slice(before)).toEqual([]);
        expect(row('Default model')).toBeDefined();
    });
});
