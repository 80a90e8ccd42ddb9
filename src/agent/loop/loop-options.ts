/** What the turn loop runs with: its options, seams (context, spend) and one turn's input. */
import type Anthropic from '@anthropic-ai/sdk';
import type { Clock } from '../../kernel/ports';
import type { CallVerdict, CompactionNotice } from '../compaction/context-manager';
import type { ServerCompactionRequest } from '../model-client';
import type { StreamedBlock } from './stream-turn';
import type { ModelClient } from '../model-client';
import type { PriceTable, UsageLike } from '../pricing';
import type { SpendReservation } from '../spend/spend-control';
import type { Tool, ToolContext } from '../tools/tool';
import type { BudgetExceeded, TurnBudget } from './budgets';
import type { Conversation, HistoryMessage } from './conversation';
import type { PromptPrefix } from './prompt-cache';
import type { Throttle } from './throttle';
import type { TurnListener } from './turn-events';
import type { WaitLimits } from './wait-limits';
import type { WebResearch } from '../web/web-research';

/** How model calls are retried. */
export interface RetryPolicy {
    /** Attempts per model call, the first included. */
    maxAttempts?: number;
    /** First backoff ceiling in ms (doubles per attempt). */
    baseDelayMs?: number;
    /** Largest backoff ceiling in ms. */
    maxDelayMs?: number;
    /** Random source in [0, 1), for exact tests. */
    random?: () => number;
    /** Caps on every wait (retry-after, retry budget, stall, whole response); the defaults where absent. */
    waits?: WaitLimits;
}

/** Everything a turn runs with; one set per session. */
export interface TurnLoopOptions {
    /** The model client (key and host fixed by settings). */
    client: ModelClient;
    /** Model id. */
    model: string;
    /** Output token limit per response. */
    maxOutputTokens: number;
    /** The stable prompt prefix: system prompt, vault instructions, tool definitions. */
    prefix: PromptPrefix;
    /** The tools offered (must match the prefix's definitions). */
    tools: readonly Tool[];
    /** Ports the tools use; the turn adds its id and signal. */
    toolContext: Omit<ToolContext, 'turnId' | 'signal'>;
    /** The history, appended to by each turn. */
    conversation: Conversation;
    /** The rate-limit throttle shared by every session. */
    throttle: Throttle;
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** Retry policy for model calls. */
    retry?: RetryPolicy;
    /** Limits per turn. */
    budget?: TurnBudget;
    /** Price table for costs. */
    prices?: PriceTable;
    /**
     * Called when the context window is full; resolves `true` when it made room (compaction, a later issue), and the
     * turn then goes on. Without it the turn stops with `context-full`.
     */
    onContextFull?: (conversation: Conversation, signal: AbortSignal) => Promise<boolean>;
    /** Keeps requests inside the context window (compaction); absent = requests are sent as they are. */
    context?: LoopContext;
    /** Reserves each request's most cost against the daily cap and the job's budget; absent = no spend limits. */
    spend?: LoopSpend;
    /**
     * Re-checks, before every request, the vault paths the history carries against the exclusions as they are NOW,
     * replacing blocks that carry a now-excluded note; returns how many were replaced (docs/RELIABILITY.md row 13).
     * Absent = nothing is re-checked.
     */
    recheck?: (conversation: Conversation) => number | Promise<number>;
    /** Web research (the server's search and fetch tools, with the fetch guard); absent = off. */
    web?: WebResearch;
}

/** The context seam of the loop (the session's ContextManager). */
export interface LoopContext {
    /** Before each call: may compact the conversation; `full` = the request must not be sent. */
    beforeCall(conversation: Conversation, signal: AbortSignal): Promise<CallVerdict>;
    /** After each call: the prompt size the endpoint reported for a request carrying `blocks` history blocks. */
    observe(blocks: number, usage: UsageLike): void;
    /** Prompt tokens of a request carrying `messages` (leaning high). */
    meter(messages: readonly HistoryMessage[]): { usedTokens: number };
    /** The server-side compaction to ask for on the next request; `undefined` where the endpoint cannot. */
    serverCompaction?(): ServerCompactionRequest | undefined;
    /** The notice for a response that carried the endpoint's compaction block; `null` when it did not. */
    serverCompacted?(
        blocks: readonly StreamedBlock[],
        sent: readonly HistoryMessage[],
    ): Promise<CompactionNotice | null>;
}

/** The spend seam of the loop. */
export interface LoopSpend {
    /** Reserves a request's most cost; a `BudgetExceeded` when it could cross a limit (then nothing is sent). */
    reserve(request: { inputTokens: number; maxOutputTokens: number }): Promise<SpendReservation | BudgetExceeded>;
}

/** One turn's input. */
export interface TurnInput {
    /** What the person said. */
    content: string | Anthropic.ContentBlockParam[];
    /**
     * The vault paths each block of `content` carries (a string is one block), for the re-check before each request:
     * the attached context's notes, the notes the message mentions.
     */
    sources?: readonly (readonly string[] | undefined)[];
    /** The turn id (checkpoints are grouped by it). */
    turnId: string;
    /** Stop. */
    signal: AbortSignal;
    /** Hears the turn's events. */
    listener: TurnListener;
}
