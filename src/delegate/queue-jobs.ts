/**
 * The job notes the queue knows, in the jobs folder's order, with what it asks of them at every start and end of a job
 * kept at hand: which jobs may run at all (queued, or interrupted with attempts left, and no schedule), and which note
 * first carries an id. A jobs folder holds a year of finished jobs, thousands of notes, and these questions came up
 * several times per job: each must cost the jobs that may still run, not the folder (decision 0033).
 */
import type { JobNote } from './job-note';

export class QueueJobs {
    private readonly byPath = new Map<string, JobNote>();
    /** Each path's place in the folder's order (the order it was first set in since the last `clear`). */
    private readonly place = new Map<string, number>();
    private next = 0;
    /** Paths of the jobs whose note lets them run (the queue still asks its extensions and the clock). */
    private readonly open = new Set<string>();
    /** The paths carrying each job id. */
    private readonly ids = new Map<string, Set<string>>();

    constructor(private readonly maxAttempts: number) {}

    /** Every job, by path, in the folder's order. */
    get all(): ReadonlyMap<string, JobNote> {
        return this.byPath;
    }

    get(path: string): JobNote | undefined {
        return this.byPath.get(path);
    }

    /** Keeps `job` as the queue knows it now. */
    set(job: JobNote): void {
        const before = this.byPath.get(job.path);
        if (before !== undefined && before.id !== job.id) this.ids.get(before.id)?.delete(job.path);
        this.byPath.set(job.path, job);
        if (!this.place.has(job.path)) this.place.set(job.path, this.next++);
        if (this.noteLetsRun(job)) this.open.add(job.path);
        else this.open.delete(job.path);
        if (job.id !== '') {
            let paths = this.ids.get(job.id);
            if (paths === undefined) this.ids.set(job.id, (paths = new Set()));
            paths.add(job.path);
        }
    }

    /** Forgets every job (the jobs folder is read again). */
    clear(): void {
        this.byPath.clear();
        this.place.clear();
        this.open.clear();
        this.ids.clear();
        this.next = 0;
    }

    /** The jobs whose note lets them run (queued, or interrupted with attempts left; no schedule), in order. */
    mayRunByNote(): JobNote[] {
        const jobs: JobNote[] = [];
        for (const path of this.open) jobs.push(this.byPath.get(path) as JobNote);
        return jobs.length < 2 ? jobs : jobs.sort((a, b) => this.placeOf(a.path) - this.placeOf(b.path));
    }

    /** The path of the first job (in the folder's order) whose note carries `id`, if any. */
    firstWithId(id: string): string | undefined {
        let first: string | undefined;
        for (const path of this.ids.get(id) ?? []) {
            if (first === undefined || this.placeOf(path) < this.placeOf(first)) first = path;
        }
        return first;
    }

    /** Whether `job`'s note lets it run: queued, or interrupted with attempts left, and no schedule (a template). */
    noteLetsRun(job: JobNote): boolean {
        if (job.schedule !== '') return false;
        return job.status === 'queued' || (job.status === 'interrupted' && job.attempts < this.maxAttempts);
    }

    private placeOf(path: string): number {
        return this.place.get(path) ?? Number.MAX_SAFE_INTEGER;
    }
}
