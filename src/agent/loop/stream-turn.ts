/**
 * One model call: stream the response, assemble its content blocks from the raw events, and watch for silence. The
 * SDK's own timeout does not fire once response headers have arrived, so an idle watchdog aborts a stream that sends
 * nothing for `idleTimeoutMs` and reports it as a stall. Whatever arrived before a failure is handed back with the
 * error, so the loop can keep partial text and knows a half-streamed tool call never completed.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent, StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { ModelClient, ServerCompactionRequest, StreamParams } from '../model-client';
import { Cancelled, ConnectionLost, Timeout, type ModelError } from '../model-errors';
import type { UsageLike } from '../pricing';

/** A content block as it arrived; `complete` once its `content_block_stop` came. */
export type StreamedBlock =
    | { type: 'text'; text: string; complete: boolean }
    | { type: 'thinking'; thinking: string; signature: string; complete: boolean }
    | { type: 'redacted_thinking'; data: string; complete: boolean }
    | {
          type: 'tool_use';
          id: string;
          name: string;
          /** The input JSON as streamed. */
          json: string;
          /** The parsed input; `undefined` while the JSON is incomplete or invalid. */
          input: unknown;
          complete: boolean;
      }
    | { type: 'other'; block: Anthropic.ContentBlock; complete: boolean };

/** What one call produced, whole or in part. */
export interface StreamedCall {
    /** Blocks in order. */
    blocks: StreamedBlock[];
    /** Why the model stopped; `null` when the stream never said. */
    stopReason: StopReason | null;
    /** Usage from `message_start`, updated by `message_delta`. */
    usage: UsageLike;
    /** Whether `message_stop` arrived. */
    finished: boolean;
    /** The request id, when the response said. */
    requestId?: string;
}

/** A call that failed: the classified error, the raw one, and what had arrived. */
export class ModelCallFailed extends Error {
    override readonly name: string = 'ModelCallFailed';

    constructor(
        /** The typed error. */
        readonly error: ModelError,
        /** What the SDK threw (the capabilities learn from it). */
        readonly raw: unknown,
        /** What arrived before the failure. */
        readonly partial: StreamedCall,
    ) {
        super(error.summary, { cause: raw });
    }
}

/** What one call needs. */
export interface StreamCallOptions {
    /** The model client. */
    client: ModelClient;
    /** The request. */
    params: StreamParams;
    /** The turn's signal (Stop). */
    signal: AbortSignal;
    /** Silence after which the stream counts as stalled, in ms. */
    idleTimeoutMs: number;
    /** Hears text as it streams. */
    onText?: (delta: string) => void;
    /** Lets the endpoint compact older turns itself, where it can. */
    compaction?: ServerCompactionRequest;
}

/** Streams one response; rejects with `ModelCallFailed`, whose `partial` holds what arrived. */
export async function streamModelCall(options: StreamCallOptions): Promise<StreamedCall> {
    const { client, signal, idleTimeoutMs } = options;
    const call: StreamedCall = { blocks: [], stopReason: null, usage: {}, finished: false };
    const controller = new AbortController();
    let stalled = false;
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });

    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => {
            stalled = true;
            controller.abort();
        }, idleTimeoutMs);
    };
    arm();
    try {
        const compaction = options.compaction;
        const stream = client.stream(options.params, {
            signal: controller.signal,
            ...(compaction !== undefined ? { compaction } : {}),
        });
        stream.on('connect', arm);
        stream.on('streamEvent', (event) => {
            arm();
            apply(call, event, options.onText);
        });
        // `done()` rejects on any error or abort; the async iterator can miss an error that arrives between reads.
        await stream.done();
        call.requestId = stream.request_id ?? undefined;
        if (!call.finished) throw new Error('terminated: the stream ended before message_stop');
        return call;
    } catch (raw) {
        throw new ModelCallFailed(classify(raw, { client, signal, stalled, idleTimeoutMs }), raw, call);
    } finally {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
    }
}

function classify(
    raw: unknown,
    state: { client: ModelClient; signal: AbortSignal; stalled: boolean; idleTimeoutMs: number },
): ModelError {
    if (state.signal.aborted) return new Cancelled({ retryable: false, summary: 'The turn was stopped.', cause: raw });
    if (state.stalled) {
        const seconds = Math.max(1, Math.round(state.idleTimeoutMs / 1000));
        return new Timeout({
            retryable: true,
            summary: `${state.client.endpointName} sent nothing for ${seconds} s; the response stalled.`,
            cause: raw,
        });
    }
    const error = state.client.classify(raw);
    // A stream that just ends is a lost connection, whatever the transport called it.
    if (error.name === 'UnexpectedError' && raw instanceof Error && raw.message.startsWith('terminated')) {
        return new ConnectionLost({
            retryable: true,
            summary: `The connection to ${state.client.endpointName} was lost.`,
            cause: raw,
        });
    }
    return error;
}

function apply(call: StreamedCall, event: MessageStreamEvent, onText?: (delta: string) => void): void {
    switch (event.type) {
        case 'message_start':
            call.usage = { ...event.message.usage };
            break;
        case 'message_delta': {
            call.stopReason = event.delta.stop_reason ?? call.stopReason;
            const usage = call.usage as Record<string, unknown>;
            for (const [key, value] of Object.entries(event.usage)) if (value !== null) usage[key] = value;
            break;
        }
        case 'message_stop':
            call.finished = true;
            break;
        case 'content_block_start':
            call.blocks[event.index] = startBlock(event.content_block);
            break;
        case 'content_block_delta': {
            const block = call.blocks[event.index];
            const delta = event.delta;
            if (block?.type === 'text' && delta.type === 'text_delta') {
                block.text += delta.text;
                onText?.(delta.text);
            } else if (block?.type === 'tool_use' && delta.type === 'input_json_delta')
                block.json += delta.partial_json;
            else if (block?.type === 'thinking' && delta.type === 'thinking_delta') block.thinking += delta.thinking;
            else if (block?.type === 'thinking' && delta.type === 'signature_delta') block.signature += delta.signature;
            else if (block?.type === 'other') applyCompactionDelta(block.block, delta);
            break;
        }
        case 'content_block_stop': {
            const block = call.blocks[event.index];
            if (block === undefined) break;
            block.complete = true;
            if (block.type === 'tool_use') block.input = parseInput(block.json);
            break;
        }
    }
}

/**
 * A server-side compaction block arrives empty and gets its summary (and opaque metadata) in `compaction_delta`
 * events, which the stable SDK's types do not name; the block is sent back exactly as assembled.
 */
function applyCompactionDelta(block: Anthropic.ContentBlock, delta: unknown): void {
    const target = block as unknown as Record<string, unknown>;
    const change = delta as Record<string, unknown>;
    if (target.type !== 'compaction' || change.type !== 'compaction_delta') return;
    for (const field of ['content', 'encrypted_content'] as const) {
        const value = change[field];
        if (typeof value !== 'string') continue;
        const before = target[field];
        target[field] = typeof before === 'string' ? before + value : value;
    }
}

function startBlock(block: Anthropic.ContentBlock): StreamedBlock {
    switch (block.type) {
        case 'text':
            return { type: 'text', text: block.text, complete: false };
        case 'thinking':
            return { type: 'thinking', thinking: block.thinking, signature: block.signature, complete: false };
        case 'redacted_thinking':
            return { type: 'redacted_thinking', data: block.data, complete: false };
        case 'tool_use':
            return { type: 'tool_use', id: block.id, name: block.name, json: '', input: undefined, complete: false };
        default:
            // A copy: compaction deltas are written into it.
            return { type: 'other', block: { ...block }, complete: false };
    }
}

/** An empty input streams no JSON at all and means `{}`; anything unparsable stays `undefined`. */
function parseInput(json: string): unknown {
    if (json.trim() === '') return {};
    try {
        return JSON.parse(json) as unknown;
    } catch {
        return undefined;
    }
}
