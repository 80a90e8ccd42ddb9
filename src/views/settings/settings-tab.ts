/**
 * The settings tab. Every field parses what the person typed into a value or a message (Dataview style: never throw
 * at people), saves through the `SettingsStore`, and shows why a value was not saved. The API key is picked with
 * Obsidian's secret picker: settings store only the secret's name (docs/RELIABILITY.md row 23). When the stored
 * settings cannot be read, the tab shows the error and a reset instead of the fields (row 14). Each section lives in
 * `tab/*.ts`; the skill and command catalogs and the MCP hub come in as options, so the host (and tests) choose them.
 */
import { PluginSettingTab, Setting } from 'obsidian';
import type { App, Plugin } from 'obsidian';
import type { LaunchDescription } from '../../agent/mcp/mcp-consent';
import type { SecretStore } from '../../kernel/ports';
import type { VaultPort } from '../../kernel/vault-port';
import type { SettingsState, SettingsStore } from '../../kernel/settings-store';
import { renderChatSection, renderContextSection, renderDelegateSection, renderSpendSection } from './general-sections';
import { renderDeliverySection, renderMcpJobsSection } from './delivery-section';
import { renderGuidanceSection, type CommandSource, type SkillSource } from './guidance-section';
import { renderMcpSection, type McpHubView } from './mcp-section';
import type { ModelList } from '../../agent/model-client';
import { renderModelSection, renderPrivacySection, type ObsidianExcludedSource } from './model-privacy-sections';
import { messageOf, TabKit, type Provided } from './tab-kit';
import { renderWebSection } from './web-section';

export type { CommandSource, SkillSource } from './guidance-section';
export type { McpHubView } from './mcp-section';

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
    /** Whether this is the desktop app: servers started as programs (stdio) are offered only there. Default false. */
    isDesktop?: boolean;
    /** The skill catalog (or a getter for the current one), for the live list; absent = folder fields only. */
    skills?: Provided<SkillSource>;
    /** The command catalog (or a getter for the current one), for the live list. */
    commands?: Provided<CommandSource>;
    /** The MCP hub (or a getter for the current one): server status, tool names and consent cards. */
    mcpHub?: Provided<McpHubView>;
    /** Runs after the person allowed an MCP server on this device, so the host can connect it. */
    onMcpConsentGranted?: (shown: LaunchDescription) => void;
    /** The endpoint's models (read once per endpoint), for the model picker; absent = the id field only. */
    models?: () => Promise<ModelList | null>;
    /** Obsidian's own Excluded files (app.json), shown in the privacy section with their toggle. */
    obsidianExcluded?: ObsidianExcludedSource;
}

/** Vault Agent's page in Obsidian's settings. */
export class VaultAgentSettingTab extends PluginSettingTab {
    private readonly options: VaultAgentSettingTabOptions;
    private unsubscribe: (() => void) | null = null;
    private shownStatus: SettingsState['status'] | null = null;

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
        const { settings } = state;
        const options = this.options;
        const kit = new TabKit(options.store, options.vault.configDir);
        for (const note of state.notes) containerEl.createDiv({ cls: 'vault-agent-settings-note', text: note });
        renderModelSection(containerEl, settings, kit, {
            app: this.app,
            secrets: options.secrets,
            ...(options.models !== undefined ? { models: options.models } : {}),
        });
        renderPrivacySection(containerEl, settings, kit, options.vault, options.obsidianExcluded);
        renderContextSection(containerEl, settings, kit);
        renderGuidanceSection(containerEl, settings, kit, { skills: options.skills, commands: options.commands });
        renderChatSection(containerEl, settings, kit);
        renderDelegateSection(containerEl, settings, kit);
        renderDeliverySection(containerEl, settings, kit);
        renderSpendSection(containerEl, settings, kit);
        renderWebSection(containerEl, settings, kit);
        renderMcpSection(containerEl, settings, {
            kit,
            isDesktop: options.isDesktop ?? false,
            hub: options.mcpHub,
            onConsentGranted: options.onMcpConsentGranted,
        });
        renderMcpJobsSection(containerEl, settings, kit);
    }

    override hide(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
        this.shownStatus = null;
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
}
