/**
 * The turn loop: our own loop on `messages.stream` (not the SDK's tool runner, because approvals pause it). One turn
 * = the person's message, then model calls and tool calls until the model stops, the person presses Stop, an error
 * ends it, or a budget is reached. Model calls are retried with full-jitter backoff: a call has no side effects (tools
 * run only after a response is complete, and a half-streamed tool call never runs), so asking again is always safe.
 * Rate limits go through the shared throttle, so one 429 pauses every session. Every wait is capped (`wait-limits.ts`):
 * a longer `retry-after` than the cap ends the call with the time to try again, and the retries of one call share a
 * budget. An endpoint that reports no usage for a response with content has it estimated, so spend caps hold.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { systemClock, type Clock } from '../kernel/ports';
import { estimateTokens } from './capabilities';
import { costOf, DEFAULT_PRICES, type UsageLike } from './pricing';
import { ModelError, RateLimited } from './model-errors';
import { SpendRefused, type SpendReservation } from './spend/spend-control';
import { BudgetMeter, DEFAULT_TURN_BUDGET, type BudgetExceeded } from './loop/budgets';
import type { TurnInput, TurnLoopOptions } from './loop/loop-options';
import { learnedFromRejection } from './loop/endpoint-learning';
import { buildRequest } from './loop/prompt-cache';
import { runToolCalls } from './loop/run-tools';
import { retryDecision } from './loop/retry-decision';
import { reportedOrEstimated, toolCallsOf, toParam } from './loop/streamed-blocks';
import { ModelCallFailed, streamModelCall, type StreamedBlock, type StreamedCall } from './loop/stream-turn';
import {
    addUsage,
    emptyUsage,
    type TurnEvent,
    type TurnOutcome,
    type TurnResult,
    type UsageTotals,
} from './loop/turn-events';
import type { Tool } from './tools/tool';
import { describeEnd } from './loop/turn-messages';
import { CitationCollector } from './citations/collector';
import { asPlainText } from './citations/documents';
import { Cancelled } from './model-errors';
import { describeWait, resolveWaitLimits } from './loop/wait-limits';

/** The loop's options and seams, defined beside it. */
export type { LoopContext, LoopSpend, RetryPolicy, TurnInput, TurnLoopOptions } from './loop/loop-options';

const DEFAULT_ATTEMPTS = 4;

/** Why the turn's own controller was aborted, when it was not the person. */
class WallClockBudget extends Error {}

/** Runs one turn to its end; never rejects (every failure is a `TurnResult`). */
export async function runTurn(options: TurnLoopOptions, input: TurnInput): Promise<TurnResult> {
    return new TurnRun(options, input).run();
}

class TurnRun {
    private readonly clock: Clock;
    private readonly meter: BudgetMeter;
    private readonly internal = new AbortController();
    private readonly tools: ReadonlyMap<string, Tool>;
    private readonly result: TurnResult;
    private readonly texts: string[] = [];
    private previousLast = -1;
    private contextRetried = false;
    /** Whether the person was told this turn's usage is estimated. */
    private warnedEstimate = false;
    /** Every vault path this turn has put before the model; what the model writes after may quote any of them. */
    private readonly taint = new Set<string>();
    /** The answer's citations, gathered call by call. */
    private readonly citations = new CitationCollector();

    constructor(
        private readonly options: TurnLoopOptions,
        private readonly input: TurnInput,
    ) {
        this.clock = options.clock ?? systemClock;
        this.meter = new BudgetMeter(options.budget ?? DEFAULT_TURN_BUDGET, this.clock);
        this.tools = new Map(options.tools.map((tool) => [tool.definition.name, tool]));
        this.result = {
            outcome: 'done',
            turnId: input.turnId,
            text: '',
            truncated: false,
            interrupted: false,
            stopReason: null,
            message: '',
            toolCalls: [],
            modelCalls: 0,
            usage: emptyUsage(),
        };
    }

    async run(): Promise<TurnResult> {
        const { signal } = this.input;
        const onAbort = (): void => this.internal.abort(signal.reason);
        if (signal.aborted) this.internal.abort(signal.reason);
        else signal.addEventListener('abort', onAbort, { once: true });
        const wall = this.options.budget?.maxWallMs ?? DEFAULT_TURN_BUDGET.maxWallMs;
        const timer =
            wall === undefined ? undefined : setTimeout(() => this.internal.abort(new WallClockBudget()), wall);
        try {
            const outcome = await this.loop();
            await this.collectSources();
            return this.finish(outcome);
        } finally {
            if (timer !== undefined) clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
        }
    }

    private async loop(): Promise<TurnOutcome> {
        const { conversation } = this.options;
        const mark = conversation.length;
        const { content, sources } = this.input;
        const blocks: Anthropic.ContentBlockParam[] =
            typeof content === 'string' ? [{ type: 'text', text: content }] : [...content];
        conversation.addUser(blocks);
        for (const block of blocks) if (block.type === 'text') this.options.web?.trustPersonText(block.text);
        blocks.forEach((block, index) => {
            const paths = sources?.[index];
            conversation.tag(block, paths);
            paths?.forEach((path) => this.taint.add(path));
        });
        for (;;) {
            const call = await this.callModel();
            if (typeof call === 'string') return call;
            this.result.stopReason = call.stopReason;
            const complete = call.blocks.filter((block) => block.complete);
            switch (call.stopReason) {
                case 'tool_use': {
                    this.keep(complete);
                    const calls = toolCallsOf(complete);
                    const ran = await runToolCalls({
                        calls,
                        tools: this.tools,
                        context: {
                            ...this.options.toolContext,
                            turnId: this.input.turnId,
                            signal: this.internal.signal,
                        },
                        signal: this.internal.signal,
                        emit: this.emit,
                        records: this.result.toolCalls,
                    });
                    conversation.addToolResults(ran.results, ran.sources);
                    for (const paths of ran.sources) paths?.forEach((path) => this.taint.add(path));
                    if (ran.stopped) return this.abortOutcome();
                    break;
                }
                case 'pause_turn':
                    this.keep(complete);
                    break;
                case 'max_tokens':
                    // Only text survives: a tool call cut off mid-input never runs and leaves no trace in history.
                    this.keep(complete.filter((block) => block.type !== 'tool_use'));
                    this.result.truncated = true;
                    return 'truncated';
                case 'refusal':
                    // The refused exchange leaves the history, so the next request does not carry it.
                    conversation.truncate(mark);
                    this.texts.length = 0;
                    return 'refused';
                case 'model_context_window_exceeded': {
                    this.keep(complete.filter((block) => block.type !== 'tool_use'));
                    // Compact and retry once; a second "full" in the same turn means compaction cannot make room.
                    const compact = this.options.onContextFull;
                    if (compact === undefined || this.contextRetried) return 'context-full';
                    this.contextRetried = true;
                    try {
                        if (await compact(conversation, this.internal.signal)) {
                            this.previousLast = -1;
                            break;
                        }
                    } catch (e) {
                        return this.guardFailure(e);
                    }
                    return 'context-full';
                }
                default:
                    this.keep(complete);
                    return 'done';
            }
        }
    }

    /** One model call with retries; the outcome that ends the turn instead, when it must end. */
    private async callModel(): Promise<StreamedCall | TurnOutcome> {
        const { client, throttle, conversation } = this.options;
        const policy = this.options.retry ?? {};
        const maxAttempts = Math.max(1, policy.maxAttempts ?? DEFAULT_ATTEMPTS);
        const waits = resolveWaitLimits(policy.waits);
        const idleTimeoutMs = waits.idleTimeoutMs;
        const signal = this.internal.signal;
        const firstTry = this.clock.now();
        for (let attempt = 0; ; attempt++) {
            const exceeded = this.meter.exceeded();
            if (exceeded !== null) return this.overBudget(exceeded);
            try {
                await throttle.wait(signal, (remainingMs) => this.emit({ type: 'waiting', remainingMs }));
            } catch {
                return this.abortOutcome();
            }
            // Before compaction (its summary call must not carry a now-private note either) and after (its record may).
            await this.recheck();
            const fits = await this.makeRoom();
            if (fits !== null) return fits;
            await this.recheck();
            const caching = client.capabilities.has('promptCaching');
            const messages = conversation.snapshot();
            // An endpoint that cannot take citable documents gets the same notes as text (note-level sources then).
            const citing = client.capabilities.has('citations');
            const params = buildRequest({
                model: this.options.model,
                maxTokens: this.options.maxOutputTokens,
                prefix: this.options.prefix,
                messages: citing ? messages : asPlainText(messages),
                previousLast: this.previousLast,
                caching,
                ...(this.options.web !== undefined ? { serverTools: this.options.web.tools() } : {}),
            });
            this.citations.request(params.messages);
            const sentBlocks = conversation.blockCount();
            let reservation: SpendReservation | null = null;
            if (this.options.spend !== undefined) {
                const inputTokens = this.options.context?.meter(messages).usedTokens ?? estimateTokens(params);
                const reserved = await this.options.spend.reserve({
                    inputTokens,
                    maxOutputTokens: this.options.maxOutputTokens,
                });
                if (!('settle' in reserved)) return this.overBudget(reserved);
                reservation = reserved;
            }
            this.meter.countCall();
            this.result.modelCalls++;
            const modelCall = this.result.modelCalls;
            let spent: UsageTotals = emptyUsage();
            const compaction = this.options.context?.serverCompaction?.();
            try {
                const call = await streamModelCall({
                    client,
                    params,
                    signal,
                    idleTimeoutMs,
                    responseDeadlineMs: waits.responseDeadlineMs,
                    silenceNoticeMs: waits.silenceNoticeMs,
                    onSilence: (silentMs) =>
                        this.emit({
                            type: 'notice',
                            message:
                                `No data from ${client.endpointName} for ${describeWait(silentMs)}; it counts as ` +
                                `stalled after ${describeWait(idleTimeoutMs)}.`,
                        }),
                    onText: (delta) => this.emit({ type: 'text', delta, modelCall, attempt }),
                    ...(compaction !== undefined ? { compaction } : {}),
                    onBlockDone: (block) =>
                        this.options.web?.onBlock(block, (activity) => this.emit({ type: 'web', activity })),
                });
                if (call.interrupted !== undefined) {
                    // A fetch nobody vouched for stopped the stream: ask or refuse, then ask the model again.
                    spent = this.account(this.trusted(call, params));
                    const settled = await this.options.web?.settle(signal);
                    if (signal.aborted) return this.abortOutcome();
                    const message = settled?.message ?? call.interrupted;
                    const error = new Cancelled({ retryable: true, summary: message });
                    this.emit({ type: 'retry', error, delayMs: 0, attempt: attempt + 1, message });
                    if (settled?.retry !== true) return this.fail(error, { ...call, blocks: [] });
                    attempt--;
                    continue;
                }
                this.previousLast = messages.length - 1;
                spent = this.account(this.trusted(call, params));
                this.options.context?.observe(sentBlocks, call.usage);
                const compacted = (await this.options.context?.serverCompacted?.(call.blocks, messages)) ?? null;
                // The endpoint compacted the history itself: the previous breakpoint index means nothing any more.
                if (compacted !== null) this.previousLast = -1;
                if (compacted !== null) this.emit({ type: 'compacted', notice: compacted });
                return call;
            } catch (e) {
                if (!(e instanceof ModelCallFailed)) throw e;
                spent = this.account(this.trusted(e.partial, params));
                if (signal.aborted) {
                    this.keepPartial(e.partial);
                    return this.abortOutcome();
                }
                // A custom endpoint that rejects part of the request (PDF documents, `cache_control`, citable
                // documents, the compaction field) gets the same request again without it.
                const notice = (message: string): void => this.emit({ type: 'notice', message });
                const request = { messages, params, caching, citing, compacting: compaction !== undefined };
                if (await learnedFromRejection(e.raw, request, { client, conversation, notice })) continue;
                const decision = retryDecision(e.error, {
                    attempt,
                    maxAttempts,
                    policy,
                    waits,
                    usedMs: this.clock.now() - firstTry,
                    now: this.clock.now(),
                    endpointName: client.endpointName,
                });
                if (!decision.retry) return this.fail(decision.error, e.partial);
                const error = e.error;
                const delayMs = decision.delayMs;
                const next = { next: attempt + 2, of: maxAttempts };
                if (!(await this.waitBeforeRetry(error, attempt, delayMs, next))) return this.abortOutcome();
            } finally {
                reservation?.settle(spent);
            }
        }
    }

    /** Withholds history blocks that carry a note excluded since they were added; tells the listener how many. */
    private async recheck(): Promise<void> {
        const replaced = (await this.options.recheck?.(this.options.conversation)) ?? 0;
        if (replaced > 0) this.emit({ type: 'withheld', blocks: replaced });
    }

    /** Compacts when the context nears the window; the outcome that ends the turn when the request cannot be sent. */
    private async makeRoom(): Promise<TurnOutcome | null> {
        const context = this.options.context;
        if (context === undefined) return null;
        try {
            const verdict = await context.beforeCall(this.options.conversation, this.internal.signal);
            if (verdict.kind === 'full') return 'context-full';
            if (verdict.compacted !== null) {
                // The history was replaced: the previous request's breakpoint index means nothing any more.
                this.previousLast = -1;
                this.emit({ type: 'compacted', notice: verdict.compacted });
            }
            return null;
        } catch (e) {
            return this.guardFailure(e);
        }
    }

    /** How a failed compaction ends the turn: stopped, over a spend limit, the summary call's error, or full. */
    private guardFailure(e: unknown): TurnOutcome {
        if (this.internal.signal.aborted) return this.abortOutcome();
        if (e instanceof SpendRefused) return this.overBudget(e.budget);
        if (e instanceof ModelError) return this.fail(e, { blocks: [], stopReason: null, usage: {}, finished: false });
        return 'context-full';
    }

    /** Waits out `delayMs` (the shared throttle for a rate limit); false when stopped meanwhile. */
    private async waitBeforeRetry(
        error: ModelError,
        attempt: number,
        delayMs: number,
        next: { next: number; of: number },
    ): Promise<boolean> {
        const signal = this.internal.signal;
        const message = error.retryMessage(delayMs, next);
        this.emit({ type: 'retry', error, delayMs, attempt: attempt + 1, message });
        try {
            if (error instanceof RateLimited) {
                this.options.throttle.penalize(this.clock.now() + delayMs);
                await this.options.throttle.wait(signal, (remainingMs) => this.emit({ type: 'waiting', remainingMs }));
            } else {
                await this.clock.sleep(delayMs, signal);
            }
            return true;
        } catch {
            return false;
        }
    }

    /** The call's usage, estimated where the endpoint reported none (`reportedOrEstimated`); said once a turn. */
    private trusted(call: StreamedCall, params: { system?: unknown; messages?: unknown; tools?: unknown }): UsageLike {
        const usage = reportedOrEstimated(call, params);
        if (usage.estimated === true && !this.warnedEstimate) {
            this.warnedEstimate = true;
            this.emit({
                type: 'notice',
                message:
                    `${this.options.client.endpointName} reported no token usage for a response with content; tokens ` +
                    'and cost are estimated from the text (about 4 characters a token).',
            });
        }
        return usage;
    }

    private fail(error: ModelError, partial: StreamedCall): TurnOutcome {
        this.keepPartial(partial);
        this.result.error = error;
        this.emit({ type: 'error', error, message: error.userMessage });
        const progressed = this.texts.length > 0 || this.result.toolCalls.length > 0;
        this.result.interrupted = progressed;
        return progressed ? 'interrupted' : 'failed';
    }

    private overBudget(exceeded: BudgetExceeded): TurnOutcome {
        this.result.budget = exceeded;
        return 'budget';
    }

    /** Stop pressed, or the wall-clock budget ran out. */
    private abortOutcome(): TurnOutcome {
        if (this.internal.signal.reason instanceof WallClockBudget) {
            const limit = this.options.budget?.maxWallMs ?? 0;
            const used = this.meter.elapsedMs();
            return this.overBudget({ kind: 'time', limit, used, describe: `${Math.round(limit / 1000)} s` });
        }
        return 'stopped';
    }

    /** Complete text blocks of a failed call; a half-streamed tool call is dropped. */
    private keepPartial(partial: StreamedCall): void {
        this.keep(partial.blocks.filter((block) => block.type === 'text' && block.text !== ''));
    }

    /** The answer's sources: its citations resolved and checked, or the notes it rested on (say so). */
    private async collectSources(): Promise<void> {
        if (this.texts.length === 0) return;
        const { vault, gate } = this.options.toolContext;
        const read = this.result.toolCalls.flatMap((call) => {
            const path = (call.input as { path?: unknown } | null)?.path;
            return call.name === 'read_note' && call.result?.isError !== true && typeof path === 'string' ? [path] : [];
        });
        try {
            const sources = await this.citations.finish({ vault, gate, read });
            if (sources !== undefined) this.result.sources = sources;
        } catch {
            // Sources are an extra: a vault that cannot be read now leaves the answer without them.
        }
    }

    private keep(blocks: StreamedBlock[]): void {
        this.citations.response(blocks);
        const params = blocks.map(toParam);
        this.options.conversation.addAssistant(params, this.taint.size === 0 ? undefined : [...this.taint]);
        const text = blocks.map((block) => (block.type === 'text' ? block.text : '')).join('');
        if (text !== '') this.texts.push(text);
    }

    private account(usage: UsageLike & { estimated?: boolean }): UsageTotals {
        const cost = costOf(usage, this.options.model, this.options.prices ?? DEFAULT_PRICES);
        const call: UsageTotals = {
            inputTokens: usage.input_tokens ?? 0,
            outputTokens: usage.output_tokens ?? 0,
            cacheReadTokens: usage.cache_read_input_tokens ?? 0,
            cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
            costUsd: cost,
        };
        if (usage.estimated === true) call.estimated = true;
        if (call.inputTokens + call.outputTokens + call.cacheReadTokens + call.cacheWriteTokens === 0) return call;
        this.result.usage = addUsage(this.result.usage, call);
        this.meter.addUsage(call.inputTokens + call.outputTokens + call.cacheReadTokens + call.cacheWriteTokens, cost);
        this.emit({ type: 'usage', call, turn: this.result.usage });
        return call;
    }

    private finish(outcome: TurnOutcome): TurnResult {
        const result = this.result;
        result.outcome = outcome;
        result.text = this.texts.join('\n\n');
        result.message = describeEnd(result);
        this.emit({ type: 'stop', result });
        return result;
    }

    private readonly emit = (event: TurnEvent): void => {
        try {
            this.input.listener(event);
        } catch {
            // A listener's failure (a view that was closed) must not end the turn.
        }
    };
}
