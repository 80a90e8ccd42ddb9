/**
 * The views of the queue's jobs, in the queue's order, for its snapshots. A snapshot goes out after every burst of
 * changes and lists every job, and a jobs folder may hold thousands of finished jobs (a year of schedules, a folder
 * fan-out): building every view for every snapshot made a run's cost grow with the folder, not with the jobs it ran.
 * Only the views of jobs marked changed since the last snapshot are built again.
 */
import type { JobNote } from './job-note';
import type { JobProgress } from './job-run';
import { jobView, type JobView } from './queue-snapshot';

/** Views kept between snapshots; the queue marks what changed. */
export class JobViews {
    /** Each job note's view as last built, kept while the note and its progress stay the same objects. */
    private readonly built = new WeakMap<JobNote, { progress: JobProgress | null; view: JobView }>();
    /** The last list, by path in the queue's order; `null` until built, or after `reset`. */
    private listed: Map<string, JobView> | null = null;
    private readonly changed = new Set<string>();

    /** The job at `path` changed: its note, its progress, or whether it runs here. */
    touch(path: string): void {
        this.changed.add(path);
    }

    /** Any job may have changed, or changed places (the jobs folder was read again). */
    reset(): void {
        this.listed = null;
        this.changed.clear();
    }

    /** Every job's view, in the order of `jobs`. */
    list(jobs: ReadonlyMap<string, JobNote>, progressOf: (path: string) => JobProgress | null): JobView[] {
        if (this.listed === null) {
            this.listed = new Map();
            for (const [path, job] of jobs) this.listed.set(path, this.viewOf(job, progressOf(path)));
        } else {
            for (const path of this.changed) {
                const job = jobs.get(path);
                if (job === undefined) this.listed.delete(path);
                else this.listed.set(path, this.viewOf(job, progressOf(path)));
            }
        }
        this.changed.clear();
        return [...this.listed.values()];
    }

    private viewOf(job: JobNote, progress: JobProgress | null): JobView {
        const cached = this.built.get(job);
        if (cached !== undefined && cached.progress === progress) return cached.view;
        const view = jobView(job, progress);
        this.built.set(job, { progress, view });
        return view;
    }
}
