/**
 * A small MCP server for the browser harness, in the test process: the official SDK server (`McpServer`, low-level handlers) behind its Streamable
 * HTTP transport (stateless, JSON responses) on 127.0.0.1. The page reaches it through the harness server's
 * `/mcp-peer/` proxy (same origin, so no CORS) with the plugin's own HTTP transport. It offers one tool, `post_message`,
 * and records every JSON-RPC method it was sent and every tool call, so a test can assert that nothing was called.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';

/** The one tool the peer offers, with a description that holds markup (it must be shown as text). */
export const PEER_TOOL = {
    name: 'post_message',
    description: 'Posts a message to a team channel. <b>Markup here is text</b>, never HTML.',
    inputSchema: {
        type: 'object',
        properties: { channel: { type: 'string' }, text: { type: 'string' }, meta: { type: 'object' } },
        required: ['channel', 'text'],
    },
} as const;

/** One `tools/call` the peer received. */
export interface PeerCall {
    /** The tool's name. */
    name: string;
    /** The arguments exactly as received. */
    args: unknown;
}

/** A running peer. */
export interface McpPeer {
    /** `http://127.0.0.1:port` (the endpoint is `/mcp`). */
    baseURL: string;
    /** Every `tools/call`, in order. */
    calls: PeerCall[];
    /** Every JSON-RPC method received (`initialize`, `tools/list`, `tools/call`, …), in order. */
    methods: string[];
    /** Stops the server. */
    close(): Promise<void>;
}

function peerServer(calls: PeerCall[]): McpServer {
    const mcp = new McpServer({ name: 'harness-peer', version: '1.0.0' }, { capabilities: { tools: {} } });
    // The low-level handlers, so the tool's JSON schema is sent exactly as written above.
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [PEER_TOOL] }));
    mcp.server.setRequestHandler(CallToolRequestSchema, (request) => {
        calls.push({ name: request.params.name, args: request.params.arguments });
        const channel = request.params.arguments?.['channel'];
        const text = `Posted to #${typeof channel === 'string' ? channel : '?'} (peer receipt 7781).`;
        return { content: [{ type: 'text', text }] };
    });
    return mcp;
}

/** Starts the peer on a random port. */
export async function startMcpPeer(): Promise<McpPeer> {
    const calls: PeerCall[] = [];
    const methods: string[] = [];
    const sockets = new Set<Socket>();
    const http: HttpServer = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
            void (async () => {
                const raw = Buffer.concat(chunks).toString('utf8');
                let body: unknown;
                try {
                    body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
                } catch {
                    body = undefined;
                }
                for (const message of [body].flat()) {
                    const method = (message as { method?: unknown } | undefined)?.method;
                    if (typeof method === 'string') methods.push(method);
                }
                // Stateless: a fresh server and transport per request, as the SDK's stateless example does.
                const server = peerServer(calls);
                const transport = new StreamableHTTPServerTransport({
                    sessionIdGenerator: undefined,
                    enableJsonResponse: true,
                });
                res.on('close', () => {
                    void transport.close();
                    void server.close();
                });
                await server.connect(transport);
                await transport.handleRequest(req, res, body);
            })().catch(() => {
                if (!res.headersSent) res.writeHead(500);
                res.end();
            });
        });
    });
    http.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return {
        baseURL: `http://127.0.0.1:${port}`,
        calls,
        methods,
        close: () =>
            new Promise<void>((resolve) => {
                for (const socket of sockets) socket.destroy();
                http.close(() => resolve());
            }),
    };
}
