/**
 * Builds each request so the prompt cache can serve it: a stable prefix (tool definitions, the system prompt, the
 * vault's instructions) marked with `cache_control` breakpoints on the last tool and the last system block, and a
 * moving breakpoint on the newest message so each request reads the previous history from the cache. The prefix is
 * built once per session and reused, so it is byte-identical between requests. At most 4 breakpoints: tools, system,
 * the newest message, and the newest message of the previous request (so the cache's 20-block lookback always finds
 * it, however many tool results came in between).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { ToolDefinition } from '../tools/tool';
import type { HistoryMessage } from './conversation';

const EPHEMERAL: Anthropic.CacheControlEphemeral = Object.freeze({ type: 'ephemeral' });

/** What makes up the stable prefix. */
export interface PromptPrefixInput {
    /** The engine's own system prompt. */
    systemPrompt: string;
    /** The vault's instructions (an instructions note), empty when there are none. */
    instructions: string;
    /** The tools offered in this session. */
    tools: readonly ToolDefinition[];
    /** Deterministic text for the end of the prefix (the skills index); empty or absent adds nothing. */
    extras?: string;
    /** The instructions of the attached context (`ContextBundle.system()`), already framed; empty adds nothing. */
    contextInstructions?: string;
}

/**
 * The stable part of every request of one session, in both forms (with and without cache breakpoints). Only the
 * context's instructions may change, between turns, when the person edits them (`setContextInstructions`); tools
 * come first in a request, so their cache survives such a change.
 */
export class PromptPrefix {
    private readonly input: PromptPrefixInput;
    private plainSystem: readonly Anthropic.TextBlockParam[] = [];
    private readonly plainTools: readonly Anthropic.Tool[];
    private cachedSystem: readonly Anthropic.TextBlockParam[] = [];
    private readonly cachedTools: readonly Anthropic.Tool[];

    constructor(input: PromptPrefixInput) {
        this.input = { ...input };
        this.plainTools = Object.freeze(input.tools.map(sentTool));
        this.cachedTools = deepFreeze(markLast(this.plainTools));
        this.buildSystem();
    }

    /** The context's instructions now; `true` when they differ from before (the system prefix then changes). */
    setContextInstructions(text: string): boolean {
        if ((this.input.contextInstructions ?? '') === text) return false;
        this.input.contextInstructions = text;
        this.buildSystem();
        return true;
    }

    /** The system blocks; the last carries a breakpoint when `caching`. */
    system(caching: boolean): Anthropic.TextBlockParam[] {
        return [...(caching ? this.cachedSystem : this.plainSystem)];
    }

    /** The tool definitions; the last carries a breakpoint when `caching`. */
    tools(caching: boolean): Anthropic.Tool[] {
        return [...(caching ? this.cachedTools : this.plainTools)];
    }

    /** The system blocks and tool definitions without breakpoints, for token estimates. */
    plain(): { system: readonly Anthropic.TextBlockParam[]; tools: readonly Anthropic.Tool[] } {
        return { system: this.plainSystem, tools: this.plainTools };
    }

    private buildSystem(): void {
        const input = this.input;
        const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: input.systemPrompt }];
        if (input.instructions.trim() !== '') {
            system.push({ type: 'text', text: `The vault's instructions for you:\n\n${input.instructions}` });
        }
        const attached = input.contextInstructions ?? '';
        if (attached.trim() !== '') system.push({ type: 'text', text: attached });
        const extras = input.extras ?? '';
        if (extras.trim() !== '') system.push({ type: 'text', text: extras });
        this.plainSystem = deepFreeze(system);
        this.cachedSystem = deepFreeze(markLast(this.plainSystem));
    }
}

/**
 * Each tool definition as a request carries it, deep-frozen: made once per definition object and shared by every
 * session that offers the tool. Definitions are not changed once made; a queue would otherwise copy and freeze every
 * schema again at each job's start (decision 0031).
 */
const SENT_TOOLS = new WeakMap<ToolDefinition, { schema: object; sent: Anthropic.Tool }>();

function sentTool(tool: ToolDefinition): Anthropic.Tool {
    const kept = SENT_TOOLS.get(tool);
    // A definition given another name, description or schema object since is built again.
    const same = kept?.schema === tool.inputSchema && kept.sent.name === tool.name;
    if (kept !== undefined && same && kept.sent.description === tool.description) return kept.sent;
    const sent = deepFreeze({
        name: tool.name,
        description: tool.description,
        // A copy: freezing must not reach into the tools' own schema objects.
        input_schema: structuredClone(tool.inputSchema) as Anthropic.Tool.InputSchema,
    });
    SENT_TOOLS.set(tool, { schema: tool.inputSchema, sent });
    return sent;
}

/** What one request is built from. */
export interface RequestInput {
    /** Model id. */
    model: string;
    /** Output token limit. */
    maxTokens: number;
    /** The session's stable prefix. */
    prefix: PromptPrefix;
    /** The history, newest last. */
    messages: readonly HistoryMessage[];
    /** Index of the newest message of the previous request in this turn, or -1. */
    previousLast: number;
    /** False when the endpoint lacks prompt caching: no `cache_control` anywhere. */
    caching: boolean;
    /** Server tools (web search and fetch) after the cached tool definitions; absent or empty adds none. */
    serverTools?: readonly Anthropic.ToolUnion[];
}

/** The streamed request's parameters; history objects are copied, never marked in place. */
export function buildRequest(input: RequestInput): Anthropic.MessageStreamParams {
    const { caching } = input;
    const marked = new Set<number>();
    if (caching) {
        const newest = input.messages.length - 1;
        if (newest >= 0) marked.add(newest);
        if (input.previousLast >= 0 && input.previousLast < newest) marked.add(input.previousLast);
    }
    let messages = input.messages.map((message, index) =>
        marked.has(index) ? { ...message, content: markLastCacheable(message.content) } : message,
    );
    const tools: Anthropic.ToolUnion[] = [...input.prefix.tools(caching), ...(input.serverTools ?? [])];
    // A breakpoint left over goes on the newest PDF or image: a conversation over one paper reads it from the cache
    // however much is said after it.
    const used = marked.size + (tools.length > 0 ? 1 : 0) + (input.prefix.system(false).length > 0 ? 1 : 0);
    if (caching && used < MAX_BREAKPOINTS) messages = markNewestAttachment(messages);
    return {
        model: input.model,
        max_tokens: input.maxTokens,
        system: input.prefix.system(caching),
        messages,
        ...(tools.length > 0 ? { tools } : {}),
    };
}

/** How many `cache_control` breakpoints a request carries (the API allows 4). */
export function countBreakpoints(params: Anthropic.MessageStreamParams): number {
    let count = 0;
    const visit = (value: unknown): void => {
        if (Array.isArray(value)) for (const item of value) visit(item);
        else if (typeof value === 'object' && value !== null) {
            if ('cache_control' in value && (value as { cache_control?: unknown }).cache_control) count++;
            if ('content' in value) visit(value.content);
        }
    };
    visit(params.tools);
    visit(params.system);
    visit(params.messages);
    return count;
}

/** The API's limit of `cache_control` breakpoints in one request. */
const MAX_BREAKPOINTS = 4;

/** `messages` with a breakpoint on the newest document or image block (top level or in a tool result) not yet marked. */
function markNewestAttachment(messages: HistoryMessage[]): HistoryMessage[] {
    for (let m = messages.length - 1; m >= 0; m--) {
        const message = messages[m] as HistoryMessage;
        for (let b = message.content.length - 1; b >= 0; b--) {
            const block = message.content[b] as Anthropic.ContentBlockParam;
            const marked = markAttachmentIn(block);
            if (marked === 'already') return messages;
            if (marked === null) continue;
            const content = [...message.content];
            content[b] = marked;
            const copy = [...messages];
            copy[m] = { ...message, content };
            return copy;
        }
    }
    return messages;
}

/** `block` with the breakpoint on it (or on its last attachment, for a tool result); `'already'`; `null` for none. */
function markAttachmentIn(block: Anthropic.ContentBlockParam): Anthropic.ContentBlockParam | 'already' | null {
    if (block.type === 'document' || block.type === 'image') {
        return block.cache_control ? 'already' : { ...block, cache_control: EPHEMERAL };
    }
    if (block.type !== 'tool_result' || !Array.isArray(block.content)) return null;
    const inner = block.content;
    for (let i = inner.length - 1; i >= 0; i--) {
        const part = inner[i];
        if (part === undefined || (part.type !== 'document' && part.type !== 'image')) continue;
        if (part.cache_control || block.cache_control) return 'already';
        const content = [...inner];
        content[i] = { ...part, cache_control: EPHEMERAL };
        return { ...block, content };
    }
    return null;
}

function markLast<T extends object>(items: readonly T[]): T[] {
    return items.map((item, index) => (index === items.length - 1 ? { ...item, cache_control: EPHEMERAL } : item));
}

/** Thinking blocks cannot carry `cache_control`; the breakpoint goes on the last block that can. */
function markLastCacheable(content: readonly Anthropic.ContentBlockParam[]): Anthropic.ContentBlockParam[] {
    const copy = [...content];
    for (let i = copy.length - 1; i >= 0; i--) {
        const block = copy[i];
        if (block === undefined || block.type === 'thinking' || block.type === 'redacted_thinking') continue;
        copy[i] = { ...block, cache_control: EPHEMERAL };
        break;
    }
    return copy;
}

function deepFreeze<T>(value: T): T {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const inner of Object.values(value)) deepFreeze(inner);
    }
    return value;
}
