/**
 * One model call: stream the response, assemble its content blocks from the raw events, and watch the clock. The
 * SDK's own timeout does not fire once response headers have arrived, so an idle watchdog aborts a stream that sends
 * nothing for `idleTimeoutMs` and reports it as a stall, and a deadline cuts off a response that trickles on past
 * `responseDeadlineMs`. While nothing arrives the caller hears about it every `silenceNoticeMs`. Whatever arrived
 * before a failure is handed back with the error, so the loop can keep partial text and knows a half-streamed tool
 * call never completed.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { MessageStreamEvent, StopReason, TextCitation } from '@anthropic-ai/sdk/resources/messages';
import type { ModelClient, ServerCompactionRequest, StreamParams } from '../model-client';
import { APIError } from '@anthropic-ai/sdk/core/error';
import { Cancelled, ConnectionLost, Timeout, type ModelError } from '../model-errors';
import { describeWait } from './wait-limits';
import type { UsageLike } from '../pricing';

/** A content block as it arrived; `complete` once its `content_block_stop` came. */
export type StreamedBlock =
    | {
          type: 'text';
          text: string;
          complete: boolean;
          /** Citations of the request's documents, as `citations_delta` brought them; absent when none. */
          citations?: TextCitation[];
      }
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
    /** Set when `onBlockDone` stopped the stream: the reason it gave. */
    interrupted?: string;
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
    /** The longest the whole response may take, in ms; absent = no deadline. */
    responseDeadlineMs?: number;
    /** Silence after which `onSilence` hears about it, then again each time as long, in ms. */
    silenceNoticeMs?: number;
    /** Hears how long the stream has been silent, every `silenceNoticeMs` of silence. */
    onSilence?: (silentMs: number) => void;
    /** Hears text as it streams. */
    onText?: (delta: string) => void;
    /** Lets the endpoint compact older turns itself, where it can. */
    compaction?: ServerCompactionRequest;
    /**
     * Hears each block as soon as it is complete (a server tool's call, its result); a string returned stops the
     * stream there and comes back as `interrupted` (the call then resolves with what arrived, unfinished).
     */
    onBlockDone?: (block: StreamedBlock) => string | undefined;
}

/** Streams one response; rejects with `ModelCallFailed`, whose `partial` holds what arrived. */
export async function streamModelCall(options: StreamCallOptions): Promise<StreamedCall> {
    const { client, signal, idleTimeoutMs } = options;
    const call: StreamedCall = { blocks: [], stopReason: null, usage: {}, finished: false };
    const controller = new AbortController();
    const state: WatchState = { stalled: false, overdue: false, streamError: null };
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });

    let timer: ReturnType<typeof setTimeout> | undefined;
    let noticeTimer: ReturnType<typeof setTimeout> | undefined;
    let silentSince = Date.now();
    const notice = (): void => {
        const every = options.silenceNoticeMs;
        if (every === undefined || options.onSilence === undefined || every >= idleTimeoutMs) return;
        noticeTimer = setTimeout(() => {
            options.onSilence?.(Date.now() - silentSince);
            notice();
        }, every);
    };
    const arm = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (noticeTimer !== undefined) clearTimeout(noticeTimer);
        silentSince = Date.now();
        timer = setTimeout(() => {
            state.stalled = true;
            controller.abort();
        }, idleTimeoutMs);
        notice();
    };
    const deadline =
        options.responseDeadlineMs === undefined
            ? undefined
            : setTimeout(() => {
                  state.overdue = true;
                  controller.abort();
              }, options.responseDeadlineMs);
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
            // An error sent as a plain data event (no `event: error` line) is not one the SDK knows: it is one.
            if ((event as { type: string }).type === 'error') {
                state.streamError = event;
                controller.abort();
                return;
            }
            apply(call, event, options.onText);
            if (event.type === 'content_block_stop' && options.onBlockDone !== undefined) {
                const block = call.blocks[event.index];
                const reason = block === undefined ? undefined : options.onBlockDone(block);
                if (reason !== undefined) {
                    call.interrupted = reason;
                    controller.abort();
                }
            }
        });
        // `done()` rejects on any error or abort; the async iterator can miss an error that arrives between reads.
        await stream.done();
        call.requestId = stream.request_id ?? undefined;
        if (!call.finished) throw new Error('terminated: the stream ended before message_stop');
        return call;
    } catch (raw) {
        if (call.interrupted !== undefined && !signal.aborted) return call;
        throw new ModelCallFailed(classify(raw, { ...state, client, signal, options }), raw, call);
    } finally {
        if (timer !== undefined) clearTimeout(timer);
        if (noticeTimer !== undefined) clearTimeout(noticeTimer);
        if (deadline !== undefined) clearTimeout(deadline);
        signal.removeEventListener('abort', onAbort);
    }
}

/** What the watchdogs saw. */
interface WatchState {
    /** Nothing arrived for the idle timeout. */
    stalled: boolean;
    /** The whole-response deadline passed. */
    overdue: boolean;
    /** An error event that came as a plain data event. */
    streamError: unknown;
}

function classify(
    raw: unknown,
    state: WatchState & { client: ModelClient; signal: AbortSignal; options: StreamCallOptions },
): ModelError {
    const who = state.client.endpointName;
    if (state.signal.aborted) return new Cancelled({ retryable: false, summary: 'The turn was stopped.', cause: raw });
    if (state.streamError !== null) {
        // Dressed as the SDK dresses an `event: error`, so it is classified the same way.
        return state.client.classify(new APIError(undefined, state.streamError as object, undefined, new Headers()));
    }
    if (state.overdue) {
        return new Timeout({
            // A response that trickles this long would trickle as long again: the call ends here.
            retryable: false,
            summary:
                `${who} was still sending the response after ${describeWait(state.options.responseDeadlineMs ?? 0)}, ` +
                'the longest one response may take; it was cut off.',
            cause: raw,
        });
    }
    if (state.stalled) {
        return new Timeout({
            retryable: true,
            summary: `${who} sent nothing for ${describeWait(state.options.idleTimeoutMs)}; the response stalled.`,
            cause: raw,
        });
    }
    const error = state.client.classify(raw);
    // A stream that just ends is a lost connection, whatever the transport called it.
    if (error.name === 'UnexpectedError' && raw instanceof Error && raw.message.startsWith('terminated')) {
        return new ConnectionLost({
            retryable: true,
            summary: `The connection to ${who} was lost.`,
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
            else if (block?.type === 'text' && delta.type === 'citations_delta')
                (block.citations ??= []).push(delta.citation);
            else if (block?.type === 'other' && delta.type === 'input_json_delta')
                applyServerInput(block, delta.partial_json);
            else if (block?.type === 'other') applyCompactionDelta(block.block, delta);
            break;
        }
        case 'content_block_stop': {
            const block = call.blocks[event.index];
            if (block === undefined) break;
            block.complete = true;
            if (block.type === 'tool_use') block.input = parseInput(block.json);
            if (block.type === 'other' && block.block.type === 'server_tool_use') {
                const json = serverJson.get(block.block) ?? '';
                block.block.input = parseInput(json) ?? {};
            }
            break;
        }
    }
}

/** The input JSON of server tool calls (`web_search`, `web_fetch`) as it streams, by block. */
const serverJson = new WeakMap<object, string>();

function applyServerInput(block: Extract<StreamedBlock, { type: 'other' }>, partial: string): void {
    serverJson.set(block.block, (serverJson.get(block.block) ?? '') + partial);
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
            return block.citations !== null && block.citations.length > 0
                ? { type: 'text', text: block.text, complete: false, citations: [...block.citations] }
                : { type: 'text', text: block.text, complete: false };
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
