/**
 * `vault-agent mcp` given a request over the 10 MB line limit: the built `dist/cli.js` as a child process, driven once
 * by the official MCP SDK `Client` over stdio and once by hand on raw stdin (an 11 MB line, junk, then valid requests).
 * The oversized request is answered with a JSON-RPC error (with its id when it can be read, else id null) and the
 * server keeps serving. Row: MCP oversized request.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI } from './cli-harness';

const ELEVEN_MB = 11 * 1024 * 1024;

let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    temp = await makeTempVault({
        'Plan.md': '# Plan\n\nShip it.\n',
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        }),
    });
}, 60_000);

afterAll(async () => {
    await temp.cleanup();
});

describe('vault-agent mcp and a request over the line limit', () => {
    it('answers the official client with an invalid-request error and serves its next calls', async () => {
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        let stderr = '';
        transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        let closed = false;
        const client = new Client({ name: 'vault-agent-test', version: '1' });
        client.onclose = () => (closed = true);
        await client.connect(transport);
        try {
            const huge = client.callTool(
                { name: 'search_notes', arguments: { query: 'x'.repeat(ELEVEN_MB) } },
                undefined,
                { timeout: 20_000 },
            );
            const error = await huge.then(
                () => null,
                (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(McpError);
            expect((error as McpError).code).toBe(-32600);
            expect((error as McpError).message).toMatch(/too large/i);

            const after = await client.callTool({ name: 'read_note', arguments: { path: 'Plan.md' } });
            expect(JSON.stringify(after.content)).toContain('Ship it.');
            expect(closed).toBe(false);
            expect(stderr).toMatch(/over 10 MB\) was refused; the server keeps serving/);
        } finally {
            await client.close();
        }
    }, 60_000);

    it('on raw stdin: errors for an 11 MB line (id read or null), junk and non-JSON-RPC, then serves on', async () => {
        const child = spawn(process.execPath, [CLI, 'mcp', '--vault', temp.root], { stdio: ['pipe', 'pipe', 'pipe'] });
        const responses = readResponses(child);
        const send = (line: string): void => {
            child.stdin.write(`${line}\n`);
        };
        send(
            JSON.stringify({
                jsonrpc: '2.0',
                id: 1,
                method: 'initialize',
                params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
            }),
        );
        expect((await responses.next()).id).toBe(1);
        send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));

        // The id last, where the SDK's own clients put it: the error names it.
        const path = 'p'.repeat(ELEVEN_MB);
        send(
            `{"method":"tools/call","params":{"name":"read_note","arguments":{"path":"${path}"}},"jsonrpc":"2.0","id":2}`,
        );
        const tooBig = await responses.next();
        expect(tooBig).toMatchObject({ jsonrpc: '2.0', id: 2, error: { code: -32600 } });

        // The id first: read from the start of the line.
        send(`{"jsonrpc":"2.0","id":"first-${'f'.repeat(8)}","method":"tools/list","params":{"pad":"${path}"}}`);
        expect(await responses.next()).toMatchObject({ id: 'first-ffffffff', error: { code: -32600 } });

        // No id to be seen: id null, as JSON-RPC asks.
        send('a'.repeat(ELEVEN_MB));
        expect(await responses.next()).toMatchObject({ id: null, error: { code: -32600 } });
        send('this is not json');
        expect(await responses.next()).toMatchObject({ id: null, error: { code: -32700 } });
        send(JSON.stringify({ jsonrpc: '2.0', id: 3, nonsense: true }));
        expect(await responses.next()).toMatchObject({ id: 3, error: { code: -32600 } });

        send(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/list' }));
        const listed = (await responses.next()) as { id: number; result: { tools: { name: string }[] } };
        expect(listed.id).toBe(4);
        expect(listed.result.tools.map((tool) => tool.name)).toContain('read_note');
        send(
            JSON.stringify({
                jsonrpc: '2.0',
                id: 5,
                method: 'tools/call',
                params: { name: 'read_note', arguments: { path: 'Plan.md' } },
            }),
        );
        expect(JSON.stringify(await responses.next())).toContain('Ship it.');
        expect(child.exitCode).toBeNull();

        child.stdin.end();
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code).toBe(0);
    }, 60_000);
});

/** The child's stdout as JSON-RPC messages, one per line, awaited in order. */
function readResponses(child: ChildProcessWithoutNullStreams): { next(): Promise<Record<string, unknown>> } {
    const lines: string[] = [];
    const waiting: ((line: string) => void)[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let newline = buffer.indexOf('\n');
        while (newline !== -1) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            const waiter = waiting.shift();
            if (waiter !== undefined) waiter(line);
            else lines.push(line);
            newline = buffer.indexOf('\n');
        }
    });
    return {
        next: () =>
            new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error('no response within 15 s')), 15_000);
                const take = (line: string): void => {
                    clearTimeout(timer);
                    resolve(JSON.parse(line) as Record<string, unknown>);
                };
                const ready = lines.shift();
                if (ready !== undefined) take(ready);
                else waiting.push(take);
            }),
    };
}
