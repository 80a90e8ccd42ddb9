/**
 * Chooses the transport for a configured server: Streamable HTTP everywhere, stdio only where child processes exist
 * (desktop and the CLI). Both SDK transports are imported on first use, so neither weighs on startup and the stdio
 * one (Node's `child_process`) is never loaded on mobile.
 */
import type { McpServerConfig } from '../../kernel/mcp-settings';
import type { McpTransportFactory, OpenedTransport } from './mcp-connection';

/** Where the factory runs. */
export interface TransportFactoryOptions {
    /** True on desktop and in the CLI; false on mobile, where stdio servers are reported as unavailable. */
    allowStdio: boolean;
}

/** The transports available on this device. */
export function createTransportFactory(options: TransportFactoryOptions): McpTransportFactory {
    return {
        async open(server: McpServerConfig): Promise<OpenedTransport> {
            if (server.transport === 'stdio') {
                if (!options.allowStdio) {
                    throw new Error(`"${server.name}" runs a program, which is only possible on desktop.`);
                }
                const { openStdioTransport } = await import('./stdio-transport-node');
                return openStdioTransport(server);
            }
            const { StreamableHTTPClientTransport } =
                await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
            return {
                transport: new StreamableHTTPClientTransport(new URL(server.url), {
                    requestInit: { headers: server.headers },
                }),
            };
        },
    };
}
