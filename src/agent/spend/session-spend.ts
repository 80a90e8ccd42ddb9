/**
 * One session's view of spend control: which scope it spends for (a chat or a job) and that scope's budget. The job
 * runner passes the job's `budget.usd` and what the job already spent in earlier runs (its `usage.usd`), so a job
 * resumed after a restart still stops before crossing its budget.
 */
import type { BudgetExceeded } from '../loop/budgets';
import type { SpendControl, SpendReservation } from './spend-control';
import type { SpendScope } from './spend-ledger';

/** What a session is given for spend control. */
export interface SessionSpendOptions {
    /** The device's spend control, shared by every chat and job. */
    control: SpendControl;
    /** Who spends: this chat or this job. */
    scope: SpendScope;
    /** The scope's budget in USD (a job's `budget.usd`); absent or 0 = only the daily cap applies. */
    budgetUsd?: number;
    /** USD the scope spent before this session (earlier runs of the same job). */
    spentUsd?: number;
}

/** Reserves a session's requests against the daily cap and its own budget. */
export class SessionSpend {
    constructor(
        private readonly options: SessionSpendOptions,
        private readonly model: string,
    ) {}

    /** Reserves one request's most cost; `sessionSpentUsd` is what this session has spent so far. */
    reserve(
        request: { inputTokens: number; maxOutputTokens: number },
        sessionSpentUsd: number,
    ): Promise<SpendReservation | BudgetExceeded> {
        const { control, scope, budgetUsd } = this.options;
        const spentUsd = (this.options.spentUsd ?? 0) + sessionSpentUsd;
        return control.reserve({
            model: this.model,
            inputTokens: request.inputTokens,
            maxOutputTokens: request.maxOutputTokens,
            scope,
            ...(budgetUsd !== undefined && budgetUsd > 0 ? { budget: { limitUsd: budgetUsd, spentUsd } } : {}),
        });
    }

    /** The turn loop's seam, reading the session's spend at each request. */
    forLoop(sessionSpentUsd: () => number): {
        reserve(request: { inputTokens: number; maxOutputTokens: number }): Promise<SpendReservation | BudgetExceeded>;
    } {
        return { reserve: (request) => this.reserve(request, sessionSpentUsd()) };
    }
}
