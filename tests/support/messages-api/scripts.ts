import type { RefusalStopDetails, StopReason } from '@anthropic-ai/sdk/resources/messages';

import type {
    CutPoint,
    HttpErrorResponse,
    ResetResponse,
    ResponseTiming,
    ScriptedBlock,
    ScriptedTurn,
    StallResponse,
    StreamErrorResponse,
    TrickleResponse,
    TurnResponse,
    UsageOverride,
} from './types';

/** Options shared by the turn builders. */
export interface TurnOptions extends ResponseTiming {
    /** Why the turn ended; each builder has its own natural default. */
    stopReason?: StopReason;
    /** Forced usage numbers. */
    usage?: UsageOverride;
    /** Model name to report instead of the requested one. */
    model?: string;
}

/** One tool call for `toolUseTurn`. */
export interface ToolCall {
    /** Tool name. */
    name: string;
    /** Tool input object. */
    input: unknown;
    /** Tool-use id; generated when omitted. */
    id?: string;
}

/** Wraps any turn; `stop_reason` defaults to `tool_use` when the content has a tool call, else `end_turn`. */
export function turn(
    spec: Omit<ScriptedTurn, 'stop_reason'> & { stop_reason?: StopReason },
    timing: ResponseTiming = {},
): TurnResponse {
    const hasToolCall = spec.content.some((block) => block.type === 'tool_use');
    const stop_reason = spec.stop_reason ?? (hasToolCall ? 'tool_use' : 'end_turn');
    return { kind: 'turn', turn: { ...spec, stop_reason }, ...timing };
}

/** A plain text answer that ends the turn. */
export function textTurn(text: string, options: TurnOptions = {}): TurnResponse {
    return fromOptions([{ type: 'text', text }], 'end_turn', options);
}

/** A turn that calls tools, optionally after some text (`preface`). */
export function toolUseTurn(calls: ToolCall[], options: TurnOptions & { preface?: string } = {}): TurnResponse {
    const blocks: ScriptedBlock[] = options.preface === undefined ? [] : [{ type: 'text', text: options.preface }];
    for (const call of calls) blocks.push({ type: 'tool_use', name: call.name, input: call.input, id: call.id });
    return fromOptions(blocks, 'tool_use', options);
}

/** A turn that thinks first, then answers in text. */
export function thinkingTurn(thinking: string, text: string, options: TurnOptions = {}): TurnResponse {
    return fromOptions(
        [
            { type: 'thinking', thinking },
            { type: 'text', text },
        ],
        'end_turn',
        options,
    );
}

/** Text cut off by the output limit (`stop_reason: max_tokens`). */
export function maxTokensInText(
    text = 'The summary so far covers the first three notes and',
    options: TurnOptions = {},
): TurnResponse {
    return fromOptions([{ type: 'text', text }], 'max_tokens', options);
}

/** The output limit hits inside a tool call: the tool_use input JSON stops half-way. */
export function maxTokensInToolUse(
    options: ResponseTiming & { preface?: string; call?: ToolCall; cutJsonAt?: number } = {},
): TurnResponse {
    const call = options.call ?? DEFAULT_TOOL_CALL;
    const json = JSON.stringify(call.input) ?? '';
    const cut = options.cutJsonAt ?? Math.max(1, Math.floor(json.length / 2));
    const blocks: ScriptedBlock[] = [
        { type: 'text', text: options.preface ?? 'I will write the note now.' },
        { type: 'tool_use', name: call.name, input: call.input, id: call.id, truncateJsonAt: cut },
    ];
    return fromOptions(blocks, 'max_tokens', options);
}

/** The model declines (`stop_reason: refusal`), optionally after some text. */
export function refusal(
    options: ResponseTiming & { text?: string; category?: RefusalStopDetails['category']; explanation?: string } = {},
): TurnResponse {
    const content: ScriptedBlock[] = options.text === undefined ? [] : [{ type: 'text', text: options.text }];
    const stop_details: RefusalStopDetails = {
        type: 'refusal',
        category: options.category ?? null,
        explanation: options.explanation ?? null,
    };
    return { kind: 'turn', turn: { content, stop_reason: 'refusal', stop_details }, latencyMs: options.latencyMs };
}

/** The conversation no longer fits the model's context window. */
export function contextWindowExceeded(options: ResponseTiming & { text?: string } = {}): TurnResponse {
    const content: ScriptedBlock[] = options.text === undefined ? [] : [{ type: 'text', text: options.text }];
    return fromOptions(content, 'model_context_window_exceeded', options);
}

/** A long-running turn paused by the API; the client is expected to send it back to continue. */
export function pauseTurn(options: ResponseTiming & { text?: string } = {}): TurnResponse {
    return fromOptions([{ type: 'text', text: options.text ?? 'Still working on it.' }], 'pause_turn', options);
}

/** 429 rate_limit_error; `retry-after` (seconds) only when given. */
export function rateLimited(
    options: ResponseTiming & { retryAfter?: number; message?: string } = {},
): HttpErrorResponse {
    const headers: Record<string, string> = {};
    if (options.retryAfter !== undefined) headers['retry-after'] = String(options.retryAfter);
    return httpError(429, 'rate_limit_error', options.message ?? RATE_LIMIT_MESSAGE, {
        headers,
        latencyMs: options.latencyMs,
    });
}

/**
 * 429 for an organisation that reached its spend limit: no `retry-after`, and the `enforced_spend_limit_reached`
 * error code, which SDK 1.x turns into `EnforcedSpendLimitReachedError` (a `RateLimitError`).
 */
export function spendCap(options: ResponseTiming & { regainAccessOn?: string } = {}): HttpErrorResponse {
    const message = `You have reached your specified API usage limits. You will regain access on ${
        options.regainAccessOn ?? nextMonthStart()
    } at 00:00 UTC.`;
    return httpError(429, 'rate_limit_error', message, {
        errorCode: 'enforced_spend_limit_reached',
        latencyMs: options.latencyMs,
    });
}

/** 400 invalid_request_error worded as the API words a workspace that reached its spend limit. */
export function workspaceSpendLimit(options: ResponseTiming & { regainAccessOn?: string } = {}): HttpErrorResponse {
    const message = `You have reached your specified workspace API usage limits. You will regain access on ${
        options.regainAccessOn ?? nextMonthStart()
    } at 00:00 UTC.`;
    return httpError(400, 'invalid_request_error', message, { latencyMs: options.latencyMs });
}

/** 529 overloaded_error. */
export function overloaded(options: ResponseTiming = {}): HttpErrorResponse {
    return httpError(529, 'overloaded_error', 'Overloaded', options);
}

/** Any HTTP error with the API's error body, e.g. `httpError(401, 'authentication_error', 'invalid x-api-key')`. */
export function httpError(
    status: number,
    errorType: string,
    message: string,
    extra: ResponseTiming & { headers?: Record<string, string>; errorCode?: string } = {},
): HttpErrorResponse {
    return { kind: 'http-error', status, errorType, message, ...extra };
}

/** Options shared by the stream faults. */
export interface StreamFaultOptions extends ResponseTiming {
    /** The turn being streamed; by default a sentence of text followed by a `create_note` call. */
    turn?: TurnResponse | ScriptedTurn;
}

/** An `event: error` in the middle of a stream; by default an overloaded_error after some partial text. */
export function streamError(
    options: StreamFaultOptions & { after?: CutPoint; errorType?: string; message?: string; rawData?: string } = {},
): StreamErrorResponse {
    return {
        ...(options.rawData !== undefined ? { rawData: options.rawData } : {}),
        kind: 'stream-error',
        turn: faultTurn(options.turn),
        after: options.after ?? 'text',
        errorType: options.errorType ?? 'overloaded_error',
        message: options.message ?? 'Overloaded',
        latencyMs: options.latencyMs,
    };
}

/** Headers (and by default `message_start`) arrive, then nothing: the socket stays open. */
export function stall(options: StreamFaultOptions & { after?: CutPoint; resumeAfterMs?: number } = {}): StallResponse {
    return {
        kind: 'stall',
        turn: faultTurn(options.turn),
        after: options.after ?? 'message_start',
        resumeAfterMs: options.resumeAfterMs,
        latencyMs: options.latencyMs,
    };
}

/** A stream that sends one small text delta every `intervalMs` (default a second) and never ends. */
export function trickle(options: StreamFaultOptions & { intervalMs?: number; chunk?: string } = {}): TrickleResponse {
    return {
        kind: 'trickle',
        turn: faultTurn(options.turn ?? textTurn('Trickling.')),
        intervalMs: options.intervalMs ?? 1_000,
        chunk: options.chunk ?? '.',
        latencyMs: options.latencyMs,
    };
}

/** The socket is destroyed: before any byte (the SDK sees a connection error) or after `after`. */
export function reset(options: StreamFaultOptions & { after?: CutPoint } = {}): ResetResponse {
    return { kind: 'reset', turn: faultTurn(options.turn), after: options.after, latencyMs: options.latencyMs };
}

const RATE_LIMIT_MESSAGE = 'This request would exceed the rate limit for your organization. Please try again later.';

const DEFAULT_TOOL_CALL: ToolCall = {
    name: 'create_note',
    input: { path: 'Agent/Outputs/Draft.md', content: '# Draft\n\nA first draft written by the scripted model.' },
};

/** The content a fault streams before it misbehaves: text, then a tool call, so every cut point exists. */
function faultTurn(given: TurnResponse | ScriptedTurn | undefined): ScriptedTurn {
    if (given !== undefined) return 'kind' in given ? given.turn : given;
    return {
        content: [
            { type: 'text', text: 'Let me draft that note for you right away.' },
            { type: 'tool_use', name: DEFAULT_TOOL_CALL.name, input: DEFAULT_TOOL_CALL.input },
        ],
        stop_reason: 'tool_use',
    };
}

function fromOptions(content: ScriptedBlock[], stopReason: StopReason, options: TurnOptions): TurnResponse {
    return {
        kind: 'turn',
        turn: { content, stop_reason: options.stopReason ?? stopReason, usage: options.usage, model: options.model },
        latencyMs: options.latencyMs,
    };
}

function nextMonthStart(): string {
    const now = new Date();
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
}
