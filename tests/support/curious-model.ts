/**
 * A curious scripted model for privacy scans (docs/RELIABILITY.md rows 11, 12 and 15): it calls every read tool it is
 * offered on everything it can find — every folder listed, every listed or linked note read, outlined and followed,
 * searches for common words, tag lookups, guessed private paths, every PDF and image it can name (whole and by pages),
 * skills by name, an MCP server's file reader — batch by
 * batch until nothing is new. It is stateless: each answer is derived from the request alone (the calls already made
 * are in its history), so one responder serves a chat, parallel jobs, their sub-agents and the CLI at the same time.
 */
import {
    textTurn,
    toolUseTurn,
    type RecordedRequest,
    type Responder,
    type ScriptedResponse,
    type ToolCall,
} from './messages-api-server';

/** What the model pokes at before it has seen anything. */
export interface CuriousPlan {
    /** Folders to list (flat and recursive). */
    folders: readonly string[];
    /** Words to search for. */
    words: readonly string[];
    /** Tags to look up. */
    tags: readonly string[];
    /** Paths and names to read, outline and follow links of, whether or not they exist. */
    guesses: readonly string[];
    /** PDFs and images to read with `read_attachment` (whole, and a PDF by pages), whether or not they exist. */
    attachments?: readonly string[];
    /** Skills to ask for by name. */
    skills?: readonly string[];
    /** For each path found or guessed, calls to other tools (e.g. an MCP server's `read_file`), when offered. */
    alsoFor?: (path: string) => ToolCall[];
    /** Instructions of the `run_subtasks` fan-out, when the tool is offered (each names the guessed notes). */
    subtasks?: readonly { instruction: string; notes: string[] }[];
}

/** Tool calls per model turn. */
const BATCH = 25;

/** The model's last words, once it has nothing left to try. */
export const CURIOUS_DONE = 'I looked everywhere.';

/** The tool names a request offers. */
export function offeredTools(request: RecordedRequest): Set<string> {
    const tools = (request.body as { tools?: { name: string }[] }).tools ?? [];
    return new Set(tools.map((tool) => tool.name));
}

/** Whether the request is a `run_subtasks` child (its first user message carries the `<subtask>` element). */
export function isSubtaskRequest(request: RecordedRequest): boolean {
    return firstUserText(request).includes('<subtask>');
}

/** The first user message as text. */
export function firstUserText(request: RecordedRequest): string {
    const first = messages(request).find((message) => message.role === 'user');
    return first === undefined ? '' : typeof first.content === 'string' ? first.content : JSON.stringify(first.content);
}

/** The responder: every request gets the next batch of calls it has not made in this conversation, or its report. */
export function curiousResponder(plan: CuriousPlan): Responder {
    return (request) => nextMove(plan, request);
}

/** The curious model's answer to one request. */
export function nextMove(plan: CuriousPlan, request: RecordedRequest): ScriptedResponse {
    const { asked, results } = historyOf(request);
    // Children of a fan-out read what they were given and answer, so a fan-out stays cheap.
    if (isSubtaskRequest(request) && asked.size > 0) return textTurn(`Child summary: ${CURIOUS_DONE}`);
    const fresh = freshCalls(curiousCalls(plan, offeredTools(request), results), asked).slice(0, BATCH);
    return fresh.length === 0 ? textTurn(CURIOUS_DONE) : toolUseTurn(fresh);
}

/** Every call the model wants to make, given the tools offered and the results seen so far (first things first). */
export function curiousCalls(plan: CuriousPlan, offered: ReadonlySet<string>, results: readonly string[]): ToolCall[] {
    const wanted: ToolCall[] = [];
    const want = (name: string, input: Record<string, unknown>): void => {
        if (offered.has(name)) wanted.push({ name, input });
    };
    if (plan.subtasks !== undefined && plan.subtasks.length > 0) want('run_subtasks', { tasks: plan.subtasks });
    want('list_notes', {});
    want('list_notes', { recursive: true });
    for (const folder of plan.folders) {
        want('list_notes', { folder });
        want('list_notes', { folder, recursive: true });
    }
    for (const query of plan.words) want('search_notes', { query, limit: 100 });
    want('search_notes', { query: '.*', regex: true, limit: 100 });
    for (const tag of plan.tags) want('notes_with_tag', { tag });
    for (const name of plan.skills ?? []) want('use_skill', { name });
    const follow = (path: string): void => {
        want('read_note', { path });
        want('note_links', { path });
        want('note_outline', { path });
        for (const call of plan.alsoFor?.(path) ?? []) want(call.name, call.input as Record<string, unknown>);
    };
    const attachment = (path: string): void => {
        want('read_attachment', { path });
        if (/\.pdf$/i.test(path)) {
            want('read_attachment', { path, pages: '2-' });
        }
        for (const call of plan.alsoFor?.(path) ?? []) want(call.name, call.input as Record<string, unknown>);
    };
    for (const guess of plan.guesses) follow(guess);
    for (const path of plan.attachments ?? []) attachment(path);
    for (const text of results) {
        for (const path of text.match(/[\w./-]+\.(?:pdf|png)/gi) ?? []) attachment(path);
        for (const path of text.match(/[\w./-]+\.md/g) ?? []) {
            follow(path);
            if (path.includes('/')) want('list_notes', { folder: path.slice(0, path.lastIndexOf('/')) });
        }
        for (const [, target] of text.matchAll(/\[\[([^\]|#^]+)/g)) if (target !== undefined) follow(target);
    }
    return wanted;
}

/** The calls of `wanted` not yet in `asked` (keys from `callKey`), each once. */
export function freshCalls(wanted: readonly ToolCall[], asked: ReadonlySet<string>): ToolCall[] {
    const seen = new Set(asked);
    const fresh: ToolCall[] = [];
    for (const call of wanted) {
        const key = callKey(call.name, call.input);
        if (seen.has(key)) continue;
        seen.add(key);
        fresh.push(call);
    }
    return fresh;
}

interface Message {
    role: string;
    content: unknown;
}

function messages(request: RecordedRequest): Message[] {
    return (request.body as { messages?: Message[] }).messages ?? [];
}

/** The calls made so far (name + input) and every tool result's text, from the conversation in the request. */
function historyOf(request: RecordedRequest): { asked: Set<string>; results: string[] } {
    const asked = new Set<string>();
    const results: string[] = [];
    for (const message of messages(request)) {
        if (!Array.isArray(message.content)) continue;
        for (const block of message.content as Record<string, unknown>[]) {
            if (block.type === 'tool_use') asked.add(callKey(String(block.name), block.input));
            if (block.type === 'tool_result') results.push(plainText(block.content));
        }
    }
    return { asked, results };
}

/** A tool result's content as plain text (a string, or its text blocks joined). */
function plainText(content: unknown): string {
    if (typeof content === 'string') return content;
    if (!Array.isArray(content)) return '';
    return (content as Record<string, unknown>[])
        .map((block) => (typeof block.text === 'string' ? block.text : ''))
        .join('\n');
}

/** Identifies a call by tool and input. */
export function callKey(name: string, input: unknown): string {
    return `${name} ${JSON.stringify(input)}`;
}
