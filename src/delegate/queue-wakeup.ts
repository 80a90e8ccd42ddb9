/** Wakes the queue's loop early (a job ended, a job was queued, the queue resumed); a wake-up is never lost. */
import type { Clock } from '../kernel/ports';

/** One waiter at a time; a wake-up with nobody waiting is kept for the next wait. */
export class Wakeup {
    private wakeUp: (() => void) | null = null;
    private pending = false;

    constructor(private readonly clock: Clock) {}

    /** Wakes the waiter, or the next one. */
    wake(): void {
        if (this.wakeUp === null) this.pending = true;
        else this.wakeUp();
    }

    /** Resolves true when woken, false when `ms` passed. */
    async wait(ms: number): Promise<boolean> {
        if (this.pending) {
            this.pending = false;
            return true;
        }
        const timer = new AbortController();
        let woken = false;
        const wakeUp = new Promise<void>((resolve) => {
            this.wakeUp = () => {
                woken = true;
                resolve();
            };
        });
        await Promise.race([wakeUp, this.clock.sleep(ms, timer.signal).catch(() => undefined)]);
        timer.abort();
        this.wakeUp = null;
        return woken;
    }
}
