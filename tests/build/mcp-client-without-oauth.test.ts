/**
 * The plugin bundle resolves the MCP SDK client's OAuth module to a stand-in (decision 0016): the Streamable HTTP
 * transport calls into it only with an auth provider, which the plugin never gives. This bundles the SDK's client and
 * transport with that same esbuild plugin, as the plugin build does, and talks to the official SDK server over real
 * HTTP: the tools are listed and called, and a server that answers 401 gives the transport's own error, with the
 * stand-in never reached. What it cannot show: an MCP server that only offers an OAuth sign-in, which the plugin
 * does not support (such a server is given a token in its headers instead).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import { bundleWithStandIn } from './bundle-with-stand-in';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { mcpClientWithoutOAuth } from '../../scripts/esbuild-mcp-client-without-oauth.mjs';

interface BundledClient {
    Client: new (info: { name: string; version: string }) => {
        connect(transport: unknown): Promise<void>;
        listTools(): Promise<{ tools: { name: string }[] }>;
        callTool(request: { name: string; arguments: Record<string, unknown> }): Promise<{
            content: { type: string; text?: string }[];
        }>;
        close(): Promise<void>;
    };
    StreamableHTTPClientTransport: new (url: URL) => unknown;
}

let dir: string;
let http: HttpServer;
let baseURL: string;
let bundled: BundledClient;
let inputs: string[];

beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'va-mcp-oauth-'));
    http = createServer((req, res) => {
        if (req.url === '/locked') {
            res.writeHead(401, { 'www-authenticate': 'Bearer realm="peer"' }).end();
            return;
        }
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            void (async () => {
                const raw = Buffer.concat(chunks).toString('utf8');
                const server = new McpServer({ name: 'peer', version: '1.0.0' }, { capabilities: { tools: {} } });
                const echo = {
                    name: 'echo',
                    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
                };
                server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [echo] }));
                server.server.setRequestHandler(CallToolRequestSchema, (request) => ({
                    content: [{ type: 'text', text: `echo: ${String(request.params.arguments?.['text'])}` }],
                }));
                const transport = new StreamableHTTPServerTransport({
                    sessionIdGenerator: undefined,
                    enableJsonResponse: true,
                });
                await server.connect(transport);
                await transport.handleRequest(req, res, raw === '' ? undefined : (JSON.parse(raw) as unknown));
            })();
        });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseURL = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    ({ module: bundled, inputs } = await bundleWithStandIn<BundledClient>(
        [
            "export { Client } from '@modelcontextprotocol/sdk/client/index.js';",
            "export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';",
        ].join('\n'),
        mcpClientWithoutOAuth as esbuild.Plugin,
        dir,
    ));
});

afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
});

describe('the MCP client without OAuth in the plugin bundle', () => {
    it('leaves the OAuth module out, and the transport lists and calls tools over HTTP', async () => {
        expect(inputs.some((input) => /sdk\/dist\/esm\/client\/auth\.js$/.test(input))).toBe(false);
        expect(inputs.some((input) => input.endsWith('scripts/mcp-client-without-oauth.mjs'))).toBe(true);
        const client = new bundled.Client({ name: 'plugin', version: '1' });
        await client.connect(new bundled.StreamableHTTPClientTransport(new URL(`${baseURL}/mcp`)));
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(['echo']);
        const result = await client.callTool({ name: 'echo', arguments: { text: 'over HTTP' } });
        expect(result.content[0]?.text).toBe('echo: over HTTP');
        await client.close();
    });

    it('reports a server that asks for a sign-in with the transport error, not the OAuth flow', async () => {
        const client = new bundled.Client({ name: 'plugin', version: '1' });
        const failure = await client
            .connect(new bundled.StreamableHTTPClientTransport(new URL(`${baseURL}/locked`)))
            .then(() => null)
            .catch((error: unknown) => error as Error & { code?: unknown });
        expect(failure).toBeInstanceOf(Error);
        expect(failure?.code).toBe(401);
        expect(failure?.message).toMatch(/Streamable HTTP error/u);
        expect(failure?.message).not.toMatch(/not available in the plugin/u);
    });
});
