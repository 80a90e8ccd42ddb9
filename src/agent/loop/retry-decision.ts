/**
 * Whether a failed model call is tried again, and after how long: full-jitter backoff (or what a rate limit asked
 * for), within the attempts allowed, the longest `retry-after` Vault Agent waits, and the time one request may take
 * with its retries (`wait-limits.ts`). What ends the call instead is an error that says why.
 */
import { backoffDelay, GaveUp, RateLimited, RetryLater, type ModelError } from '../model-errors';
import { plural } from '../tools/bounded';
import type { RetryPolicy } from './loop-options';
import { describeWait, type WaitLimits } from './wait-limits';

/** Try again after `delayMs`, or give up with `error`. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; error: ModelError };

/** What the decision weighs besides the error. */
export interface RetryState {
    /** 0 for the first attempt. */
    attempt: number;
    maxAttempts: number;
    policy: RetryPolicy;
    waits: Required<WaitLimits>;
    /** Milliseconds since the first attempt of this call. */
    usedMs: number;
    /** Now, for the time a rate limit says to come back. */
    now: number;
    /** The endpoint as the person knows it. */
    endpointName: string;
}

/** Whether and when to try `error`'s call again. */
export function retryDecision(error: ModelError, state: RetryState): RetryDecision {
    const { attempt, policy, waits } = state;
    if (!error.retryable || attempt + 1 >= state.maxAttempts) return { retry: false, error };
    const backoff = { base: policy.baseDelayMs, max: policy.maxDelayMs, random: policy.random };
    const rateLimited = error instanceof RateLimited;
    const delayMs = backoffDelay(attempt, rateLimited ? { ...backoff, retryAfterMs: error.retryAfterMs } : backoff);
    if (rateLimited && (error.retryAfterMs ?? 0) > waits.maxRetryAfterMs) {
        return { retry: false, error: retryLater(error, error.retryAfterMs ?? 0, state) };
    }
    if (state.usedMs + delayMs > waits.retryBudgetMs) {
        const summary =
            `${error.summary.replace(/\.$/u, '')}; gave up after ${plural(attempt + 1, 'attempt')} in ` +
            `${describeWait(state.usedMs)} (the most one request may take with its retries is ` +
            `${describeWait(waits.retryBudgetMs)}).`;
        return { retry: false, error: new GaveUp({ summary, last: error }) };
    }
    return { retry: true, delayMs };
}

/** The error for a rate limit that asked for a longer pause than Vault Agent waits. */
function retryLater(error: RateLimited, retryAfterMs: number, state: RetryState): RetryLater {
    const retryAt = state.now + retryAfterMs;
    const at = new Date(retryAt).toISOString().replace(/\.\d+Z$/u, 'Z');
    return new RetryLater({
        retryAt,
        status: error.status,
        requestId: error.requestId,
        cause: error,
        summary:
            `${state.endpointName} is rate-limiting requests and asked to wait ` +
            `${describeWait(retryAfterMs)}, longer than the ${describeWait(state.waits.maxRetryAfterMs)} Vault Agent ` +
            `waits; try again after ${at}.`,
    });
}
