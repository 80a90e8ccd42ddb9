/**
 * The MCP client over Streamable HTTP, against the real peer `@modelcontextprotocol/server-everything` serving HTTP on a
 * local port: the transport every platform (mobile too) can use.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpServerConfig } from '../../../src/kernel/mcp-settings';
import { consentToAll, makeHubHarness, RecordingToolCallGate, type HubHarness } from './mcp-fixtures';

const ENTRY = nodePath.join(
    import.meta.dirname,
    '../../../node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = createServer();
        probe.once('error', reject);
        probe.listen(0, '127.0.0.1', () => {
            const address = probe.address();
            probe.close(() =>
                typeof address === 'object' && address !== null
                    ? resolve(address.port)
                    : reject(new Error('no port was assigned')),
            );
        });
    });
}

/** Starts server-everything in HTTP mode and resolves once it listens. */
async function startHttpPeer(port: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, [ENTRY, 'streamableHttp'], {
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server-everything did not start listening')), 15_000);
        child.stderr?.on('data', (chunk: Buffer) => {
            if (/listening/i.test(chunk.toString())) {
                clearTimeout(timer);
                resolve();
            }
        });
        child.once('exit', (code) => reject(new Error(`server-everything exited (${String(code)})`)));
    });
    return child;
}

describe('MCP client with server-everything over Streamable HTTP', () => {
    let harness: HubHarness | undefined;
    let peer: ChildProcess | undefined;
    afterEach(async () => {
        await harness?.cleanup();
        harness = undefined;
        peer?.kill();
        peer = undefined;
    });

    it('connects by URL, offers the tools namespaced, asks with the full input, then echoes', async () => {
        const port = await freePort();
        peer = await startHttpPeer(port);
        const server: McpServerConfig = {
            name: 'web',
            transport: 'http',
            url: `http://127.0.0.1:${port}/mcp`,
            headers: {},
            enabled: true,
            toolPolicies: {},
            readOnlyTools: [],
            readsVault: false,
        };
        harness = await makeHubHarness([server]);
        await consentToAll(harness.hub);
        const [status] = await harness.hub.connectAll();
        expect(status?.state).toBe('connected');

        const gate = new RecordingToolCallGate();
        const tools = harness.toolsByName({ surface: 'chat', gate });
        expect([...tools.keys()]).toContain('mcp__web__echo');
        const result = await harness.run(tools, 'mcp__web__echo', { message: 'over http' });
        expect(result).toEqual({ content: 'Echo: over http' });
        expect(gate.requests[0]?.input).toEqual({ message: 'over http' });
    }, 40_000);
});
