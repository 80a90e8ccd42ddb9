/**
 * Sends one summarising request for compaction the way the turn loop sends its own: after the shared rate-limit
 * throttle, with its most cost reserved against spend limits first, and its usage priced and counted.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { systemClock, type Clock } from '../../kernel/ports';
import type { Throttle } from '../loop/throttle';
import type { UsageTotals } from '../loop/turn-events';
import type { ModelClient } from '../model-client';
import { RateLimited } from '../model-errors';
import { costOf, DEFAULT_PRICES, type PriceTable } from '../pricing';
import type { SessionSpend } from '../spend/session-spend';
import { SpendRefused } from '../spend/spend-control';
import { estimateBlockTokens } from './context-window';

/** Thrown when the model's summary has no text (it called a tool instead, or said nothing). */
export class EmptySummaryError extends Error {
    override readonly name: string = 'EmptySummaryError';

    constructor() {
        super('The summary for compaction came back empty; the conversation was left as it was.');
    }
}

/** What one summarising call needs. */
export interface SummaryCallInput {
    /** The model client. */
    client: ModelClient;
    /** The request. */
    params: Anthropic.MessageCreateParamsNonStreaming;
    /** Stop. */
    signal: AbortSignal;
    /** The shared rate-limit throttle. */
    throttle: Throttle;
    /** The session's spend control, if any. */
    spend: SessionSpend | null;
    /** What the session has spent so far, for its budget. */
    spentUsd?: number;
    /** Price table. */
    prices?: PriceTable;
    /** Time. */
    clock?: Clock;
    /** Hears the call's usage and cost. */
    account: (usage: UsageTotals) => void;
}

/** Sends the request; resolves with the summary text. Rejects with a `ModelError`, `SpendRefused` or empty summary. */
export async function sendSummaryCall(input: SummaryCallInput): Promise<string> {
    const { client, params, signal } = input;
    await input.throttle.wait(signal);
    const inputTokens =
        estimateBlockTokens(asArray(params.system)) +
        estimateBlockTokens(asArray(params.tools)) +
        params.messages.reduce((sum, message) => sum + estimateBlockTokens(asArray(message.content)) + 4, 0);
    const reserved = await input.spend?.reserve(
        { inputTokens, maxOutputTokens: params.max_tokens },
        input.spentUsd ?? 0,
    );
    if (reserved !== undefined && !('settle' in reserved)) throw new SpendRefused(reserved);
    let spent: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
    try {
        const message = await client.create(params, { signal });
        const usage = message.usage;
        spent = {
            inputTokens: usage.input_tokens,
            outputTokens: usage.output_tokens,
            cacheReadTokens: usage.cache_read_input_tokens ?? 0,
            cacheWriteTokens: usage.cache_creation_input_tokens ?? 0,
            costUsd: costOf(usage, params.model, input.prices ?? DEFAULT_PRICES),
        };
        input.account(spent);
        const text = message.content
            .map((block) => (block.type === 'text' ? block.text : ''))
            .join('')
            .trim();
        if (text === '') throw new EmptySummaryError();
        return text;
    } catch (e) {
        // A rate limit here slows every session down, as it would in the turn loop.
        if (e instanceof RateLimited && e.retryAfterMs !== undefined) {
            input.throttle.penalize((input.clock ?? systemClock).now() + e.retryAfterMs);
        }
        throw e;
    } finally {
        reserved?.settle(spent);
    }
}

function asArray(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? (value as unknown[]) : [value];
}
