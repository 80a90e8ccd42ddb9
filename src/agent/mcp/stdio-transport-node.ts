/**
 * The stdio transport: starts a configured server as a child process. Node only, so this file is imported lazily
 * (by `createTransportFactory` on desktop and in the CLI) and never loaded on mobile.
 */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { StdioMcpServer } from '../../kernel/mcp-settings';
import type { OpenedTransport } from './mcp-connection';

/** How much of a server's stderr is kept to explain a failure. */
const STDERR_TAIL_CHARS = 4_096;

/**
 * A transport that launches `server` without a shell (arguments are passed as given, nothing is interpolated). The
 * server's stderr is drained, so a chatty server can never block on a full pipe, and its tail is kept for the person.
 */
export function openStdioTransport(server: StdioMcpServer): Promise<OpenedTransport> {
    const transport = new StdioClientTransport({
        command: server.command,
        args: server.args,
        env: server.env,
        stderr: 'pipe',
    });
    let tail = '';
    transport.stderr?.on('data', (chunk: Buffer | string) => {
        tail = (tail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    return Promise.resolve({ transport, stderrTail: () => tail });
}
