/**
 * The job notes the queue knows, in the jobs folder's order, with the jobs that may run by their note kept at hand
 * (queued, or interrupted with attempts left, and no schedule). A jobs folder holds a year of finished jobs, thousands
 * of notes, and the queue picks its next jobs at every start and end of a job: that must cost the jobs that may still
 * run, not the folder (decision 0033).
 */
import type { JobNote } from './job-note';

export class QueueJobs {
    private readonly byPath = new Map<string, JobNote>();
    /** Each path's place in the folder's order (the order it was first set in since the last `clear`). */
    private readonly place = new Map<string, number>();
    /** Paths of the jobs whose note lets them run (the queue still asks its extensions and the clock). */
    private readonly open = new Set<string>();

    constructor(private readonly maxAttempts: number) {}

    /** Every job, by path, in the folder's order. */
    get all(): ReadonlyMap<string, JobNote> {
        return this.byPath;
    }

    /** Keeps `job` as the queue knows it now. */
    set(job: JobNote): void {
        this.byPath.set(job.path, job);
        if (!this.place.has(job.path)) this.place.set(job.path, this.place.size);
        if (this.noteLetsRun(job)) this.open.add(job.path);
        else this.open.delete(job.path);
    }

    /** Forgets every job (the jobs folder is read again). */
    clear(): void {
        this.byPath.clear();
        this.place.clear();
        this.open.clear();
    }

    /** The jobs whose note lets them run, in the folder's order. */
    mayRunByNote(): JobNote[] {
        const jobs = [...this.open].map((path) => this.byPath.get(path) as JobNote);
        return jobs.sort((a, b) => (this.place.get(a.path) ?? 0) - (this.place.get(b.path) ?? 0));
    }

    /** Whether `job`'s note lets it run: queued, or interrupted with attempts left, and no schedule (a template). */
    noteLetsRun(job: JobNote): boolean {
        if (job.schedule !== '') return false;
        return job.status === 'queued' || (job.status === 'interrupted' && job.attempts < this.maxAttempts);
    }
}
