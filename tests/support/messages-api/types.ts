import type { ModelInfo } from '@anthropic-ai/sdk/resources/models';
import type { RefusalStopDetails, StopReason, TextCitation } from '@anthropic-ai/sdk/resources/messages';

import type { ScriptedServerBlock } from './server-tools';

/** One content block a scripted turn produces, before the server dresses it up as an SDK `ContentBlock`. */
export type ScriptedBlock =
    | {
          /** Plain assistant text; streamed as several `text_delta` chunks. */
          type: 'text';
          /** The full text of the block. */
          text: string;
          /** Citations of the documents the request sent (see `citations.ts`); streamed as `citations_delta`. */
          citations?: TextCitation[];
      }
    | {
          /** Extended thinking; streamed as `thinking_delta` chunks and one `signature_delta`. */
          type: 'thinking';
          /** The thinking text. */
          thinking: string;
          /** Opaque signature; a fixed placeholder when omitted. */
          signature?: string;
      }
    | {
          /** A client tool call; its input is streamed as `input_json_delta` pieces. */
          type: 'tool_use';
          /** Tool name as the request offered it. */
          name: string;
          /** Tool input; serialised with `JSON.stringify`. */
          input: unknown;
          /** Tool-use id; generated (`toolu_…`) when omitted. */
          id?: string;
          /** When set, only this many characters of the input JSON are sent: a tool call cut off mid-input. */
          truncateJsonAt?: number;
      }
    | {
          /** A server-side compaction summary; streamed as one `compaction_delta` after an empty start. */
          type: 'compaction';
          /** The summary; `null` when the server failed to make one. */
          content: string | null;
      }
    /** A server tool's call or result (`server-tools.ts`). */
    | ScriptedServerBlock;

/** Usage numbers a script may force instead of the server's estimates. */
export interface UsageOverride {
    /** Uncached input tokens. */
    input_tokens?: number;
    /** Output tokens. */
    output_tokens?: number;
    /** Tokens read from the prompt cache. */
    cache_read_input_tokens?: number;
    /** Tokens written to the prompt cache. */
    cache_creation_input_tokens?: number;
}

/** One model turn: what the assistant says and why it stopped. */
export interface ScriptedTurn {
    /** Content blocks in order. */
    content: ScriptedBlock[];
    /** Why the turn ended. */
    stop_reason: StopReason;
    /** The stop sequence that matched, when `stop_reason` is `stop_sequence`. */
    stop_sequence?: string | null;
    /** Refusal details, when `stop_reason` is `refusal`. */
    stop_details?: RefusalStopDetails | null;
    /** Forced usage numbers; anything left out is estimated. */
    usage?: UsageOverride;
    /** Model name to report; the request's `model` when omitted. */
    model?: string;
}

/**
 * Where a faulty stream stops behaving: after the response headers only, after `message_start`, after N whole
 * content blocks, in the middle of the first text block, or in the middle of the first tool call's input JSON.
 */
export type CutPoint = number | 'headers' | 'message_start' | 'text' | 'partial-tool';

/** Fields every scripted response may carry. */
export interface ResponseTiming {
    /** Delay before the response starts, in ms; adds to the server-wide latency. */
    latencyMs?: number;
}

/** A normal answer: a JSON `Message`, or an SSE stream when the request asked for `stream: true`. */
export interface TurnResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'turn';
    /** The turn to answer with. */
    turn: ScriptedTurn;
}

/** An HTTP error with the API's error body: `{ type: 'error', error: { type, message }, request_id }`. */
export interface HttpErrorResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'http-error';
    /** HTTP status code. */
    status: number;
    /** The API's `error.type`, e.g. `rate_limit_error`. */
    errorType: string;
    /** The API's `error.message`. */
    message: string;
    /** `error.details.error_code`, which the SDK maps to a specific error class. */
    errorCode?: string;
    /** Extra response headers, e.g. `retry-after`. */
    headers?: Record<string, string>;
}

/** A stream that sends some content, then an `event: error` and ends. Non-streaming requests get the HTTP error. */
export interface StreamErrorResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'stream-error';
    /** The content streamed before the error. */
    turn: ScriptedTurn;
    /** How much of the turn is sent before the error event. */
    after: CutPoint;
    /** The error event's `error.type`. */
    errorType: string;
    /** The error event's `error.message`. */
    message: string;
    /**
     * The error event's data exactly as given instead of the API's shape: what gateways in front of the API send
     * (`{"error":"…"}`, an error without a type, plain text).
     */
    rawData?: string;
}

/** A response that goes silent without closing: the socket stays open until the client gives up or it resumes. */
export interface StallResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'stall';
    /** The turn the stream belongs to. */
    turn: ScriptedTurn;
    /** How much is sent before the silence. */
    after: CutPoint;
    /** When set, the rest of the turn follows after this many ms of silence; otherwise silence lasts forever. */
    resumeAfterMs?: number;
}

/**
 * A stream that never ends but never goes quiet either: after `message_start` and the first (text) block's start it
 * sends one `text_delta` every `intervalMs`, forever, until the client hangs up. A non-streaming request gets half of
 * its body, then silence.
 */
export interface TrickleResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'trickle';
    /** The turn the stream belongs to; its first block must be text. */
    turn: ScriptedTurn;
    /** Pause between deltas, ms. */
    intervalMs: number;
    /** The text of each delta. */
    chunk: string;
}

/** A response whose socket is destroyed: before any byte (a connection error) or after a cut point. */
export interface ResetResponse extends ResponseTiming {
    /** Discriminant. */
    kind: 'reset';
    /** The turn the stream belongs to. */
    turn: ScriptedTurn;
    /** How much is sent before the reset; nothing at all when omitted. */
    after?: CutPoint;
}

/** Anything the server can be told to answer with. */
export type ScriptedResponse =
    TurnResponse | HttpErrorResponse | StreamErrorResponse | StallResponse | TrickleResponse | ResetResponse;

/** One request as the server received it. */
export interface RecordedRequest {
    /** Position in arrival order, from 0. */
    index: number;
    /** HTTP method. */
    method: string;
    /** Path without the query string, e.g. `/v1/messages`. */
    path: string;
    /** Parsed query string. */
    query: Record<string, string>;
    /** Request headers, names lowercased; repeated headers joined with `, `. */
    headers: Record<string, string>;
    /** Parsed JSON body; `undefined` when there was no body or it was not JSON. */
    body: unknown;
    /** The body exactly as received. */
    rawBody: string;
    /** Arrival time, ms since the epoch. */
    time: number;
    /** The `anthropic-version` header, if sent. */
    anthropicVersion: string | undefined;
    /** For a request inside a Message Batch: its `custom_id` (the path is then `/v1/messages`). */
    batchCustomId?: string;
    /** Set when the server compacted this request's history itself before answering. */
    serverCompaction?: ServerCompactionRecord;
}

/** What a server-side compaction did. */
export interface ServerCompactionRecord {
    /** Input tokens the server counted (from the newest compaction block on), which crossed the trigger. */
    inputTokens: number;
    /** The trigger the request asked for. */
    triggerTokens: number;
    /** How many messages it summarised. */
    summarisedMessages: number;
    /** The summary it put in the compaction block. */
    summary: string;
}

/** Reacts to what was sent; `undefined` falls through to the default response. */
export type Responder = (
    request: RecordedRequest,
) => ScriptedResponse | undefined | Promise<ScriptedResponse | undefined>;

/** Server-wide settings; every field is optional. */
export interface MessagesApiServerOptions {
    /** The key requests must carry (`x-api-key` or `Authorization: Bearer`); default `test-key`. */
    apiKey?: string;
    /**
     * Latency of every `/v1/messages` response, in ms, counted from when the request arrived (its body read), so the
     * server's own checks do not add to it.
     */
    latencyMs?: number;
    /** Pause between SSE events, in ms; 0 (default) writes the whole stream at once. */
    eventDelayMs?: number;
    /**
     * Serves HTTPS with this key and certificate (PEM), as Anthropic's API does; `baseURL` then starts with `https:`.
     * `tests/support/tls/` holds one for 127.0.0.1.
     */
    tls?: { key: string; cert: string };
    /** Called when the FIFO queue is empty. */
    responder?: Responder;
    /** Answer used when neither the queue nor the responder has one. */
    defaultResponse?: ScriptedResponse;
    /** How many `retrieve` polls report a batch `in_progress` before it ends; default 1. */
    batchPollsBeforeEnd?: number;
    /** Prefixes shorter than this many tokens are never cached (the real API's minimum); default 0. */
    minCacheableTokens?: number;
    /**
     * Whether the server offers server-side compaction (`context_management` with the beta header); default true.
     * False answers the field, and any compaction block, like a compatible server that lacks it: a 400.
     */
    serverCompaction?: boolean;
    /** Whether `document` blocks are read (default true); false answers them with a 400, as many local servers do. */
    documents?: boolean;
    /**
     * What the Models API (`GET /v1/models`, `GET /v1/models/{id}`) offers: the given models, newest first, or
     * `'none'` for an endpoint without the route (404, as many local servers answer); default `LISTED_MODELS`.
     */
    models?: ModelInfo[] | 'none';
}
