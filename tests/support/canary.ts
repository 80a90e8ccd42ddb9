/**
 * Canary scans (docs/RELIABILITY.md rows 11, 12 and 23): a unique random string placed in every excluded note, the
 * excluded notes' distinctive names, and an API key that must stay in headers and the environment. A `LeakRecorder`
 * collects every byte a route produced, labelled by route, and reports each place a canary turned up with a short
 * excerpt, so a failing scan says which route leaked what instead of "expected false to be true".
 *
 * Attachments travel as base64 (a request's `document` and `image` sources, an MCP result's `image` data and
 * `resource` blobs, base64 inside a tool result's text), where the canary's letters do not appear. `recordPayloads`
 * decodes every base64 run it finds and records the bytes, the text inside a PDF's (deflated) streams and hex strings,
 * a PNG's text chunks, and a PDF's text as the CLI's own PDF reader extracts it for the text fallback.
 */
import { randomUUID } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { unpdfTextReader } from '../../src/cli/pdf-text-node';
import type { RecordedRequest } from './messages-api-server';

/** The secrets one suite plants. */
export interface Canaries {
    /** Placed in the text of every excluded note. */
    content: string;
    /** The excluded notes' names: words that appear nowhere else, so any occurrence is a leak. */
    names: readonly string[];
    /** The API key the model server accepts; allowed only in request headers and the CLI's environment. */
    apiKey: string;
}

/** Fresh canaries for one run; `names` are the distinctive note names the suite uses. */
export function makeCanaries(names: readonly string[]): Canaries {
    const id = randomUUID();
    return { content: `CANARY-${id}`, names, apiKey: `sk-ant-canary-${id.slice(0, 13)}` };
}

/** What a scan looks for in one recording. */
export type CanaryKind = 'content' | 'name' | 'key';

/** One canary found where it must not be. */
export interface Leak {
    /** The route that produced the text (`model request`, `cli ask stdout`, `notice`, …). */
    route: string;
    /** Which canary. */
    kind: CanaryKind;
    /** The canary found. */
    found: string;
    /** Up to 80 characters either side of it. */
    excerpt: string;
}

interface Recording {
    route: string;
    text: string;
    kinds: readonly CanaryKind[];
}

/** Collects what every route produced and scans it all at once. */
export class LeakRecorder {
    private readonly recordings: Recording[] = [];

    constructor(private readonly canaries: Canaries) {}

    /**
     * Records `text` produced by `route`, scanned for the given canaries (all three by default). Routes that quote what
     * the person typed (a guessed name, a mention) record with `['content', 'key']`, after `withoutEchoes` if needed.
     */
    record(route: string, text: string, kinds: readonly CanaryKind[] = ['content', 'name', 'key']): void {
        this.recordings.push({ route, text, kinds });
    }

    /**
     * Records every base64 payload inside `value` (a request body, an MCP result; any JSON) decoded, as
     * `<route> (decoded <kind>)`, and a PDF's extracted text as `<route> (pdf text)`. Returns how many payloads there
     * were.
     */
    async recordPayloads(
        route: string,
        value: unknown,
        kinds: readonly CanaryKind[] = ['content', 'key'],
    ): Promise<number> {
        const payloads = base64Payloads(value);
        for (const bytes of payloads) {
            const kind = isPdf(bytes) ? 'pdf' : isPng(bytes) ? 'png' : 'bytes';
            this.record(`${route} (decoded ${kind})`, readableText(bytes), kinds);
            if (kind === 'pdf') this.record(`${route} (pdf text)`, await pdfText(bytes), kinds);
        }
        return payloads.length;
    }

    /** The routes whose recordings hold `marker` (a positive control: what must be seen where it is visible). */
    routesWith(marker: string): string[] {
        return [...new Set(this.recordings.filter((r) => r.text.includes(marker)).map((r) => r.route))];
    }

    /** Every route recorded so far, with how many bytes each produced. */
    routes(): Map<string, number> {
        const sizes = new Map<string, number>();
        for (const { route, text } of this.recordings) sizes.set(route, (sizes.get(route) ?? 0) + text.length);
        return sizes;
    }

    /** Every leak in everything recorded. */
    leaks(): Leak[] {
        return this.recordings.flatMap((recording) => this.scan(recording));
    }

    /** Leaks in the recordings of routes whose label starts with `prefix`. */
    leaksIn(prefix: string): Leak[] {
        return this.recordings.filter((r) => r.route.startsWith(prefix)).flatMap((r) => this.scan(r));
    }

    private scan({ route, text, kinds }: Recording): Leak[] {
        const wanted: [CanaryKind, string][] = [];
        if (kinds.includes('content')) wanted.push(['content', this.canaries.content]);
        if (kinds.includes('key')) wanted.push(['key', this.canaries.apiKey]);
        if (kinds.includes('name')) for (const name of this.canaries.names) wanted.push(['name', name]);
        const leaks: Leak[] = [];
        for (const [kind, found] of wanted) {
            const at = text.indexOf(found);
            if (at === -1) continue;
            const excerpt = text.slice(Math.max(0, at - 80), at + found.length + 80).replace(/\s+/g, ' ');
            leaks.push({ route, kind, found, excerpt });
        }
        return leaks;
    }
}

/**
 * Drops double-quoted spans: "Not found" and "No matches" answers quote what the model or person typed (a guessed
 * name), which is not news; only what lies outside those quotes can leak.
 */
export function withoutEchoes(text: string): string {
    return text.replace(/"[^"\n]*"/g, '""');
}

/** Removes every occurrence of what the person typed, so a scan for names judges only what the product added. */
export function withoutTyped(text: string, typed: readonly string[]): string {
    let rest = text;
    for (const phrase of typed) if (phrase !== '') rest = rest.split(phrase).join('');
    return rest;
}

/**
 * The parts of one Messages request that came from the product rather than from the person or the model's own
 * words: the system prompt, the tool definitions, user text (with `typed` removed) and tool results (echoes
 * removed). Assistant turns are left out: they are the model's own guesses, replayed.
 */
export function productTextOf(request: RecordedRequest, typed: readonly string[]): string {
    const body = request.body as { system?: unknown; tools?: unknown; messages?: { role: string; content: unknown }[] };
    const parts: string[] = [JSON.stringify(body.system ?? ''), JSON.stringify(body.tools ?? '')];
    for (const message of body.messages ?? []) {
        if (message.role !== 'user') continue;
        const blocks =
            typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
        for (const block of Array.isArray(blocks) ? (blocks as Record<string, unknown>[]) : []) {
            // The model's own words come back quoted in user text too (a sub-agent's task names its notes).
            if (block.type === 'text') parts.push(withoutEchoes(withoutTyped(String(block.text), typed)));
            else if (block.type === 'tool_result') parts.push(withoutEchoes(plainText(block.content)));
        }
    }
    return parts.join('\n');
}

/**
 * Records one Messages-API request: every byte of its body (content and key), its product text (names), and every
 * attachment it carries, decoded (content and key).
 */
export async function recordModelRequest(
    recorder: LeakRecorder,
    request: RecordedRequest,
    typed: readonly string[],
    route = 'model request',
): Promise<void> {
    recorder.record(`${route} body #${request.index}`, request.rawBody, ['content', 'key']);
    if (request.body !== undefined) {
        recorder.record(`${route} #${request.index}`, productTextOf(request, typed), ['name']);
        await recorder.recordPayloads(`${route} body #${request.index}`, request.body);
    }
}

/** A run of base64 long enough to be a file (a canary-sized text is 60 characters of base64). */
const BASE64_RUN = /[A-Za-z0-9+/]{48,}={0,2}/g;

/** Every base64 run in every string of `value`, decoded. */
export function base64Payloads(value: unknown): Buffer[] {
    const found: Buffer[] = [];
    const visit = (inner: unknown): void => {
        if (typeof inner === 'string') {
            for (const [run] of inner.matchAll(BASE64_RUN)) found.push(Buffer.from(run, 'base64'));
        } else if (Array.isArray(inner)) {
            for (const item of inner) visit(item);
        } else if (typeof inner === 'object' && inner !== null) {
            for (const item of Object.values(inner)) visit(item);
        }
    };
    visit(value);
    return found;
}

/**
 * What of `bytes` a reader could see as text: the bytes as Latin-1, then, for a PDF, every stream inflated where it is
 * deflated and every hex string (`<4341…>`) decoded; for a PNG, its compressed text chunks inflated.
 */
export function readableText(bytes: Buffer): string {
    const parts = [bytes.toString('latin1')];
    if (isPdf(bytes)) {
        const streams = [...parts[0]!.matchAll(/stream\r?\n/g)].map((match) => match.index + match[0].length);
        for (const start of streams) {
            const end = bytes.indexOf('endstream', start, 'latin1');
            if (end === -1) continue;
            const inflated = tryInflate(bytes.subarray(start, end));
            if (inflated !== null) parts.push(inflated.toString('latin1'));
        }
        const hex = parts.flatMap((part) => [...part.matchAll(/<([0-9A-Fa-f\s]{4,})>/g)]);
        for (const [, digits] of hex) parts.push(Buffer.from(digits!.replace(/\s/g, ''), 'hex').toString('latin1'));
    } else if (isPng(bytes)) {
        for (let at = 8; at + 8 <= bytes.length;) {
            const length = bytes.readUInt32BE(at);
            const type = bytes.toString('latin1', at + 4, at + 8);
            const data = bytes.subarray(at + 8, at + 8 + length);
            if (type === 'zTXt' || type === 'iTXt') {
                const name = data.indexOf(0);
                const inflated = tryInflate(data.subarray(name + 2));
                if (inflated !== null) parts.push(inflated.toString('utf8'));
            }
            at += 12 + length;
        }
    }
    return parts.join('\n');
}

/** Extracted texts by file, base64: a conversation re-sends the same files with every request. */
const extracted = new Map<string, Promise<string>>();

/** A PDF's text as the CLI's reader extracts it for endpoints without documents; `''` when it cannot be read. */
function pdfText(bytes: Buffer): Promise<string> {
    const key = bytes.toString('base64');
    let text = extracted.get(key);
    if (text === undefined) {
        text = extractPdfText(bytes);
        extracted.set(key, text);
    }
    return text;
}

async function extractPdfText(bytes: Buffer): Promise<string> {
    try {
        const document = await unpdfTextReader.open(new Uint8Array(bytes));
        const pages: string[] = [];
        for (let page = 1; page <= document.pageCount; page++) pages.push(await document.pageText(page));
        await document.close();
        return pages.join('\n');
    } catch {
        return '';
    }
}

function tryInflate(bytes: Buffer): Buffer | null {
    try {
        return inflateSync(bytes);
    } catch {
        return null;
    }
}

function isPdf(bytes: Buffer): boolean {
    return bytes.toString('latin1', 0, 5) === '%PDF-';
}

function isPng(bytes: Buffer): boolean {
    return bytes.length > 8 && bytes.toString('latin1', 1, 4) === 'PNG';
}

/** A content field as plain text: a string, or its text blocks joined. */
function plainText(content: unknown): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return (content as Record<string, unknown>[])
        .map((block) => (typeof block.text === 'string' ? block.text : ''))
        .join('\n');
}
