/**
 * What a turn tells whoever listens (the chat view, a job log) and what it returns. Nothing in the loop knows about
 * UI: it emits these typed events and resolves with a `TurnResult`.
 */
import type { StopReason } from '@anthropic-ai/sdk/resources/messages';
import type { CompactionNotice } from '../compaction/context-manager';
import type { ModelError } from '../model-errors';
import type { ToolResult } from '../tools/tool';
import type { BudgetExceeded } from './budgets';
import type { AnswerSources } from '../citations/answer-sources';
import type { WebActivity } from '../web/web-research';

/** How a turn ended. */
export type TurnOutcome =
    /** The model finished (`end_turn`, `stop_sequence`). */
    | 'done'
    /** The output limit cut the answer (`max_tokens`); a half-written tool call was not run. */
    | 'truncated'
    /** The model declined; the refused exchange was taken out of the history. */
    | 'refused'
    /** The conversation no longer fits the model's context window. */
    | 'context-full'
    /** An error after some progress: partial text kept, the turn did not finish. */
    | 'interrupted'
    /** An error before any progress. */
    | 'failed'
    /** The person pressed Stop (or the job was cancelled). */
    | 'stopped'
    /** A budget (calls, tokens, cost, time) was reached. */
    | 'budget';

/** Token counts and cost, for one call or a whole turn. */
export interface UsageTotals {
    /** Uncached input tokens. */
    inputTokens: number;
    /** Output tokens. */
    outputTokens: number;
    /** Input tokens read from the prompt cache. */
    cacheReadTokens: number;
    /** Input tokens written to the prompt cache. */
    cacheWriteTokens: number;
    /** Cost in USD from the price table. */
    costUsd: number;
    /**
     * True when some of these numbers are estimates from the text: the endpoint reported no usage for a response that
     * had content, so the tokens were counted at about four characters each (spend caps still hold).
     */
    estimated?: boolean;
}

/** One tool call of the turn. */
export interface ToolCallRecord {
    /** The `tool_use` id. */
    id: string;
    /** The tool's name as the model called it. */
    name: string;
    /** The input as the model sent it. */
    input: unknown;
    /** What went back to the model; `null` when the call never ran (stopped, budget). */
    result: ToolResult | null;
}

/** What a turn returns. */
export interface TurnResult {
    /** How it ended. */
    outcome: TurnOutcome;
    /** The turn id (checkpoints of its changes carry it, for undo). */
    turnId: string;
    /** The assistant's text of this turn, including partial text kept after an error. */
    text: string;
    /** The output limit cut the answer. */
    truncated: boolean;
    /** The turn was cut short by an error after some progress. */
    interrupted: boolean;
    /** The model's last stop reason, when one arrived. */
    stopReason: StopReason | null;
    /** One sentence for the person about how the turn ended. */
    message: string;
    /** The error that ended the turn, if one did. */
    error?: ModelError;
    /** The limit that ended the turn, if one did. */
    budget?: BudgetExceeded;
    /** Tool calls in order. */
    toolCalls: ToolCallRecord[];
    /** Model calls made, retries included. */
    modelCalls: number;
    /** Tokens and cost of the whole turn. */
    usage: UsageTotals;
    /** What the answer rests on: cited passages (checked), or note-level sources; absent when no notes were used. */
    sources?: AnswerSources;
}

/** Everything a turn emits while it runs. */
export type TurnEvent =
    /** Streamed assistant text. `attempt` lets a view drop text of an attempt that is retried. */
    | { type: 'text'; delta: string; modelCall: number; attempt: number }
    /** The model asked for a tool call (complete input). */
    | { type: 'tool-proposed'; id: string; name: string; input: unknown }
    /** A tool call started (a write tool may now wait for approval). */
    | { type: 'tool-running'; id: string; name: string }
    /** A tool call finished. */
    | { type: 'tool-done'; id: string; name: string; result: ToolResult }
    /** One model call's usage and cost, and the turn's totals so far. */
    | { type: 'usage'; call: UsageTotals; turn: UsageTotals }
    /** A model call failed and will be retried after `delayMs`; text of that attempt is void. */
    | { type: 'retry'; error: ModelError; delayMs: number; attempt: number; message: string }
    /** Waiting for the shared rate-limit throttle; fires about once a second with what is left. */
    | { type: 'waiting'; remainingMs: number }
    /**
     * Something the person should know while the turn waits or goes on: the endpoint has sent nothing for a while, or
     * it reported no usage and the cost is estimated. One sentence.
     */
    | { type: 'notice'; message: string }
    /** The error that ends the turn, in words for people (with the request id). */
    | { type: 'error'; error: ModelError; message: string }
    /** Older turns were compacted into a record here (automatically, on request, or because the window was full). */
    | { type: 'compacted'; notice: CompactionNotice }
    /**
     * The context attached to the person's message, built as the turn started: one line per item for the person
     * (attached, shortened, left out and why; `ContextBundle.forPerson()`), never sent as such to the model.
     */
    | { type: 'context'; lines: string[]; attached: number; excluded: number }
    /** `blocks` history blocks carried a note that is now excluded; they were replaced before this request. */
    | { type: 'withheld'; blocks: number }
    /** A web search or fetch started, finished, failed or was refused by the fetch guard. */
    | { type: 'web'; activity: WebActivity }
    /** The turn ended. */
    | { type: 'stop'; result: TurnResult };

/** Hears turn events. */
export type TurnListener = (event: TurnEvent) => void;

/** All zeros. */
export function emptyUsage(): UsageTotals {
    return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

/** `a` plus `b`, as a new object. */
export function addUsage(a: UsageTotals, b: UsageTotals): UsageTotals {
    const sum: UsageTotals = {
        inputTokens: a.inputTokens + b.inputTokens,
        outputTokens: a.outputTokens + b.outputTokens,
        cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
        cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
        costUsd: a.costUsd + b.costUsd,
    };
    if (a.estimated === true || b.estimated === true) sum.estimated = true;
    return sum;
}
