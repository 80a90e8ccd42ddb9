/**
 * Vault Agent's lifecycle: build the services, register the views, the settings tab, the status bar and the
 * commands. Wiring only; anything that scans the vault or starts work waits for `workspace.onLayoutReady`, so opening
 * Obsidian is not slowed down, and everything started is stopped on unload.
 */
import { normalizePath, Platform, Plugin } from 'obsidian';
import { PluginUi } from './obsidian/plugin-commands';
import { PluginServices } from './obsidian/plugin-services';
import { DEFAULT_SETTINGS } from './kernel/settings';
import { VaultAgentSettingTab } from './views/settings/settings-tab';
import { ChatView, VIEW_TYPE_CHAT } from './views/chat-view';
import { JobNotices } from './views/job-notices';
import { QueueStatusBar } from './views/queue-status-bar';
import { QueueView, VIEW_TYPE_QUEUE } from './views/queue-view';
import { InboxView, VIEW_TYPE_INBOX } from './views/inbox-view';
import { ReviewAlerts } from './views/review-notices';

/** The plugin. It holds services, never views or logic. */
export default class VaultAgentPlugin extends Plugin {
    private services: PluginServices | null = null;

    override async onload(): Promise<void> {
        const pluginDir = this.manifest.dir ?? `${this.app.vault.configDir}/plugins/${this.manifest.id}`;
        const services = new PluginServices({
            app: this.app,
            pluginDir,
            loadData: () => this.loadData(),
            settingsFileExists: () => this.app.vault.adapter.exists(normalizePath(`${pluginDir}/data.json`)),
            saveData: (data) => this.saveData(data),
            registerEvent: (ref) => this.registerEvent(ref),
            isDesktop: Platform.isDesktop,
            version: this.manifest.version,
        });
        this.services = services;
        await services.load();
        const ui = new PluginUi({ app: this.app, services, pluginId: this.manifest.id });

        this.registerView(VIEW_TYPE_CHAT, (leaf) => new ChatView(leaf, ui.chatViewServices()));
        this.registerView(VIEW_TYPE_QUEUE, (leaf) => new QueueView(leaf, ui.queueViewServices()));
        this.registerView(VIEW_TYPE_INBOX, (leaf) => new InboxView(leaf, ui.inboxViewServices()));
        this.addSettingTab(
            new VaultAgentSettingTab({
                app: this.app,
                plugin: this,
                store: services.store,
                secrets: services.secrets,
                vault: services.vault,
                resetToDefaults: async () => {
                    await this.saveData(structuredClone(DEFAULT_SETTINGS));
                    await services.store.load();
                },
                isDesktop: Platform.isDesktop,
                skills: () => services.core.skills,
                commands: () => services.core.commands,
                mcpHub: () => services.core.hub,
                onMcpConsentGranted: () => void services.core.hub.connectAll(),
                models: () => services.models(),
                obsidianExcluded: {
                    get current() {
                        return services.obsidianExcluded.current;
                    },
                    refresh: () => services.refreshObsidianExcluded(),
                },
            }),
        );
        ui.register(this);
        this.registerEvent(this.app.workspace.on('active-leaf-change', () => ui.refreshChatContext()));

        const openLink = (linktext: string, sourcePath: string): void =>
            void this.app.workspace.openLinkText(linktext, sourcePath);
        const bar = new QueueStatusBar({
            el: this.addStatusBarItem(),
            queue: services.queue,
            openQueue: () => void ui.reveal(VIEW_TYPE_QUEUE),
        });
        const notices = new JobNotices({ queue: services.queue, openLink });
        const review = new ReviewAlerts({
            inbox: ui.inboxViewServices().inbox,
            openInbox: () => void ui.reveal(VIEW_TYPE_INBOX),
            statusEl: this.addStatusBarItem(),
        });
        this.app.workspace.onLayoutReady(() => {
            services.start();
            bar.start();
            notices.start();
            review.start();
        });
        // Registered cleanups run on every unload path; running jobs become `interrupted`, never half-written.
        this.register(() => {
            review.stop();
            notices.stop();
            bar.stop();
            void services.stop();
        });
    }

    /** Obsidian calls this when `data.json` changed on disk (Sync): the gate and everything else follow the reload. */
    override async onExternalSettingsChange(): Promise<void> {
        await this.services?.store.load();
    }
}
