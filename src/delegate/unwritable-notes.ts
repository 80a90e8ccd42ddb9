/**
 * Job notes the queue can read but whose lease it cannot write (a symbolic link, a read-only file). Such a note is
 * left as it is and not started again until it changes or `RETRY_MS` pass: before, the queue took it again at once, in
 * a loop no timer or signal could interrupt, and a batch job kept a one-shot `run` going forever. Each reason is said
 * once per note.
 */
import type { Clock, Notifier } from '../kernel/ports';
import type { JobNote } from './job-note';

/** How long such a note waits before it is tried again, unless it changes first. */
const RETRY_MS = 60_000;

/** The notes kept from running, and the reasons already said. */
export class UnwritableNotes {
    /** Path → the job as it read when its lease failed (an unchanged note reads as the same object), and until when. */
    private readonly blocked = new Map<string, { job: JobNote | undefined; until: number }>();
    private readonly said = new Map<string, string>();

    constructor(
        private readonly clock: Clock,
        private readonly notifier: Notifier,
    ) {}

    /** `path`'s lease could not be written (`job`: the note as the queue knows it): kept from running, told once. */
    mark(path: string, job: JobNote | undefined, message: string): void {
        this.blocked.set(path, { job, until: this.clock.now() + RETRY_MS });
        if (this.said.get(path) === message) return;
        this.said.set(path, message);
        this.notifier.notify(
            `Vault Agent cannot run the job note "${path}": ${message} It was left as it is.`,
            'error',
        );
    }

    /** Whether `path` is kept from running now. */
    has(path: string): boolean {
        const entry = this.blocked.get(path);
        if (entry === undefined) return false;
        if (entry.until > this.clock.now()) return true;
        this.blocked.delete(path);
        return false;
    }

    /** The notes kept from running now, each with the reason said. */
    list(): { path: string; reason: string }[] {
        return [...this.blocked.keys()]
            .filter((path) => this.has(path))
            .map((path) => ({ path, reason: this.said.get(path) ?? '' }));
    }

    /** A scan read `job`: a note that changed since its lease failed may be tried again at once. */
    scanned(job: JobNote): void {
        const entry = this.blocked.get(job.path);
        if (entry !== undefined && entry.job !== job) this.blocked.delete(job.path);
    }
}
