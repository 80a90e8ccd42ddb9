/**
 * The "MCP servers" section: a consent card for every enabled server not yet allowed on this device, showing the
 * exact command line or URL (docs/RELIABILITY.md row 20), then one block per configured server and an "Add server"
 * button. Settings sync between devices; consent does not, which is why the cards come from the hub, never from
 * settings.
 */
import { Setting } from 'obsidian';
import type { LaunchDescription } from '../../agent/mcp/mcp-consent';
import type { Settings } from '../../kernel/settings';
import { draftOf, newDraft, renderServerBlock, type McpServerStatusView } from './mcp-server-block';
import { messageOf, resolveProvided, type Provided, type TabKit } from './tab-kit';

/** What the section needs from the MCP hub (`McpHub`). */
export interface McpHubView {
    /** Where every configured server stands. */
    status(): readonly McpServerStatusView[];
    /** The enabled servers whose launch definition this device has not consented to. */
    launchesNeedingConsent(): Promise<LaunchDescription[]>;
    /** Records consent for exactly what was shown; false when the definition changed since. */
    grantConsent(shown: LaunchDescription): Promise<boolean>;
}

/** What the section needs. */
export interface McpSectionOptions {
    /** Saving. */
    kit: TabKit;
    /** Whether servers started as programs (stdio) may be added here. */
    isDesktop: boolean;
    /** The hub, or a getter for the current one; absent = no status, tools or consent cards. */
    hub?: Provided<McpHubView>;
    /** Runs after the person allowed a launch, so the host can connect that server. */
    onConsentGranted?: (shown: LaunchDescription) => void;
}

/** Renders the section. */
export function renderMcpSection(el: HTMLElement, settings: Settings, options: McpSectionOptions): void {
    new Setting(el).setName('MCP servers').setHeading();
    el.createDiv({
        cls: 'vault-agent-settings-explainer',
        text:
            'Servers give the agent more tools. A server is started or connected only after you allow it on this ' +
            'device, and again after any change to what it runs.',
    });
    const consentEl = el.createDiv({ cls: 'vault-agent-mcp-consents' });
    const serversEl = el.createDiv({ cls: 'vault-agent-mcp-servers' });
    const newEl = el.createDiv({ cls: 'vault-agent-mcp-new' });
    let consentGeneration = 0;

    const refreshConsent = async (): Promise<void> => {
        const mine = ++consentGeneration;
        const hub = resolveProvided(options.hub);
        if (hub === null) return;
        let pending: LaunchDescription[];
        try {
            pending = await hub.launchesNeedingConsent();
        } catch (error) {
            pending = [];
            consentEl.setText(`Could not check which servers need your consent: ${messageOf(error)}`);
        }
        if (mine !== consentGeneration) return;
        consentEl.empty();
        for (const shown of pending) renderConsentCard(consentEl, shown, hub, options.onConsentGranted);
    };
    const renderServers = (): void => {
        // Servers added in this visit are listed with the others from now on; an unsaved draft is dropped.
        serversEl.empty();
        newEl.empty();
        const servers = options.kit.store.settings?.mcp.servers ?? settings.mcp.servers;
        const statuses = resolveProvided(options.hub)?.status() ?? [];
        if (servers.length === 0) {
            serversEl.createDiv({ cls: 'vault-agent-settings-empty', text: 'No servers yet.' });
        }
        for (const server of servers) {
            renderServerBlock(serversEl, {
                kit: options.kit,
                isDesktop: options.isDesktop,
                savedName: server.name,
                draft: draftOf(server),
                status: statuses.find((s) => s.server === server.name),
                onSaved: () => void refreshConsent(),
                onRemoved: refreshAll,
            });
        }
    };
    function refreshAll(): void {
        renderServers();
        void refreshConsent();
    }

    new Setting(el)
        .setName('Add server')
        .setDesc(
            options.isDesktop
                ? 'A program started on this computer (stdio) or a server reached over HTTP.'
                : 'A server reached over HTTP. Servers started as programs can only be added on desktop.',
        )
        .addButton((button) =>
            button.setButtonText('Add server').onClick(() => {
                const taken = (options.kit.store.settings?.mcp.servers ?? []).map((s) => s.name);
                renderServerBlock(newEl, {
                    kit: options.kit,
                    isDesktop: options.isDesktop,
                    savedName: null,
                    draft: newDraft(taken, options.isDesktop),
                    status: undefined,
                    onSaved: () => void refreshConsent(),
                    onRemoved: refreshAll,
                });
            }),
        );
    renderServers();
    void refreshConsent();
}

function renderConsentCard(
    el: HTMLElement,
    shown: LaunchDescription,
    hub: McpHubView,
    onGranted: ((shown: LaunchDescription) => void) | undefined,
): void {
    const card = el.createDiv({ cls: 'vault-agent-mcp-consent' });
    const stdio = shown.transport === 'stdio';
    card.createDiv({
        cls: 'vault-agent-mcp-consent-title',
        text: stdio
            ? `Allow "${shown.server}" to run this command on this device?`
            : `Allow connecting to "${shown.server}" from this device?`,
    });
    card.createDiv({
        text: stdio
            ? 'It runs with your permissions and can do anything you can. Check every part of it:'
            : 'Requests go to this address:',
    });
    card.createEl('pre', { cls: 'vault-agent-mcp-command' }).createEl('code', { text: shown.commandLine });
    if (shown.settingNames.length > 0) {
        card.createDiv({
            cls: 'vault-agent-settings-explainer',
            text: `${stdio ? 'Environment variables' : 'Headers'} set (values hidden): ${shown.settingNames.join(', ')}`,
        });
    }
    const resultEl = card.createDiv({ cls: 'vault-agent-setting-error' });
    new Setting(card).addButton((button) =>
        button
            .setButtonText('Allow on this device')
            .setCta()
            .onClick(async () => {
                try {
                    if (await hub.grantConsent(shown)) {
                        card.empty();
                        card.createDiv({ text: `"${shown.server}" is allowed on this device.` });
                        onGranted?.(shown);
                        return;
                    }
                    // Consent binds to what was shown: a changed definition must be shown again, not allowed blind.
                    button.setDisabled(true);
                    resultEl.setText('Its definition changed since this was shown. Reopen settings to review it.');
                } catch (error) {
                    resultEl.setText(`Not allowed: ${messageOf(error)}`);
                }
            }),
    );
}
