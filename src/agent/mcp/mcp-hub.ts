/**
 * The MCP servers of one plugin instance or CLI run: consent before launch, connections, status, and the tools they
 * offer. Each server is on its own: one that will not start, hangs or crashes is reported and the others keep
 * working (docs/RELIABILITY.md row 21). Nothing is launched that the person on this device has not consented to (row
 * 20).
 */
import type { ExclusionGate } from '../../context/exclusions';
import type { Notifier } from '../../kernel/ports';
import type { McpServerConfig, McpSettings } from '../../kernel/mcp-settings';
import type { VaultPort } from '../../kernel/vault-port';
import type { Tool } from '../tools/tool';
import {
    describeLaunch,
    grantLaunchConsent,
    hasLaunchConsent,
    type ConsentStore,
    type LaunchDescription,
} from './mcp-consent';
import { McpConnection, McpServerError, type McpTransportFactory } from './mcp-connection';
import { assignToolNames, toolKey } from './mcp-tool-names';
import { mcpTool, policyOf, type McpServerHandle, type McpSurface } from './mcp-tools';
import type { ToolCallGate, UntrustedContent } from './tool-call-gate';
import { VaultRedactor } from './vault-redactor';

/** Where one server stands. */
export interface McpServerStatus {
    /** The server's name. */
    server: string;
    /** `needs-consent`: not launched until the person on this device agrees to `launch`. */
    state: 'disabled' | 'needs-consent' | 'connected' | 'failed';
    /** A sentence for the person. */
    message: string;
    /** What consent is asked for (the exact command line or URL). */
    launch: LaunchDescription;
    /** Whether its results are scanned for excluded content. */
    readsVault: boolean;
    /** How many tools it offers, when connected. */
    toolCount: number;
}

/** What the hub needs. */
export interface McpHubOptions {
    /** The configured servers and timeouts. */
    settings: McpSettings;
    /** Per-device consent (launches and tool definitions). */
    consent: ConsentStore;
    /** Opens transports. */
    transports: McpTransportFactory;
    /** Tells the person about failures and vault-reading servers. */
    notifier?: Notifier;
    /** The vault and its gate, for scanning the results of servers that can read the vault. */
    vault?: VaultPort;
    /** Which notes are excluded. */
    gate?: ExclusionGate;
    /** The vault folder's absolute path, where known: a stdio server whose arguments name it can read the vault. */
    vaultRoot?: string;
}

/** What a session needs to get the MCP tools. */
export interface McpToolsOptions {
    /** `chat`: unlisted tools ask; `job`: unlisted tools are not offered. */
    surface: McpSurface;
    /** Asks the person; `null` in jobs. */
    gate: ToolCallGate | null;
    /** Which turns carry untrusted text; omit to treat every turn as untrusted. */
    untrusted?: UntrustedContent;
    /** Jobs only: the offered names (`mcp__server__tool`) the job allows. */
    jobAllows?: readonly string[];
}

/** The MCP servers and their tools. */
export class McpHub {
    private readonly options: McpHubOptions;
    private readonly handles = new Map<string, McpServerHandle>();
    private readonly statuses = new Map<string, McpServerStatus>();

    constructor(options: McpHubOptions) {
        this.options = options;
    }

    /** The enabled servers whose current launch definition has no consent on this device. */
    async launchesNeedingConsent(): Promise<LaunchDescription[]> {
        const pending: LaunchDescription[] = [];
        for (const server of this.enabled()) {
            if (!(await hasLaunchConsent(this.options.consent, server))) pending.push(describeLaunch(server));
        }
        return pending;
    }

    /** Records consent for what the person was shown; refused when the definition changed since it was shown. */
    async grantConsent(shown: LaunchDescription): Promise<boolean> {
        const server = this.enabled().find((s) => s.name === shown.server);
        if (server === undefined || describeLaunch(server).hash !== shown.hash) return false;
        await grantLaunchConsent(this.options.consent, shown);
        return true;
    }

    /** Connects every enabled, consented server at once; each failure stays with its server. */
    async connectAll(): Promise<McpServerStatus[]> {
        await Promise.all(this.options.settings.servers.map((server) => this.connectOne(server)));
        return this.status();
    }

    /** Where every configured server stands, in settings order. */
    status(): McpServerStatus[] {
        return this.options.settings.servers.flatMap((s) => {
            const status = this.statuses.get(s.name);
            if (status === undefined) return [];
            // A server that died after connecting is reported as failed, with the reason its connection saw.
            const died = status.state === 'connected' ? this.handles.get(s.name)?.connection?.closedReason : null;
            if (died === null || died === undefined) return [{ ...status }];
            return [{ ...status, state: 'failed' as const, message: `"${s.name}" stopped (${died}).`, toolCount: 0 }];
        });
    }

    /** The tools of the connected servers, namespaced, minus the ones the person (or the job) does not allow. */
    tools(options: McpToolsOptions): Tool[] {
        const offered: { handle: McpServerHandle; tool: string }[] = [];
        for (const handle of this.handles.values()) {
            if (handle.connection === null) continue;
            for (const tool of handle.connection.tools) {
                if (policyOf(handle.config, tool.name, options.surface) === 'deny' && options.surface === 'chat') {
                    continue;
                }
                offered.push({ handle, tool: tool.name });
            }
        }
        const names = assignToolNames(offered.map(({ handle, tool }) => ({ server: handle.config.name, tool })));
        const environment = {
            surface: options.surface,
            gate: options.gate,
            consent: this.options.consent,
            untrusted: options.untrusted ?? null,
            callTimeoutMs: this.options.settings.callTimeoutMs,
            jobAllows: options.jobAllows ?? [],
        };
        const tools: Tool[] = [];
        for (const { handle, tool } of offered) {
            const offeredName = names.get(toolKey(handle.config.name, tool)) ?? '';
            if (options.surface === 'job') {
                // In a job the settings policy still applies, and the job itself must name the tool.
                const allowed = options.jobAllows?.includes(offeredName) === true;
                if (!allowed || (handle.config.toolPolicies[tool] ?? 'ask') === 'deny') continue;
            }
            const listed = handle.connection?.tools.find((t) => t.name === tool);
            if (listed === undefined) continue;
            const name = handle.config.name;
            tools.push(
                mcpTool({
                    handle: () => this.handles.get(name) ?? handle,
                    toolName: tool,
                    offeredName,
                    listed,
                    environment,
                }),
            );
        }
        return tools.sort((a, b) => (a.definition.name < b.definition.name ? -1 : 1));
    }

    /** Closes every connection (ending stdio servers' processes). */
    async close(): Promise<void> {
        const handles = [...this.handles.values()];
        this.handles.clear();
        await Promise.all(
            handles.map(async (handle) => {
                handle.redactor?.dispose();
                await handle.connection?.close();
            }),
        );
    }

    private enabled(): McpServerConfig[] {
        return this.options.settings.servers.filter((server) => server.enabled);
    }

    private async connectOne(server: McpServerConfig): Promise<void> {
        const launch = describeLaunch(server);
        const readsVault = this.readsVault(server);
        const base = { server: server.name, launch, readsVault, toolCount: 0 };
        const existing = this.handles.get(server.name);
        if (existing !== undefined) {
            this.handles.delete(server.name);
            existing.redactor?.dispose();
            await existing.connection?.close();
        }
        if (!server.enabled) {
            this.statuses.set(server.name, { ...base, state: 'disabled', message: 'Turned off.' });
            return;
        }
        if (!(await hasLaunchConsent(this.options.consent, server))) {
            this.statuses.set(server.name, {
                ...base,
                state: 'needs-consent',
                message: `Not started: confirm on this device that "${server.name}" may run: ${launch.commandLine}`,
            });
            return;
        }
        const redactor = readsVault ? this.redactor() : null;
        if (readsVault && redactor === null) {
            // Its results could carry excluded notes and there is nothing here to scan them with: fail closed.
            const message = `"${server.name}" can read the vault, and its results cannot be scanned here; not started.`;
            this.statuses.set(server.name, { ...base, state: 'failed', message });
            return;
        }
        try {
            const connection = await McpConnection.connect({
                server,
                transports: this.options.transports,
                connectTimeoutMs: this.options.settings.connectTimeoutMs,
            });
            this.handles.set(server.name, { config: server, connection, failure: null, redactor });
            const toolCount = connection.tools.length;
            this.statuses.set(server.name, { ...base, state: 'connected', toolCount, message: `${toolCount} tools.` });
            if (readsVault) {
                this.options.notifier?.notify(
                    `The MCP server "${server.name}" can read your vault by itself. Its results are scanned, and the ` +
                        'names and text of excluded notes are removed before the agent sees them.',
                );
            }
        } catch (error) {
            redactor?.dispose();
            const message = error instanceof McpServerError ? error.message : `"${server.name}" could not connect.`;
            this.handles.set(server.name, { config: server, connection: null, failure: message, redactor: null });
            this.statuses.set(server.name, { ...base, state: 'failed', message });
            this.options.notifier?.notify(`MCP: ${message}`, 'error');
        }
    }

    /** Marked by the person, or a stdio server whose arguments point at the vault folder or inside it. */
    private readsVault(server: McpServerConfig): boolean {
        if (server.readsVault) return true;
        const root = this.options.vaultRoot;
        if (server.transport !== 'stdio' || root === undefined) return false;
        const normalRoot = normaliseFsPath(root);
        return server.args.some((arg) => {
            const value = normaliseFsPath(arg.replace(/^--?[\w-]+=/, ''));
            return value === normalRoot || value.startsWith(`${normalRoot}/`) || normalRoot.startsWith(`${value}/`);
        });
    }

    private redactor(): VaultRedactor | null {
        const { vault, gate } = this.options;
        if (vault === undefined || gate === undefined) return null;
        return new VaultRedactor({ vault, gate });
    }
}

/** Slashes one way, no trailing slash, case folded (vault folders often live on case-insensitive disks). */
function normaliseFsPath(path: string): string {
    return path.replace(/\\/g, '/').replace(/\/+$/, '').toLowerCase();
}
