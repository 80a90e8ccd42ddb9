import { randomBytes } from 'node:crypto';

import type { ContentBlock, Message, RawMessageStreamEvent, Usage } from '@anthropic-ai/sdk/resources/messages';

import { estimateTokens, type PromptUsage } from './prompt-cache';
import {
    isServerBlock,
    serverBlockChars,
    serverDeltas,
    serverFinalBlock,
    serverStartBlock,
    serverToolUsage,
} from './server-tools';
import type { CutPoint, ScriptedBlock, ScriptedTurn } from './types';

/** One server-sent event: its `event:` name and its `data:` payload. */
export interface SseEvent {
    /** The `event:` line. */
    name: string;
    /** The JSON written on the `data:` line. */
    data: RawMessageStreamEvent | { type: 'ping' } | { type: 'error'; error: { type: string; message: string } };
}

/** A scripted turn turned into what the API would send: the whole message and its stream of events. */
export interface RenderedTurn {
    /** The non-streaming answer (and what `finalMessage()` should rebuild from the stream). */
    message: Message;
    /** The SSE events in the documented order. */
    events: SseEvent[];
    /** How many leading events a cut point lets through. */
    cutIndex(cut: CutPoint): number;
}

/** Facts about the request a turn answers. */
export interface RenderContext {
    /** The model the request asked for. */
    model: string;
    /** Input-side usage, from the prompt cache simulation. */
    prompt: PromptUsage;
    /** `standard` for /v1/messages, `batch` inside a Message Batch. */
    serviceTier: 'standard' | 'batch';
}

/** Builds the message and its events; throws (a script mistake) when a cut point names content the turn lacks. */
export function renderTurn(turn: ScriptedTurn, context: RenderContext): RenderedTurn {
    const blocks = turn.content.map(withId);
    const outputTokens =
        turn.usage?.output_tokens ??
        Math.max(
            1,
            blocks.reduce((n, b) => n + blockTokens(b), 0),
        );
    const usage: Usage = {
        input_tokens: turn.usage?.input_tokens ?? context.prompt.input_tokens,
        output_tokens: outputTokens,
        cache_creation_input_tokens:
            turn.usage?.cache_creation_input_tokens ?? context.prompt.cache_creation_input_tokens,
        cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? context.prompt.cache_read_input_tokens,
        cache_creation: context.prompt.cache_creation,
        inference_geo: null,
        output_tokens_details: null,
        server_tool_use: serverToolUsage(turn.content),
        service_tier: context.serviceTier,
        speed: null,
    };
    const message: Message = {
        id: `msg_${randomId()}`,
        type: 'message',
        role: 'assistant',
        model: turn.model ?? context.model,
        content: blocks.map(finalBlock),
        stop_reason: turn.stop_reason,
        stop_sequence: turn.stop_sequence ?? null,
        stop_details: turn.stop_details ?? null,
        container: null,
        diagnostics: null,
        usage,
    };
    const stream = streamEvents(message, blocks);
    return {
        message,
        events: stream.events,
        cutIndex: (cut) => {
            const index = cutIndexOf(cut, stream.marks);
            if (index === undefined)
                throw new Error(`scripted fault cuts at '${cut}' but the turn has no such content`);
            return index;
        },
    };
}

/** The bytes of one SSE event. */
export function formatSse(event: SseEvent): string {
    return `event: ${event.name}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** A random id in the API's style (letters and digits). */
export function randomId(): string {
    return randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
}

type IdentifiedBlock = ScriptedBlock & { id: string };

interface StreamMarks {
    /** Event count after message_start. */
    messageStart: number;
    /** Event count after each block's content_block_stop. */
    blockEnds: number[];
    /** Event count after the first text chunk of the first text block. */
    partialText: number | undefined;
    /** Event count after the first JSON piece of the first tool call. */
    partialTool: number | undefined;
}

function streamEvents(message: Message, blocks: IdentifiedBlock[]): { events: SseEvent[]; marks: StreamMarks } {
    const events: SseEvent[] = [];
    const push = (data: RawMessageStreamEvent) => events.push({ name: data.type, data });
    const marks: StreamMarks = { messageStart: 0, blockEnds: [], partialText: undefined, partialTool: undefined };
    const { usage } = message;
    push({
        type: 'message_start',
        message: {
            ...message,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            stop_details: null,
            // The API reports a first output token at the start; an endpoint that reports no usage sends zeros here too.
            usage: { ...usage, output_tokens: Math.min(1, usage.output_tokens) },
        },
    });
    marks.messageStart = events.length;
    blocks.forEach((block, index) => {
        push({ type: 'content_block_start', index, content_block: startBlock(block) });
        // The API sends one ping early in the stream; clients must skip it.
        if (index === 0) events.push({ name: 'ping', data: { type: 'ping' } });
        if (isServerBlock(block)) {
            for (const event of serverDeltas(block, index)) push(event);
        } else if (block.type === 'text') {
            // Each citation arrives as its own delta before the text it supports, as the API streams them.
            for (const citation of block.citations ?? []) {
                push({ type: 'content_block_delta', index, delta: { type: 'citations_delta', citation } });
            }
            for (const text of chunk(block.text, 24)) {
                push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
                marks.partialText ??= events.length;
            }
        } else if (block.type === 'thinking') {
            for (const thinking of chunk(block.thinking, 24)) {
                push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
            }
            push({
                type: 'content_block_delta',
                index,
                delta: { type: 'signature_delta', signature: signatureOf(block) },
            });
        } else if (block.type === 'compaction') {
            // The stable SDK's types lack the compaction delta; the wire format is the beta's.
            const delta = { type: 'compaction_delta', content: block.content, encrypted_content: null };
            push({ type: 'content_block_delta', index, delta } as unknown as RawMessageStreamEvent);
        } else {
            for (const partial_json of chunk(toolJson(block), 20, 3)) {
                push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
                marks.partialTool ??= events.length;
            }
        }
        push({ type: 'content_block_stop', index });
        marks.blockEnds.push(events.length);
    });
    if (blocks.length === 0) events.push({ name: 'ping', data: { type: 'ping' } });
    push({
        type: 'message_delta',
        delta: {
            stop_reason: message.stop_reason,
            stop_sequence: message.stop_sequence,
            stop_details: message.stop_details,
            container: null,
        },
        usage: {
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            cache_creation_input_tokens: usage.cache_creation_input_tokens,
            cache_read_input_tokens: usage.cache_read_input_tokens,
            output_tokens_details: null,
            server_tool_use: usage.server_tool_use,
        },
    });
    push({ type: 'message_stop' });
    return { events, marks };
}

function cutIndexOf(cut: CutPoint, marks: StreamMarks): number | undefined {
    if (cut === 'headers') return 0;
    if (cut === 'message_start') return marks.messageStart;
    if (cut === 'text') return marks.partialText;
    if (cut === 'partial-tool') return marks.partialTool;
    if (cut <= 0) return marks.messageStart;
    return marks.blockEnds[Math.min(cut, marks.blockEnds.length) - 1] ?? marks.messageStart;
}

function withId(block: ScriptedBlock): IdentifiedBlock {
    if (block.type === 'server_tool_use') return { ...block, id: block.id ?? `srvtoolu_${randomId()}` };
    return { ...block, id: block.type === 'tool_use' && block.id ? block.id : `toolu_${randomId()}` };
}

function toolJson(block: IdentifiedBlock & { type: 'tool_use' }): string {
    const json = JSON.stringify(block.input ?? {});
    return block.truncateJsonAt === undefined ? json : json.slice(0, block.truncateJsonAt);
}

function signatureOf(block: IdentifiedBlock & { type: 'thinking' }): string {
    return block.signature ?? 'c2NyaXB0ZWQtdGhpbmtpbmctc2lnbmF0dXJl';
}

function blockTokens(block: IdentifiedBlock): number {
    if (isServerBlock(block)) return estimateTokens('x'.repeat(serverBlockChars(block)));
    if (block.type === 'text') return estimateTokens(block.text);
    if (block.type === 'thinking') return estimateTokens(block.thinking);
    if (block.type === 'compaction') return estimateTokens(block.content ?? '');
    return estimateTokens(toolJson(block));
}

function startBlock(block: IdentifiedBlock): ContentBlock {
    if (isServerBlock(block)) return serverStartBlock(block);
    if (block.type === 'text') return { type: 'text', text: '', citations: null };
    if (block.type === 'thinking') return { type: 'thinking', thinking: '', signature: '' };
    if (block.type === 'compaction') return compactionBlock(null);
    return { type: 'tool_use', id: block.id, name: block.name, input: {}, caller: { type: 'direct' } };
}

function finalBlock(block: IdentifiedBlock): ContentBlock {
    if (isServerBlock(block)) return serverFinalBlock(block);
    if (block.type === 'text') return { type: 'text', text: block.text, citations: block.citations ?? null };
    if (block.type === 'thinking') return { type: 'thinking', thinking: block.thinking, signature: signatureOf(block) };
    if (block.type === 'compaction') return compactionBlock(block.content);
    const input = block.truncateJsonAt === undefined ? block.input : parseOr(toolJson(block), {});
    return { type: 'tool_use', id: block.id, name: block.name, input, caller: { type: 'direct' } };
}

/** A compaction block as the beta sends it; not among the stable SDK's content block types. */
function compactionBlock(content: string | null): ContentBlock {
    return { type: 'compaction', content, encrypted_content: null } as unknown as ContentBlock;
}

function parseOr(json: string, fallback: unknown): unknown {
    try {
        return JSON.parse(json) as unknown;
    } catch {
        return fallback;
    }
}

/** Splits by code point (never inside an emoji) into at least `minPieces` pieces of at most `size` code points. */
function chunk(text: string, size: number, minPieces = 2): string[] {
    const points = Array.from(text);
    if (points.length === 0) return [];
    const width = Math.max(1, Math.min(size, Math.ceil(points.length / minPieces)));
    const pieces: string[] = [];
    for (let start = 0; start < points.length; start += width) pieces.push(points.slice(start, start + width).join(''));
    return pieces;
}
