/**
 * One live connection to one MCP server, through the official SDK `Client`. Everything a server can do wrong ends
 * here as a typed `McpServerError` with a sentence fit for the person: it does not start, does not answer in time,
 * crashes, or writes something that is not JSON-RPC (docs/RELIABILITY.md row 21). Nothing waits without a timeout.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpServerConfig } from '../../kernel/mcp-settings';
import { sha256Utf16Hex } from '../changes/sha256';
import { VERSION } from '../../kernel/version';

/** What went wrong with a server, in a form a caller can act on. */
export type McpServerErrorCode = 'spawn' | 'connect-timeout' | 'call-timeout' | 'closed' | 'protocol' | 'cancelled';

/** A server failure; `message` is written for the person and the model alike and quotes nothing from the server. */
export class McpServerError extends Error {
    override readonly name = 'McpServerError';

    constructor(
        /** What kind of failure. */
        readonly code: McpServerErrorCode,
        message: string,
    ) {
        super(message);
    }
}

/** A transport ready to connect, with the tail of the server's stderr where there is one (for the person only). */
export interface OpenedTransport {
    /** The SDK transport. */
    transport: Transport;
    /** The last few KB the server wrote to stderr, to show the person why it failed. */
    stderrTail?: () => string;
}

/** Opens transports; the stdio one lives in a `*-node.ts` file and is loaded only on desktop. */
export interface McpTransportFactory {
    /** A transport to `server`; rejects when the server cannot be reached in this environment. */
    open(server: McpServerConfig): Promise<OpenedTransport>;
}

/** A tool as the server describes it, with the hash its approval binds to. */
export interface McpToolDefinition {
    /** The server's own name for it. */
    name: string;
    /** Its full description, exactly as sent (shown to the person in full). */
    description: string;
    /** Its input schema, as sent. */
    inputSchema: Record<string, unknown>;
    /** The server's hints (`readOnlyHint`, …): shown, never trusted. */
    annotations: Record<string, unknown>;
    /** Hash of name, description, schema and annotations: any change needs the person's approval again. */
    hash: string;
}

/** Limits of one connection. */
export interface McpConnectionOptions {
    /** The server. */
    server: McpServerConfig;
    /** Where transports come from. */
    transports: McpTransportFactory;
    /** Handshake and tool-listing limit, ms. */
    connectTimeoutMs: number;
}

const CLIENT_INFO = { name: 'vault-agent', version: VERSION };

/** A connected server. */
export class McpConnection {
    private listStale = false;
    private closedBecause: string | null = null;
    private lastProtocolError: string | null = null;
    private definitions: McpToolDefinition[] = [];

    private constructor(
        private readonly client: Client,
        private readonly opened: OpenedTransport,
        private readonly options: McpConnectionOptions,
    ) {}

    /** Starts (or reaches) the server, does the handshake and lists its tools, all within the connect timeout. */
    static async connect(options: McpConnectionOptions): Promise<McpConnection> {
        const opened = await options.transports.open(options.server).catch((error: unknown) => {
            throw new McpServerError('spawn', `"${options.server.name}" could not be started (${errorName(error)}).`);
        });
        // Schema checks without code generation: ajv compiles schemas with `new Function`, which this plugin never
        // runs.
        const client = new Client(CLIENT_INFO, {
            capabilities: {},
            jsonSchemaValidator: new CfWorkerJsonSchemaValidator(),
        });
        const connection = new McpConnection(client, opened, options);
        client.onclose = () => {
            connection.closedBecause ??= 'the server closed the connection or exited';
        };
        client.onerror = (error) => {
            // Invalid JSON on stdout lands here; the SDK skips the line, so the request it answered will time out.
            if (error instanceof SyntaxError || /json|parse/i.test(error.message)) {
                connection.lastProtocolError = 'it wrote output that is not valid JSON-RPC';
            }
        };
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
            connection.listStale = true;
        });
        try {
            await withDeadline(
                client.connect(opened.transport, { timeout: options.connectTimeoutMs }),
                options.connectTimeoutMs,
            );
            await connection.listNow();
        } catch (error) {
            await connection.close();
            throw connection.describe(error, 'connect');
        }
        return connection;
    }

    /** The server's name. */
    get server(): string {
        return this.options.server.name;
    }

    /** Why the connection ended, or `null` while it is up. */
    get closedReason(): string | null {
        return this.closedBecause;
    }

    /** The server's stderr tail, for the person. */
    stderrTail(): string {
        return this.opened.stderrTail?.() ?? '';
    }

    /** The tools as last listed. */
    get tools(): readonly McpToolDefinition[] {
        return this.definitions;
    }

    /** The current tool list; asks the server again when it said its list changed. */
    async currentTools(): Promise<readonly McpToolDefinition[]> {
        if (this.listStale && this.closedBecause === null) {
            try {
                await this.listNow();
            } catch (error) {
                throw this.describe(error, 'connect');
            }
        }
        return this.definitions;
    }

    /** Calls a tool; rejects with `McpServerError` on timeout, crash, Stop or a protocol failure. */
    async call(
        name: string,
        args: Record<string, unknown>,
        options: { timeoutMs: number; signal?: AbortSignal },
    ): Promise<CallToolResult> {
        if (this.closedBecause !== null) {
            throw new McpServerError('closed', `"${this.server}" is not running (${this.closedBecause}).`);
        }
        try {
            const request = this.client.callTool({ name, arguments: args }, undefined, {
                timeout: options.timeoutMs,
                maxTotalTimeout: options.timeoutMs,
                signal: options.signal,
            });
            return (await withDeadline(request, options.timeoutMs + 1_000)) as CallToolResult;
        } catch (error) {
            if (options.signal?.aborted === true) {
                throw new McpServerError('cancelled', `The call to "${this.server}" was stopped.`);
            }
            throw this.describe(error, 'call');
        }
    }

    /** Closes the connection (and ends a stdio server's process). Never rejects. */
    async close(): Promise<void> {
        this.closedBecause ??= 'closed by Vault Agent';
        try {
            await this.client.close();
        } catch {
            // Closing a transport that already died may throw; the process is gone either way.
        }
    }

    private async listNow(): Promise<void> {
        this.listStale = false;
        const listed = await this.client.listTools(undefined, { timeout: this.options.connectTimeoutMs });
        this.definitions = listed.tools.map((tool) => {
            const definition = {
                name: tool.name,
                description: tool.description ?? '',
                inputSchema: tool.inputSchema as Record<string, unknown>,
                annotations: { ...(tool.annotations ?? {}) } as Record<string, unknown>,
            };
            return { ...definition, hash: sha256Utf16Hex(canonicalJson(definition)) };
        });
    }

    private describe(error: unknown, during: 'connect' | 'call'): McpServerError {
        if (error instanceof McpServerError) return error;
        const server = `"${this.server}"`;
        if (this.closedBecause !== null && this.closedBecause !== 'closed by Vault Agent') {
            return new McpServerError('closed', `${server} stopped (${this.closedBecause}).`);
        }
        const timedOut = isTimeout(error);
        const protocol = this.lastProtocolError === null ? '' : `; ${this.lastProtocolError}`;
        if (timedOut && during === 'connect') {
            return new McpServerError(
                'connect-timeout',
                `${server} did not answer in time when connecting${protocol}.`,
            );
        }
        if (timedOut) return new McpServerError('call-timeout', `${server} did not answer in time${protocol}.`);
        if (this.lastProtocolError !== null)
            return new McpServerError('protocol', `${server}: ${this.lastProtocolError}.`);
        return new McpServerError('protocol', `${server} failed (${errorName(error)}).`);
    }
}

/** JSON with object keys sorted at every level, so equal definitions hash equally whatever order a server uses. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
}

/** Rejects with a timeout when `promise` has not settled within `ms` (a backstop for the SDK's own timeouts). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new DeadlineError()), ms);
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Our own backstop deadline passed (turned into a worded `McpServerError` by `describe`). */
class DeadlineError extends Error {
    override readonly name = 'DeadlineError';
}

function isTimeout(error: unknown): boolean {
    if (error instanceof DeadlineError) return true;
    const code = (error as { code?: unknown } | null)?.code;
    // -32001 is the SDK's RequestTimeout error code.
    return code === -32001 || (error instanceof Error && /timed? ?out/i.test(error.message));
}

/** The class of an error, never its message: messages may quote what the server sent. */
function errorName(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && /^[A-Z_]{2,20}$/.test(code)) return code;
    return error instanceof Error ? error.name : 'unknown error';
}
