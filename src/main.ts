/**
 * Vault Agent's lifecycle: build the host adapters and the services, register the settings tab. Wiring only; anything
 * that scans the vault waits for `workspace.onLayoutReady`, so opening Obsidian is not slowed down.
 */
import { Plugin } from 'obsidian';
import { ObsidianNotifier } from './obsidian/notifier';
import { ObsidianVault } from './obsidian/obsidian-vault';
import { ObsidianSecretStore } from './obsidian/secret-store';
import { DEFAULT_SETTINGS } from './settings/settings';
import { SettingsStore } from './settings/settings-store';
import { VaultAgentSettingTab } from './settings/settings-tab';

/** The plugin. It holds services, never views or logic. */
export default class VaultAgentPlugin extends Plugin {
    override async onload(): Promise<void> {
        const notifier = new ObsidianNotifier();
        const secrets = new ObsidianSecretStore({ app: this.app });
        const vault = new ObsidianVault({ app: this.app });
        const store = new SettingsStore({
            persistence: { load: () => this.loadData(), save: (data) => this.saveData(data) },
        });

        const state = await store.load();
        if (state.status === 'locked') {
            notifier.notify(
                `Vault Agent is paused: its settings could not be read. ${state.error} ` +
                    'Nothing is sent until they are fixed or reset in its settings tab.',
                'error',
            );
        }

        this.addSettingTab(
            new VaultAgentSettingTab({
                app: this.app,
                plugin: this,
                store,
                secrets,
                vault,
                resetToDefaults: async () => {
                    await this.saveData(structuredClone(DEFAULT_SETTINGS));
                    await store.load();
                },
            }),
        );

        this.app.workspace.onLayoutReady(() => {
            vault.watch((ref) => this.registerEvent(ref));
        });
    }
}
