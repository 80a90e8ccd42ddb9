/**
 * Spend control for every chat and job of one device: a daily cap and per-job budgets that stop work BEFORE a request
 * could cross them. Before each model call the caller reserves the most that call could cost (its input estimate at
 * the dearer of the input and cache-write rates, plus `max_tokens` of output); the reservation is refused when it
 * could cross a limit, so nothing is sent. Parallel jobs reserve against the same running total, so two of them cannot
 * both slip under the cap with the last dollar. After the call the reservation is settled with the real cost, which
 * goes to the ledger.
 */
import { systemClock, type Clock } from '../../kernel/ports';
import { costOf, DEFAULT_PRICES, type PriceTable } from '../pricing';
import type { BudgetExceeded } from '../loop/budgets';
import type { UsageTotals } from '../loop/turn-events';
import type { SpendEntry, SpendLedger, SpendScope } from './spend-ledger';
import { startOfLocalDay, startOfLocalWeek, summariseUsage, type UsageSummary } from './usage-summary';

/** What spend control is built from. */
export interface SpendControlOptions {
    /** Where this device keeps its spend. */
    ledger: SpendLedger;
    /** Most USD to spend per calendar day on this device; 0 or absent = no cap. */
    dailyCapUsd?: number;
    /** Time; a fake clock in tests. */
    clock?: Clock;
    /** Price table. */
    prices?: PriceTable;
}

/** One request about to be sent. */
export interface SpendRequest {
    /** Model id (prices differ per model). */
    model: string;
    /** Input tokens the request will carry (an estimate that leans high). */
    inputTokens: number;
    /** Its `max_tokens`. */
    maxOutputTokens: number;
    /** Who is spending. */
    scope: SpendScope;
    /** The scope's own budget, when it has one (a job's `budget.usd`). */
    budget?: { limitUsd: number; spentUsd: number };
}

/** Money set aside for one request; settle it once the request is over, whatever happened. */
export interface SpendReservation {
    /** The most the request could cost. */
    readonly maxCostUsd: number;
    /** Releases the reservation and records what the request really cost (zero usage when nothing came back). */
    settle(usage: UsageTotals): void;
}

/** Thrown where a request was refused by spend control and the caller cannot return a result instead. */
export class SpendRefused extends Error {
    override readonly name: string = 'SpendRefused';

    constructor(
        /** The limit the request could have crossed. */
        readonly budget: BudgetExceeded,
    ) {
        super(budget.detail ?? `Stopped at ${budget.describe}.`);
    }
}

/** Daily cap and budgets for one device; build one per plugin (or CLI run) and share it like the throttle. */
export class SpendControl {
    private readonly ledger: SpendLedger;
    private readonly clock: Clock;
    private readonly prices: PriceTable;
    private dailyCapUsd: number;
    private day = Number.NaN;
    private spentToday = 0;
    private reserved = 0;
    private loading: Promise<void> | null = null;
    private writes: Promise<void> = Promise.resolve();
    /** Entries recorded and not yet handed to the ledger: written together by the next write. */
    private unwritten: SpendEntry[] = [];

    constructor(options: SpendControlOptions) {
        this.ledger = options.ledger;
        this.clock = options.clock ?? systemClock;
        this.prices = options.prices ?? DEFAULT_PRICES;
        this.dailyCapUsd = options.dailyCapUsd ?? 0;
    }

    /** Changes the daily cap (settings changed); 0 = no cap. */
    setDailyCap(usd: number): void {
        this.dailyCapUsd = Number.isFinite(usd) && usd > 0 ? usd : 0;
    }

    /** USD spent today on this device, settled calls only. */
    async spentTodayUsd(): Promise<number> {
        await this.ensureDay();
        return this.spentToday;
    }

    /** The most a request could cost, from the price table. */
    maxCostOf(request: Pick<SpendRequest, 'model' | 'inputTokens' | 'maxOutputTokens'>): number {
        const output = Math.max(0, request.maxOutputTokens);
        const input = Math.max(0, request.inputTokens);
        // Uncached input, or the same tokens written to the cache: whichever rate is dearer for this model.
        return Math.max(
            costOf({ input_tokens: input, output_tokens: output }, request.model, this.prices),
            costOf({ cache_creation_input_tokens: input, output_tokens: output }, request.model, this.prices),
        );
    }

    /** Reserves the request's most cost, or says which limit it could cross (and then nothing may be sent). */
    async reserve(request: SpendRequest): Promise<SpendReservation | BudgetExceeded> {
        await this.ensureDay();
        const maxCostUsd = this.maxCostOf(request);
        const cap = this.dailyCapUsd;
        if (cap > 0 && this.spentToday + this.reserved + maxCostUsd > cap) {
            const committed = this.spentToday + this.reserved;
            return {
                kind: 'daily-spend',
                limit: cap,
                used: committed,
                describe: `today’s spend cap of ${usd(cap)}`,
                detail:
                    `Nothing was sent: the next request could cost up to ${usd(maxCostUsd)}, and ${usd(committed)} of ` +
                    `today’s ${usd(cap)} spend cap is already used. Raise the cap in settings or wait until tomorrow.`,
            };
        }
        const budget = request.budget;
        if (budget !== undefined && budget.limitUsd > 0 && budget.spentUsd + maxCostUsd > budget.limitUsd) {
            return {
                kind: 'job-spend',
                limit: budget.limitUsd,
                used: budget.spentUsd,
                describe: `its budget of ${usd(budget.limitUsd)}`,
                detail:
                    `Nothing more was sent: the next request could cost up to ${usd(maxCostUsd)}, and ` +
                    `${usd(budget.spentUsd)} of the ${usd(budget.limitUsd)} budget is already used.`,
            };
        }
        this.reserved += maxCostUsd;
        let settled = false;
        return {
            maxCostUsd,
            settle: (usage) => {
                if (settled) return;
                settled = true;
                this.reserved -= maxCostUsd;
                this.record(request, usage);
            },
        };
    }

    /** Today, this week and by job, from the ledger. */
    async summary(): Promise<UsageSummary> {
        const now = this.clock.now();
        await this.writes;
        const entries = await this.ledger.entries(Math.min(startOfLocalWeek(now), startOfLocalDay(now)));
        return { ...summariseUsage(entries, now), dailyCapUsd: this.dailyCapUsd };
    }

    private record(request: SpendRequest, usage: UsageTotals): void {
        const tokens = usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
        if (tokens === 0 && usage.costUsd === 0) return;
        const time = this.clock.now();
        if (startOfLocalDay(time) === this.day) this.spentToday += usage.costUsd;
        const entry = {
            time,
            usd: usage.costUsd,
            model: request.model,
            scope: { ...request.scope },
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cacheReadTokens: usage.cacheReadTokens,
            cacheWriteTokens: usage.cacheWriteTokens,
        };
        // The running total above already counts it; a failed write loses the entry after a restart, not the cap now.
        // Entries recorded while a write is under way (eight jobs ending together) go into the ledger in one write.
        this.unwritten.push(entry);
        if (this.unwritten.length > 1) return;
        this.writes = this.writes.then(() => this.ledger.append(...this.unwritten.splice(0))).catch(() => undefined);
    }

    private async ensureDay(): Promise<void> {
        const day = startOfLocalDay(this.clock.now());
        if (day !== this.day) {
            this.loading = this.load(day);
        }
        await this.loading;
    }

    private async load(day: number): Promise<void> {
        this.day = day;
        await this.writes;
        const entries = await this.ledger.entries(day);
        this.spentToday = entries.reduce((sum, entry) => sum + entry.usd, 0);
    }
}

function usd(value: number): string {
    return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}
