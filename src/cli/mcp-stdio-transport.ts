/**
 * The MCP server's stdio transport: one JSON-RPC message per line on stdin, one per line on stdout. It replaces the
 * SDK's `StdioServerTransport`, which closes the whole connection (and so ends `vault-agent mcp` with exit code 0,
 * silently) when one line is over its 10 MB buffer, and says nothing to a client whose line is not JSON.
 *
 * Here a line over the limit is discarded as it streams in, never buffered whole, and answered with a JSON-RPC
 * "invalid request" error; a line that is not JSON gets a "parse error"; JSON that is not a JSON-RPC message gets an
 * "invalid request". The error carries the request's id when it can be read cheaply (the start and the end of the line
 * are kept, where the SDK's clients put `"id"`), else `null` as JSON-RPC asks. Every later line is served as usual.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
    ErrorCode,
    JSONRPCMessageSchema,
    type JSONRPCMessage,
    type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

/** The longest line read: the SDK's own limit, so a client that works with other servers works here. */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** Bytes kept from the start and the end of an oversized line, to find its id. */
const KEPT_BYTES = 512;

/** The id right at the start of a message: `{"id":…` or `{"jsonrpc":"2.0","id":…`. */
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/;
/** The id as the message's last member: `…,"id":7}`. A nested object would end in more than one brace. */
const ID_AT_END = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")\s*\}\s*$/;

/** What the transport needs. */
export interface LineStdioTransportOptions {
    /** Where messages come in. */
    stdin: Readable;
    /** Where messages go out; nothing else may be written there. */
    stdout: Writable;
    /** The longest line accepted, in bytes (default `MAX_MESSAGE_BYTES`). */
    maxMessageBytes?: number;
    /** Hears each refused line, in one sentence for the person (stderr). */
    onRefused?: (reason: string) => void;
}

/** Newline-delimited JSON-RPC over a pair of streams, bounded per line and never closed by a bad line. */
export class LineStdioTransport implements Transport {
    onclose?: () => void;
    onerror?: (error: Error) => void;
    onmessage?: (message: JSONRPCMessage) => void;

    private readonly maxBytes: number;
    /** The current line so far (while it is within the limit). */
    private pieces: Buffer[] = [];
    private size = 0;
    /** The current line is over the limit: its bytes are dropped, only its start and end are kept. */
    private discarding = false;
    private head = Buffer.alloc(0);
    private tail = Buffer.alloc(0);
    private discarded = 0;
    private started = false;
    private closed = false;

    constructor(private readonly options: LineStdioTransportOptions) {
        this.maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    }

    start(): Promise<void> {
        if (this.started) throw new Error('The transport was already started.');
        this.started = true;
        this.options.stdin.on('data', this.onData);
        this.options.stdin.on('error', this.onStreamError);
        return Promise.resolve();
    }

    send(message: JSONRPCMessage): Promise<void> {
        return this.writeLine(message);
    }

    close(): Promise<void> {
        if (this.closed) return Promise.resolve();
        this.closed = true;
        this.options.stdin.off('data', this.onData);
        this.options.stdin.off('error', this.onStreamError);
        if (this.options.stdin.listenerCount('data') === 0) this.options.stdin.pause();
        this.resetLine();
        this.onclose?.();
        return Promise.resolve();
    }

    private readonly onStreamError = (error: Error): void => {
        this.onerror?.(error);
    };

    private readonly onData = (data: Buffer | string): void => {
        const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
        let start = 0;
        while (start <= chunk.length && !this.closed) {
            const newline = chunk.indexOf(0x0a, start);
            const end = newline === -1 ? chunk.length : newline;
            this.take(chunk.subarray(start, end));
            if (newline === -1) return;
            this.endLine();
            start = newline + 1;
        }
    };

    /** Adds part of the current line, switching to discarding once it passes the limit. */
    private take(piece: Buffer): void {
        if (piece.length === 0) return;
        if (this.discarding) {
            this.discarded += piece.length;
            this.keepTail(piece);
            return;
        }
        if (this.size + piece.length <= this.maxBytes) {
            this.pieces.push(piece);
            this.size += piece.length;
            return;
        }
        // Over the limit: keep the start and the end for the id, drop everything else from here on.
        const sofar = Buffer.concat([...this.pieces, piece.subarray(0, Math.min(piece.length, KEPT_BYTES))]);
        this.head = Buffer.from(sofar.subarray(0, KEPT_BYTES));
        this.discarding = true;
        this.discarded = this.size + piece.length;
        this.pieces = [];
        this.size = 0;
        this.keepTail(piece);
    }

    private keepTail(piece: Buffer): void {
        const last = piece.length > KEPT_BYTES ? piece.subarray(piece.length - KEPT_BYTES) : piece;
        const joined = Buffer.concat([this.tail, last]);
        this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - KEPT_BYTES)));
    }

    private endLine(): void {
        if (this.discarding) {
            const id = idOf(this.head.toString('utf8'), this.tail.toString('utf8'));
            const megabytes = Math.round(this.maxBytes / 1024 / 1024);
            this.options.onRefused?.(
                `a request of ${this.discarded} bytes (over ${megabytes} MB) was refused; the server keeps serving`,
            );
            this.resetLine();
            void this.answerError(
                id,
                ErrorCode.InvalidRequest,
                `Request too large: a message may be at most ${megabytes} MB.`,
            );
            return;
        }
        const line = Buffer.concat(this.pieces).toString('utf8').replace(/\r$/, '');
        this.resetLine();
        if (line.trim() === '') return;
        let parsed: unknown;
        try {
            parsed = JSON.parse(line);
        } catch {
            this.options.onRefused?.('a line that is not JSON was refused');
            void this.answerError(null, ErrorCode.ParseError, 'Parse error: the message is not valid JSON.');
            return;
        }
        const message = JSONRPCMessageSchema.safeParse(parsed);
        if (!message.success) {
            this.options.onRefused?.('a message that is not JSON-RPC was refused');
            void this.answerError(
                readableId(parsed),
                ErrorCode.InvalidRequest,
                'Invalid request: not a JSON-RPC 2.0 message.',
            );
            return;
        }
        try {
            this.onmessage?.(message.data);
        } catch (error) {
            this.onerror?.(error instanceof Error ? error : new Error(String(error)));
        }
    }

    private resetLine(): void {
        this.pieces = [];
        this.size = 0;
        this.discarding = false;
        this.head = Buffer.alloc(0);
        this.tail = Buffer.alloc(0);
        this.discarded = 0;
    }

    private answerError(id: RequestId | null, code: number, text: string): Promise<void> {
        // JSON-RPC answers a request it could not read with id null; the SDK's types know only real ids.
        return this.writeLine({ jsonrpc: '2.0', id, error: { code, message: text } } as unknown as JSONRPCMessage);
    }

    private writeLine(message: JSONRPCMessage): Promise<void> {
        return new Promise((resolve) => {
            if (this.options.stdout.write(`${JSON.stringify(message)}\n`)) resolve();
            else this.options.stdout.once('drain', resolve);
        });
    }
}

/** The id of an oversized line, from its start or its end; `null` when neither shows it plainly. */
function idOf(head: string, tail: string): RequestId | null {
    const found = ID_AT_START.exec(head)?.[1] ?? ID_AT_END.exec(tail)?.[1];
    if (found === undefined) return null;
    try {
        const id = JSON.parse(found) as unknown;
        return typeof id === 'string' || typeof id === 'number' ? id : null;
    } catch {
        return null;
    }
}

/** The id of parsed JSON that is not a valid message, when it has a usable one. */
function readableId(parsed: unknown): RequestId | null {
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
    const id = (parsed as { id?: unknown }).id;
    return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
