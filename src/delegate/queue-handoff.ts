/**
 * Finished jobs handing their places in the queue on (`JobControl.release`): a job that is done with the model writes
 * its result only once no job is starting any more — every job the queue started has its lease, its prompt and its
 * session, and has sent its model request — so those starts never queue behind result writes on the one thread they
 * share. Eight jobs answered together start eight jobs together: all eight requests go out first, then all eight
 * results are written. A finished job waits at most `maxWaitMs`, so a queue that keeps starting jobs never holds a
 * result back for long.
 */

/** The longest a finished job waits, by default, for the jobs starting to send their requests before writing. */
export const HANDOFF_WAIT_MS = 1_000;

/** The starts in flight and the finished jobs waiting for them. */
export class Handoffs {
    private waiting: (() => void)[] = [];
    private starting = 0;
    private flushing = false;

    constructor(private readonly maxWaitMs: number = HANDOFF_WAIT_MS) {}

    /** Settles once no job is starting (see `settleAll`), or after `maxWaitMs`. */
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

    /**
     * A job starts now: finished jobs wait for it. Call the returned function once it sends its request, or ends
     * (more calls do nothing).
     */
    starts(): () => void {
        this.starting++;
        let sent = false;
        return () => {
            if (sent) return;
            sent = true;
            this.starting--;
            this.settleAll();
        };
    }

    /**
     * Lets the waiting jobs write once no job is starting. The request a job has just sent still has a few steps to go
     * through on this thread (the client, the connection) before it leaves: they run first, one turn of the event loop.
     */
    settleAll(): void {
        if (this.starting > 0 || this.waiting.length === 0 || this.flushing) return;
        this.flushing = true;
        setTimeout(() => {
            this.flushing = false;
            if (this.starting === 0) this.releaseAll();
        }, 0);
    }

    /** Lets every waiting job write now, whatever is starting (the queue stops). */
    releaseAll(): void {
        for (const settle of this.waiting.splice(0)) settle();
    }
}
