/**
 * One rate-limit throttle shared by every chat and job of the plugin: when any request is told to slow down (429 with
 * `retry-after`), every session waits until that moment before its next model call, so parallel jobs do not stampede
 * an endpoint that has just refused them.
 */
import { systemClock, type Clock } from '../../kernel/ports';

/** How often a waiting caller is told how long is left, in ms. */
export const THROTTLE_TICK_MS = 1000;

/** What the throttle needs. */
export interface ThrottleOptions {
    /** Time; a fake clock in tests. */
    clock?: Clock;
}

/** A shared "not before" moment for model calls. Build one per plugin (or CLI run) and pass it to every session. */
export class Throttle {
    private readonly clock: Clock;
    private until = 0;

    constructor(options: ThrottleOptions = {}) {
        this.clock = options.clock ?? systemClock;
    }

    /** Pushes the shared resume moment to `untilMs` (ms since the epoch) unless it is already later. */
    penalize(untilMs: number): void {
        if (untilMs > this.until) this.until = untilMs;
    }

    /** When calls may resume, ms since the epoch (in the past when there is no wait). */
    resumesAt(): number {
        return this.until;
    }

    /**
     * Resolves once calls may resume. `onTick` hears the remaining ms before each wait step (a countdown for the
     * person); rejects with the signal's reason when aborted.
     */
    async wait(signal?: AbortSignal, onTick?: (remainingMs: number) => void): Promise<void> {
        for (;;) {
            if (signal?.aborted === true) throw abortReason(signal);
            // Read each round: another session may have pushed the moment further while this one slept.
            const remaining = this.until - this.clock.now();
            if (remaining <= 0) return;
            onTick?.(remaining);
            await this.clock.sleep(Math.min(remaining, THROTTLE_TICK_MS), signal);
        }
    }
}

function abortReason(signal: AbortSignal): Error {
    return signal.reason instanceof Error ? signal.reason : new Error('Aborted');
}
