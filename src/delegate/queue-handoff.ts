/**
 * A finished job handing its place in the queue to the next one (`JobControl.release`): the job waits to write its
 * result until the job started in its place sends its model request (it holds its lease and has built its prompt and
 * session), so that start does not queue behind the result writes — or until that job ends first, no job starts
 * there, or at most `maxWaitMs`.
 */

/** The longest a finished job waits, by default, for the next one to send its request before writing its result. */
export const HANDOFF_WAIT_MS = 1_000;

export class Handoffs {
    private waiting: (() => void)[] = [];

    constructor(private readonly maxWaitMs: number = HANDOFF_WAIT_MS) {}

    /** Settles when the job started in the freed place sends its request or ends, when none starts, or after `maxWaitMs`. */
    wait(): Promise<void> {
        return new Promise<void>((resolve) => {
            const timer = setTimeout(settle, this.maxWaitMs);
            function settle(): void {
                clearTimeout(timer);
                resolve();
            }
            this.waiting.push(settle);
        });
    }

    /** The oldest waiting handoff, for the job starting now: call it once that job sends its request (or ends). */
    next(): (() => void) | undefined {
        return this.waiting.shift();
    }

    /** Lets every waiting job go on: no job is starting in its place now. */
    settleAll(): void {
        for (const settle of this.waiting.splice(0)) settle();
    }
}
