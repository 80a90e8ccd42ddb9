/** The usage summary the queue view shows: today, this week, and by job, from the spend ledger. */
import type { SpendEntry } from './spend-ledger';

/** Cost and tokens over some entries. */
export interface SpendTotals {
    /** Cost in USD. */
    usd: number;
    /** Model calls. */
    calls: number;
    /** Uncached input tokens. */
    inputTokens: number;
    /** Output tokens. */
    outputTokens: number;
    /** Input tokens read from the prompt cache. */
    cacheReadTokens: number;
    /** Input tokens written to the prompt cache. */
    cacheWriteTokens: number;
}

/** What the queue view shows. */
export interface UsageSummary {
    /** Since local midnight. */
    today: SpendTotals;
    /** Since Monday 00:00 local time. */
    week: SpendTotals;
    /** This week's spend per job, dearest first. */
    byJob: { jobId: string; totals: SpendTotals }[];
    /** The daily cap in force (0 = none), when the summary came from spend control. */
    dailyCapUsd?: number;
}

/** Midnight (local time) of the day `time` falls in, ms since the epoch. */
export function startOfLocalDay(time: number): number {
    const date = new Date(time);
    date.setHours(0, 0, 0, 0);
    return date.getTime();
}

/** Monday 00:00 (local time) of the week `time` falls in. */
export function startOfLocalWeek(time: number): number {
    const date = new Date(startOfLocalDay(time));
    const sinceMonday = (date.getDay() + 6) % 7;
    date.setDate(date.getDate() - sinceMonday);
    return date.getTime();
}

/** All zeros. */
export function emptySpendTotals(): SpendTotals {
    return { usd: 0, calls: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

/** Today, this week and by job, as of `now`. */
export function summariseUsage(entries: readonly SpendEntry[], now: number): UsageSummary {
    const dayStart = startOfLocalDay(now);
    const weekStart = startOfLocalWeek(now);
    const today = emptySpendTotals();
    const week = emptySpendTotals();
    const jobs = new Map<string, SpendTotals>();
    for (const entry of entries) {
        if (entry.time > now) continue;
        if (entry.time >= dayStart) add(today, entry);
        if (entry.time < weekStart) continue;
        add(week, entry);
        if (entry.scope.kind !== 'job') continue;
        const totals = jobs.get(entry.scope.id) ?? emptySpendTotals();
        add(totals, entry);
        jobs.set(entry.scope.id, totals);
    }
    const byJob = [...jobs].map(([jobId, totals]) => ({ jobId, totals })).sort((a, b) => b.totals.usd - a.totals.usd);
    return { today, week, byJob };
}

function add(totals: SpendTotals, entry: SpendEntry): void {
    totals.usd += entry.usd;
    totals.calls += 1;
    totals.inputTokens += entry.inputTokens;
    totals.outputTokens += entry.outputTokens;
    totals.cacheReadTokens += entry.cacheReadTokens;
    totals.cacheWriteTokens += entry.cacheWriteTokens;
}
