/**
 * The settings tab. Every field parses what the person typed into a value or a message (Dataview style: never throw
 * at people), saves through the `SettingsStore`, and shows why a value was not saved. The API key is picked with
 * Obsidian's secret picker: settings store only the secret's name (RELIABILITY row 23). When the stored settings
 * cannot be read, the tab shows the error and a reset instead of the fields (row 14).
 */
import { PluginSettingTab, SecretComponent, Setting } from 'obsidian';
import type { App, Plugin } from 'obsidian';
import { ExclusionGate } from '../context/exclusions';
import type { SecretStore } from '../ports';
import { isProtectedPath, normalizeVaultPath } from '../vault/path-policy';
import { isMarkdownPath } from '../vault/vault-port';
import type { VaultPort } from '../vault/vault-port';
import type { PermissionModeName } from './permission-mode-name';
import type { Settings } from './settings';
import type { SettingsState, SettingsStore } from './settings-store';

/** What the tab needs. */
export interface VaultAgentSettingTabOptions {
    /** The running app. */
    app: App;
    /** The plugin the tab belongs to. */
    plugin: Plugin;
    /** Where settings are read and saved. */
    store: SettingsStore;
    /** This device's secrets, to say whether the key is set here. */
    secrets: SecretStore;
    /** The vault, for its config folder and for counting excluded notes. */
    vault: VaultPort;
    /** Replaces unreadable settings with the defaults and reloads them (only offered while locked). */
    resetToDefaults: () => Promise<void>;
}

/** A parsed field: the value to save, or what to tell the person. */
type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** One text field: how it is shown, parsed and applied. */
interface FieldSpec<T> {
    name: string;
    desc: string;
    value: string;
    placeholder?: string;
    multiline?: boolean;
    parse: (raw: string) => Parsed<T>;
    apply: (draft: Settings, value: T) => void;
    afterSave?: () => void;
}

const SECRET_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CHAT_MODES: Record<Exclude<PermissionModeName, 'delegate'>, string> = {
    ask: 'Ask before every change',
    'auto-edits': 'Apply edits, ask before renames and deletes',
    'read-only': 'Read only',
};

/** Vault Agent's page in Obsidian's settings. */
export class VaultAgentSettingTab extends PluginSettingTab {
    private readonly options: VaultAgentSettingTabOptions;
    private unsubscribe: (() => void) | null = null;
    private shownStatus: SettingsState['status'] | null = null;
    private countEl: HTMLElement | null = null;

    constructor(options: VaultAgentSettingTabOptions) {
        super(options.app, options.plugin);
        this.options = options;
    }

    override display(): void {
        // Re-render only when the tab switches between ready and locked: re-rendering on every saved keystroke
        // would take the cursor out of the field being typed in.
        this.unsubscribe ??= this.options.store.onChange((state) => {
            if (state.status !== this.shownStatus) this.display();
        });
        const { containerEl } = this;
        containerEl.empty();
        const state = this.options.store.state;
        this.shownStatus = state.status;
        if (state.status === 'locked') {
            this.renderLocked(containerEl, state.error);
            return;
        }
        for (const note of state.notes) containerEl.createDiv({ cls: 'vault-agent-settings-note', text: note });
        this.renderModel(containerEl, state.settings);
        this.renderPrivacy(containerEl, state.settings);
        this.renderChat(containerEl, state.settings);
        this.renderDelegate(containerEl, state.settings);
        new Setting(containerEl).setName('MCP servers').setHeading();
        containerEl.createDiv({ cls: 'vault-agent-settings-empty', text: 'No servers yet.' });
    }

    override hide(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
        this.shownStatus = null;
        this.countEl = null;
    }

    private renderLocked(el: HTMLElement, error: string): void {
        new Setting(el).setName('Paused: stored configuration unreadable').setHeading();
        const box = el.createDiv({ cls: 'vault-agent-settings-locked' });
        box.createDiv({ cls: 'vault-agent-settings-locked-error', text: error });
        box.createDiv({
            text:
                'The plugin is paused: nothing is sent to the model and the queue does not run until the settings ' +
                'can be read. Fix the ' +
                "plugin's data.json and reload the plugin, or reset the settings to the defaults.",
        });
        const confirmEl = el.createDiv();
        new Setting(el)
            .setName('Reset to defaults')
            .setDesc('Replaces the unreadable settings with the defaults. The API key on this device is kept.')
            .addButton((button) =>
                button.setButtonText('Reset to defaults…').onClick(() => this.askToReset(confirmEl)),
            );
    }

    private askToReset(confirmEl: HTMLElement): void {
        confirmEl.empty();
        const row = new Setting(confirmEl)
            .setName('Reset all settings of this plugin?')
            .setDesc('Exclusions go back to notes tagged #private only. This cannot be undone.');
        row.addButton((button) => button.setButtonText('Cancel').onClick(() => confirmEl.empty()));
        row.addButton((button) =>
            button
                .setButtonText('Reset')
                .setClass('mod-warning')
                .onClick(async () => {
                    try {
                        await this.options.resetToDefaults();
                    } catch (error) {
                        row.setDesc(`The settings could not be reset: ${messageOf(error)}`);
                    }
                }),
        );
    }

    private renderModel(el: HTMLElement, settings: Settings): void {
        new Setting(el).setName('Model').setHeading();
        this.field(el, {
            name: 'Default model',
            desc: 'Model used when a chat or job names none.',
            value: settings.model.defaultModel,
            parse: (raw) =>
                /^\S+$/.test(raw.trim()) ? ok(raw.trim()) : fail('Enter a model id such as claude-sonnet-4-5.'),
            apply: (draft, value) => (draft.model.defaultModel = value),
        });
        this.field(el, {
            name: 'Base URL',
            desc: "Leave empty to use Anthropic's API. Any server that speaks the Anthropic Messages API works.",
            value: settings.model.baseUrl,
            placeholder: 'https://…',
            parse: parseBaseUrl,
            apply: (draft, value) => (draft.model.baseUrl = value),
        });
        const keySetting = new Setting(el)
            .setName('API key')
            .setDesc(
                "Kept in this device's secret storage; the settings file stores only its name. Set it on each device.",
            );
        const statusEl = keySetting.descEl.createDiv({ cls: 'vault-agent-secret-status' });
        const errorEl = keySetting.infoEl.createDiv({ cls: 'vault-agent-setting-error' });
        void this.showKeyStatus(statusEl, settings.model.apiKeySecretName);
        keySetting.addComponent((controlEl) =>
            new SecretComponent(this.app, controlEl).setValue(settings.model.apiKeySecretName).onChange((name) => {
                if (!SECRET_NAME.test(name)) {
                    errorEl.setText('Secret names use lowercase letters, digits and dashes.');
                    return;
                }
                this.save(
                    errorEl,
                    (draft) => (draft.model.apiKeySecretName = name),
                    () => {
                        void this.showKeyStatus(statusEl, name);
                    },
                );
            }),
        );
        this.field(el, {
            name: 'Max output tokens',
            desc: 'Upper bound on the length of each model response.',
            value: String(settings.model.maxOutputTokens),
            parse: (raw) => parseInteger(raw, 1, 128_000),
            apply: (draft, value) => (draft.model.maxOutputTokens = value),
        });
    }

    private renderPrivacy(el: HTMLElement, settings: Settings): void {
        new Setting(el).setName('Privacy').setHeading();
        el.createDiv({
            cls: 'vault-agent-settings-explainer',
            text:
                'Excluded notes do not exist for the agent: not in context, search, links, listings or jobs, not even ' +
                'their names. Notes Obsidian has not indexed yet count as excluded.',
        });
        this.countEl = el.createDiv({ cls: 'vault-agent-excluded-count' });
        this.field(el, {
            name: 'Excluded tags',
            desc: 'One tag per line, with or without #. A tag covers its subtags: private also covers #private/health.',
            value: settings.privacy.excludedTags.join('\n'),
            multiline: true,
            parse: parseTags,
            apply: (draft, value) => (draft.privacy.excludedTags = value),
            afterSave: () => void this.showExcludedCount(),
        });
        this.field(el, {
            name: 'Excluded folders',
            desc: 'One per line: a folder (Journal/ covers its subfolders) or a glob pattern such as **/*.secret.md.',
            value: settings.privacy.excludedFolders.join('\n'),
            multiline: true,
            parse: parseFolderRules,
            apply: (draft, value) => (draft.privacy.excludedFolders = value),
            afterSave: () => void this.showExcludedCount(),
        });
        void this.showExcludedCount();
    }

    private renderChat(el: HTMLElement, settings: Settings): void {
        new Setting(el).setName('Chat').setHeading();
        const errorEl = el.createDiv({ cls: 'vault-agent-setting-error' });
        new Setting(el)
            .setName('Default mode')
            .setDesc('How much a new chat may do without asking. Deletes and renames always ask.')
            .addDropdown((dropdown) =>
                dropdown
                    .addOptions(CHAT_MODES)
                    .setValue(settings.chat.defaultMode)
                    .onChange((mode) =>
                        this.save(errorEl, (draft) => (draft.chat.defaultMode = mode as PermissionModeName)),
                    ),
            );
        new Setting(el)
            .setName('Attach the focused note')
            .setDesc('A new chat starts with the note you were looking at as context.')
            .addToggle((toggle) =>
                toggle
                    .setValue(settings.chat.attachFocusedNote)
                    .onChange((on) => this.save(errorEl, (draft) => (draft.chat.attachFocusedNote = on))),
            );
    }

    private renderDelegate(el: HTMLElement, settings: Settings): void {
        new Setting(el).setName('Delegate').setHeading();
        this.field(el, {
            name: 'Jobs folder',
            desc: 'Folder that holds job notes.',
            value: settings.delegate.jobsFolder,
            parse: (raw) => this.parseFolder(raw),
            apply: (draft, value) => (draft.delegate.jobsFolder = value),
        });
        this.field(el, {
            name: 'Output folder',
            desc: 'Default folder for the notes jobs write. Jobs never change existing notes.',
            value: settings.delegate.outputFolder,
            parse: (raw) => this.parseFolder(raw),
            apply: (draft, value) => (draft.delegate.outputFolder = value),
        });
        this.field(el, {
            name: 'Jobs at once',
            desc: 'How many jobs run at the same time.',
            value: String(settings.delegate.concurrency),
            parse: (raw) => parseInteger(raw, 1, 10),
            apply: (draft, value) => (draft.delegate.concurrency = value),
        });
    }

    /** A text or textarea row that parses each change and saves only what parsed. */
    private field<T>(el: HTMLElement, spec: FieldSpec<T>): void {
        const setting = new Setting(el).setName(spec.name).setDesc(spec.desc);
        const errorEl = setting.infoEl.createDiv({ cls: 'vault-agent-setting-error' });
        const onChange = (raw: string): void => {
            const parsed = spec.parse(raw);
            if (!parsed.ok) {
                errorEl.setText(parsed.message);
                return;
            }
            this.save(errorEl, (draft) => spec.apply(draft, parsed.value), spec.afterSave);
        };
        if (spec.multiline) {
            setting.addTextArea((text) =>
                text
                    .setValue(spec.value)
                    .setPlaceholder(spec.placeholder ?? '')
                    .onChange(onChange),
            );
            setting.settingEl.addClass('vault-agent-setting-multiline');
        } else {
            setting.addText((text) =>
                text
                    .setValue(spec.value)
                    .setPlaceholder(spec.placeholder ?? '')
                    .onChange(onChange),
            );
        }
    }

    private save(errorEl: HTMLElement, change: (draft: Settings) => void, afterSave?: () => void): void {
        errorEl.setText('');
        this.options.store.update(change).then(
            () => afterSave?.(),
            (error: unknown) => errorEl.setText(`Not saved: ${messageOf(error)}`),
        );
    }

    private parseFolder(raw: string): Parsed<string> {
        const checked = normalizeVaultPath(raw.trim());
        if (!checked.ok) return fail(checked.reason);
        if (isProtectedPath(checked.path, this.options.vault.configDir)) {
            return fail('That folder is protected (the config folder, .git or .trash); choose another.');
        }
        return ok(checked.path);
    }

    private async showKeyStatus(statusEl: HTMLElement, name: string): Promise<void> {
        const secret = await this.options.secrets.get(name);
        statusEl.setText(secret === null ? 'API key not set on this device.' : 'Set on this device.');
        statusEl.toggleClass('vault-agent-secret-missing', secret === null);
    }

    private async showExcludedCount(): Promise<void> {
        const countEl = this.countEl;
        const privacy = this.options.store.settings?.privacy;
        if (!countEl || !privacy) return;
        const notes = (await this.options.vault.list()).map((f) => f.path).filter(isMarkdownPath);
        const { excludedCount } = new ExclusionGate({ vault: this.options.vault, privacy }).partition(notes);
        countEl.setText(`${excludedCount} of ${notes.length} notes are currently excluded.`);
    }
}

function ok<T>(value: T): Parsed<T> {
    return { ok: true, value };
}

function fail(message: string): Parsed<never> {
    return { ok: false, message };
}

function parseBaseUrl(raw: string): Parsed<string> {
    const text = raw.trim();
    if (text === '') return ok('');
    try {
        const url = new URL(text);
        if (url.protocol === 'http:' || url.protocol === 'https:') return ok(text);
    } catch {
        // Falls through to the message below.
    }
    return fail('Enter a full URL starting with https:// (or http:// for a local server), or leave it empty.');
}

function parseInteger(raw: string, min: number, max: number): Parsed<number> {
    const text = raw.trim();
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) return fail(`Enter a whole number from ${min} to ${max}.`);
    return ok(value);
}

function lines(raw: string): string[] {
    return raw
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
}

function parseTags(raw: string): Parsed<string[]> {
    const tags = lines(raw).map((line) => line.replace(/^#+/, '').toLowerCase());
    const bad = tags.find((tag) => tag === '' || /[\s,#]/.test(tag));
    if (bad !== undefined) return fail(`"${bad}" is not a tag: tags have no spaces, commas or inner #.`);
    return ok([...new Set(tags)]);
}

function parseFolderRules(raw: string): Parsed<string[]> {
    const rules = lines(raw).map((line) => line.replace(/^\/+/, ''));
    const bad = rules.find((rule) => rule === '' || rule.split('/').includes('..'));
    if (bad !== undefined) return fail(`"${bad}" cannot be used: rules are paths inside the vault.`);
    return ok([...new Set(rules)]);
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
