/**
 * Keeps one conversation inside its model's context window. Before each model call it measures the request; past the
 * threshold it compacts (older turns → a record, newest kept verbatim), and a request that would still not fit the
 * window is never sent. It also answers the hard case (`model_context_window_exceeded`) and `/compact`, and gives the
 * context meter. The stable prefix is never touched: only `messages` change, so the prompt cache keeps serving it.
 */
import type { Conversation, HistoryMessage } from '../loop/conversation';
import type { PromptPrefix } from '../loop/prompt-cache';
import type { StreamedBlock } from '../loop/stream-turn';
import type { ServerCompactionRequest } from '../model-client';
import type { UsageLike } from '../pricing';
import { recordMessage, type ChangeRecord } from './compact-record';
import { planCompaction, summarise, type SummaryCall } from './compactor';
import {
    contextWindowFor,
    estimateMessageTokens,
    estimatePrefixTokens,
    promptTokensOf,
    PromptSizeTracker,
    type ContextMeterValue,
    type ContextWindowTable,
} from './context-window';
import {
    attachFactsAfterCompaction,
    compactionSummary,
    effectiveHistory,
    flattenServerCompaction,
    lastCompactionIndex,
} from './server-compaction';

/** How compaction behaves; every field has a default. */
export interface CompactionSettings {
    /** Fraction of the context window at which compaction starts (default 0.75). */
    threshold?: number;
    /** The window in tokens, overriding the table (a custom endpoint's model). */
    windowTokens?: number;
    /** Windows by model id prefix. */
    windows?: ContextWindowTable;
    /** `max_tokens` of the summary (default: a tenth of the window, at most 4096). */
    maxSummaryTokens?: number;
    /** Share of the room below the threshold that the newest messages may keep verbatim (default 0.3). */
    keepFraction?: number;
}

/** The default threshold: compact at three quarters of the window. */
export const DEFAULT_COMPACTION_THRESHOLD = 0.75;

/** Why compaction ran. */
export type CompactionReason = 'threshold' | 'requested' | 'context-full';

/** What the chat shows where compaction happened (and a job logs). */
export interface CompactionNotice {
    /** Why it ran. */
    reason: CompactionReason;
    /** How: our own summarising call, or the endpoint's server-side compaction. */
    method: 'summary' | 'server';
    /** Messages replaced by the record. */
    summarisedMessages: number;
    /** Messages kept verbatim after the record. */
    keptMessages: number;
    /** Prompt tokens before (as measured). */
    tokensBefore: number;
    /** Prompt tokens after (counted where the endpoint can, else estimated). */
    tokensAfter: number;
    /** Changes listed in the record: every change of the conversation. */
    changesKept: number;
    /** Notes listed as read. */
    notesKept: number;
}

/** The facts the record lists, from the session's change log and read tracking. */
export interface RecordFacts {
    /** Every change applied in the conversation, in order. */
    changes: readonly ChangeRecord[];
    /** Every note read. */
    notesRead: readonly string[];
}

/** What the manager is built from. */
export interface ContextManagerOptions {
    /** The session's stable prefix. */
    prefix: PromptPrefix;
    /** Model id. */
    model: string;
    /** `max_tokens` of each turn request. */
    maxOutputTokens: number;
    /** Compaction settings. */
    settings?: CompactionSettings;
    /** Whether requests carry cache breakpoints now. */
    caching: () => boolean;
    /** Sends one summarising request. */
    call: SummaryCall;
    /** The facts for the record, read at compaction time. */
    facts: () => Promise<RecordFacts>;
    /** Counts a request's prompt tokens exactly; `null` where the endpoint can only estimate. */
    count?: (messages: readonly HistoryMessage[], signal: AbortSignal) => Promise<number | null>;
    /** Whether the endpoint compacts server-side now; absent = never (our own summarising call does). */
    serverCompaction?: () => boolean;
}

/** What `beforeCall` decided. */
export type CallVerdict = { kind: 'ok'; compacted: CompactionNotice | null } | { kind: 'full' };

/** Context-window keeping for one session. */
export class ContextManager {
    /** The model's context window in tokens. */
    readonly windowTokens: number;
    /** Where automatic compaction starts. */
    readonly thresholdTokens: number;
    private readonly tracker: PromptSizeTracker;
    private readonly prefixTokens: number;
    private readonly maxSummaryTokens: number;
    private readonly keepFraction: number;

    constructor(private readonly options: ContextManagerOptions) {
        const settings = options.settings ?? {};
        this.windowTokens = settings.windowTokens ?? contextWindowFor(options.model, settings.windows);
        const threshold = clampFraction(settings.threshold ?? DEFAULT_COMPACTION_THRESHOLD);
        this.thresholdTokens = Math.floor(this.windowTokens * threshold);
        this.maxSummaryTokens = settings.maxSummaryTokens ?? Math.min(4096, Math.floor(this.windowTokens / 10));
        this.keepFraction = clampFraction(settings.keepFraction ?? 0.3);
        this.prefixTokens = estimatePrefixTokens(options.prefix.plain());
        this.tracker = new PromptSizeTracker(this.prefixTokens);
    }

    /** How full the context is for a request carrying `messages`. */
    meter(messages: readonly HistoryMessage[]): ContextMeterValue {
        const measured = this.measure(messages);
        return {
            usedTokens: measured.tokens,
            windowTokens: this.windowTokens,
            thresholdTokens: this.thresholdTokens,
            estimated: measured.estimated,
        };
    }

    /** Records the prompt size the endpoint reported for a request that carried `blocks` history blocks. */
    observe(blocks: number, usage: UsageLike): void {
        this.tracker.observe(blocks, promptTokensOf(usage));
    }

    /**
     * Before a model call: compacts past the threshold, and says `full` when the request would still not fit the
     * window (it must then not be sent). Rejects when the summarising call fails while the request cannot fit anyway,
     * or when it was stopped.
     */
    async beforeCall(conversation: Conversation, signal: AbortSignal): Promise<CallVerdict> {
        if (lastCompactionIndex(conversation.snapshot()) >= 0) {
            // The endpoint dropped what its summary covers: our facts must follow it before the next message goes.
            attachFactsAfterCompaction(conversation.snapshot(), await this.options.facts());
        }
        const need = this.need(conversation);
        if (need <= this.thresholdTokens) return { kind: 'ok', compacted: null };
        // The endpoint compacts past the same threshold; ours runs only when the request would not fit at all.
        if (this.serverCompacts() && need <= this.windowTokens) return { kind: 'ok', compacted: null };
        let compacted: CompactionNotice | null = null;
        try {
            compacted = await this.compact(conversation, 'threshold', signal);
        } catch (e) {
            // Compaction failing is not the end while the request still fits: the next call tries again.
            if (signal.aborted || this.need(conversation) > this.windowTokens) throw e;
        }
        return this.need(conversation) <= this.windowTokens ? { kind: 'ok', compacted } : { kind: 'full' };
    }

    /** The compaction to ask the endpoint for on the next turn request; `undefined` where it cannot. */
    serverCompaction(): ServerCompactionRequest | undefined {
        return this.serverCompacts() ? { triggerTokens: this.thresholdTokens } : undefined;
    }

    /**
     * What the chat shows when a response carried the endpoint's compaction block (it summarised every message of
     * the request, `sent`); `null` when it did not.
     */
    async serverCompacted(
        blocks: readonly StreamedBlock[],
        sent: readonly HistoryMessage[],
    ): Promise<CompactionNotice | null> {
        const summary = blocks
            .map((block) => (block.type === 'other' ? compactionSummary(block.block) : null))
            .find((text) => text !== null);
        if (summary === undefined || summary === null) return null;
        // Measured only when there is a compaction to report: it estimates the whole request, every response.
        const tokensBefore = this.meter(sent).usedTokens;
        const facts = await this.options.facts();
        const summaryTokens = estimateMessageTokens([
            { role: 'assistant', content: [{ type: 'text', text: summary }] },
        ]);
        return {
            reason: 'threshold',
            method: 'server',
            summarisedMessages: effectiveHistory(sent).length,
            keptMessages: 0,
            tokensBefore,
            tokensAfter: this.prefixTokens + summaryTokens,
            changesKept: facts.changes.length,
            notesKept: facts.notesRead.length,
        };
    }

    /** Compacts now; `null` when there was nothing to compact. Rejects when the summarising call fails. */
    async compact(
        conversation: Conversation,
        reason: CompactionReason,
        signal: AbortSignal,
    ): Promise<CompactionNotice | null> {
        const flat = flattenServerCompaction(conversation.snapshot(), await this.options.facts());
        if (flat !== null) {
            // Our summarising request goes without the beta: the endpoint's summary becomes our own record first.
            conversation.replace(flat);
            this.tracker.reset();
        }
        const messages = conversation.snapshot();
        const tokensBefore = this.tracker.measure(messages).tokens;
        const room = this.thresholdTokens - this.options.maxOutputTokens - this.prefixTokens - this.maxSummaryTokens;
        let keep = Math.max(0, Math.floor(room * this.keepFraction));
        let minOlder = this.maxSummaryTokens;
        if (reason !== 'threshold') {
            // Asked for, or the window is full: any summarised exchange helps, and most of the history should go.
            keep = Math.min(keep, Math.floor(estimateMessageTokens(messages) / 4));
            minOlder = 0;
        }
        const plan = planCompaction(messages, keep, minOlder);
        if (plan === null) return null;
        const summary = await summarise(plan.older, {
            prefix: this.options.prefix,
            model: this.options.model,
            maxSummaryTokens: this.maxSummaryTokens,
            chunkTokens: Math.max(1, this.windowTokens - this.prefixTokens - this.maxSummaryTokens - 1024),
            caching: this.options.caching(),
            call: this.options.call,
            signal,
        });
        const facts = await this.options.facts();
        const next = [recordMessage({ summary, ...facts, summarisedMessages: plan.older.length }), ...plan.kept];
        conversation.replace(next);
        this.tracker.reset();
        const counted = await this.countQuietly(conversation.snapshot(), signal);
        if (counted !== null) this.tracker.reset({ blocks: conversation.blockCount(), tokens: counted });
        return {
            reason,
            method: 'summary',
            summarisedMessages: plan.older.length,
            keptMessages: plan.kept.length,
            tokensBefore,
            tokensAfter: this.tracker.measure(conversation.snapshot()).tokens,
            changesKept: facts.changes.length,
            notesKept: facts.notesRead.length,
        };
    }

    /** Tokens the next request needs: its prompt plus room for the answer. */
    private need(conversation: Conversation): number {
        return this.measure(conversation.snapshot()).tokens + this.options.maxOutputTokens;
    }

    /** The prompt size; after a server-side compaction, only what the endpoint reads counts (an estimate). */
    private measure(messages: readonly HistoryMessage[]): { tokens: number; estimated: boolean } {
        if (lastCompactionIndex(messages) < 0) return this.tracker.measure(messages);
        return { tokens: this.prefixTokens + estimateMessageTokens(effectiveHistory(messages)), estimated: true };
    }

    private serverCompacts(): boolean {
        return this.options.serverCompaction?.() ?? false;
    }

    /** An exact count where the endpoint offers one; a failed count only means the estimate is used. */
    private async countQuietly(messages: readonly HistoryMessage[], signal: AbortSignal): Promise<number | null> {
        if (this.options.count === undefined) return null;
        try {
            return await this.options.count(messages, signal);
        } catch {
            return null;
        }
    }
}

function clampFraction(value: number): number {
    return Number.isFinite(value) ? Math.min(0.95, Math.max(0.05, value)) : DEFAULT_COMPACTION_THRESHOLD;
}
