/**
 * Canary scans (docs/RELIABILITY.md rows 11, 12 and 23): a unique random string placed in every excluded note, the
 * excluded notes' distinctive names, and an API key that must stay in headers and the environment. A `LeakRecorder`
 * collects every byte a route produced, labelled by route, and reports each place a canary turned up with a short
 * excerpt, so a failing scan says which route leaked what instead of "expected false to be true".
 */
import { randomUUID } from 'node:crypto';
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

/** Records one Messages-API request: every byte of its body (content and key), and its product text (names). */
export function recordModelRequest(
    recorder: LeakRecorder,
    request: RecordedRequest,
    typed: readonly string[],
    route = 'model request',
): void {
    recorder.record(`${route} body #${request.index}`, request.rawBody, ['content', 'key']);
    if (request.body !== undefined)
        recorder.record(`${route} #${request.index}`, productTextOf(request, typed), ['name']);
}

/** A content field as plain text: a string, or its text blocks joined. */
function plainText(content: unknown): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return (content as Record<string, unknown>[])
        .map((block) => (typeof block.text === 'string' ? block.text : ''))
        .join('\n');
}
