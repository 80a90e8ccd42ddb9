/** The CLI's side of MCP servers as tools: the ones allowed on this device, connected for `run` and `ask`. */
import type { McpHub } from '../agent/mcp/mcp-hub';
import type { CliIo, CliVault } from './cli-context';

/**
 * The vault's MCP servers that the person allowed on this device, connected; `null` when none are enabled. A server
 * without consent here (it may have arrived in a synced settings file) is not started, and stderr says how to allow it.
 */
export async function connectMcp(opened: CliVault, io: CliIo, command: string): Promise<McpHub | null> {
    const { vault, settings } = opened;
    if (!settings.mcp.servers.some((server) => server.enabled)) return null;
    const hub = opened.core.hub;
    for (const launch of await hub.launchesNeedingConsent()) {
        io.stderr.write(
            `vault-agent ${command}: MCP server "${launch.server}" was not started: it has no consent on this device to run ` +
                `${launch.commandLine}. To allow it: vault-agent mcp-allow --vault ${quoted(vault.root)} ${quoted(launch.server)}\n`,
        );
    }
    for (const status of await hub.connectAll()) {
        if (status.state === 'failed')
            io.stderr.write(`vault-agent ${command}: MCP server "${status.server}": ${status.message}\n`);
    }
    return hub;
}

/** `text` as one shell word, for a command line a person can paste. */
function quoted(text: string): string {
    return /^[\w./:@-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
