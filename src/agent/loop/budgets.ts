/**
 * Budgets for one turn (a chat message or a job): model calls, tokens, cost and wall-clock time. A looping model or
 * an injected "repeat for every note" runs into one of them and the turn stops with a report of what was done
 * (docs/RELIABILITY.md row 30).
 */
import type { Clock } from '../../kernel/ports';

/** Limits for one turn; any left out is unlimited. */
export interface TurnBudget {
    /** Most model calls (each streamed response counts, retries included). */
    maxModelCalls?: number;
    /** Most tokens, input (cached or not) and output together. */
    maxTokens?: number;
    /** Most cost in USD, from the price table. */
    maxCostUsd?: number;
    /** Most wall-clock time in ms. */
    maxWallMs?: number;
}

/** Which limit was reached; `daily-spend` and `job-spend` stop a request before it is sent. */
export type BudgetKind = 'model-calls' | 'tokens' | 'cost' | 'time' | 'daily-spend' | 'job-spend';

/** A limit that was reached. */
export interface BudgetExceeded {
    /** Which limit. */
    kind: BudgetKind;
    /** The limit as set. */
    limit: number;
    /** What was used when the turn stopped. */
    used: number;
    /** The limit in words, e.g. "30 model calls". */
    describe: string;
    /** A fuller explanation for the person, when the limit has one (what was not sent, and why). */
    detail?: string;
}

/** A budget of 30 model calls: what a chat turn gets when its caller sets none. */
export const DEFAULT_TURN_BUDGET: TurnBudget = { maxModelCalls: 30 };

/** Tracks what one turn used against its budget. */
export class BudgetMeter {
    /** Model calls started. */
    modelCalls = 0;
    /** Tokens used, input and output. */
    tokens = 0;
    /** Cost in USD. */
    costUsd = 0;
    private readonly startedAt: number;

    constructor(
        private readonly budget: TurnBudget,
        private readonly clock: Clock,
    ) {
        this.startedAt = clock.now();
    }

    /** Counts a model call about to start. */
    countCall(): void {
        this.modelCalls++;
    }

    /** Adds one response's tokens and cost. */
    addUsage(tokens: number, costUsd: number): void {
        this.tokens += tokens;
        this.costUsd += costUsd;
    }

    /** Milliseconds since the turn started. */
    elapsedMs(): number {
        return this.clock.now() - this.startedAt;
    }

    /** The first limit already reached, checked before each model call; `null` while all have room. */
    exceeded(): BudgetExceeded | null {
        const { maxModelCalls, maxTokens, maxCostUsd, maxWallMs } = this.budget;
        if (maxModelCalls !== undefined && this.modelCalls >= maxModelCalls) {
            return {
                kind: 'model-calls',
                limit: maxModelCalls,
                used: this.modelCalls,
                describe: `${maxModelCalls} model calls`,
            };
        }
        if (maxTokens !== undefined && this.tokens >= maxTokens) {
            return { kind: 'tokens', limit: maxTokens, used: this.tokens, describe: `${maxTokens} tokens` };
        }
        if (maxCostUsd !== undefined && this.costUsd >= maxCostUsd) {
            return { kind: 'cost', limit: maxCostUsd, used: this.costUsd, describe: `$${maxCostUsd.toFixed(2)}` };
        }
        const elapsed = this.elapsedMs();
        if (maxWallMs !== undefined && elapsed >= maxWallMs) {
            return { kind: 'time', limit: maxWallMs, used: elapsed, describe: `${Math.round(maxWallMs / 1000)} s` };
        }
        return null;
    }
}
