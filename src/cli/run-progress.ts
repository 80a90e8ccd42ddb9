/**
 * What `vault-agent run` says on stderr: one line per change of a job's state (so a log file reads well), a spinner
 * line only when stderr is a terminal, and a summary of the jobs this run touched at the end.
 */
import type { Writable } from 'node:stream';
import type { JobStatus } from '../delegate/job-note';
import { jobStateWord } from '../delegate/job-state-words';
import type { PauseInfo, QueueSnapshot } from '../delegate/queue-snapshot';
import { rawOf } from './inert-output';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPIN_MS = 120;

/** The end of a run, as the summary reports it. */
export interface RunSummary {
    /** Final status of every job this run saw running, by path. */
    ran: Map<string, JobStatus>;
    /** Jobs of this run that failed. */
    failed: number;
    /** Why the queue stopped starting jobs, when it did. */
    pause: PauseInfo | null;
    /** Job notes left as they are: they could not be read as jobs, or their lease could not be written. */
    leftAlone: number;
}

/** Hears queue snapshots and writes progress lines. */
export class RunProgress {
    private readonly seen = new Map<string, JobStatus>();
    private readonly ran = new Map<string, JobStatus>();
    private lastPause = '';
    private lastSnapshot: QueueSnapshot | null = null;
    private spinner: ReturnType<typeof setInterval> | null = null;
    private frame = 0;
    private spinning = false;

    constructor(
        private readonly out: Writable & { isTTY?: boolean },
        private readonly now: () => number = Date.now,
    ) {}

    /** Notes the statuses before the run, so only changes are reported. */
    start(initial: QueueSnapshot): void {
        for (const job of initial.jobs) this.seen.set(job.path, job.status);
        if (this.out.isTTY === true) {
            this.spinner = setInterval(() => this.spin(), SPIN_MS);
            this.spinner.unref();
        }
    }

    /** Reports what changed since the last snapshot, in one write (a burst of changes is many lines). */
    update(snapshot: QueueSnapshot): void {
        const previous = this.lastSnapshot?.jobs ?? [];
        this.lastSnapshot = snapshot;
        const lines: string[] = [];
        const jobs = snapshot.jobs;
        for (let i = 0; i < jobs.length; i++) {
            const job = jobs[i];
            // The queue keeps a job's view while the job is unchanged: the same object in the same place was seen last
            // time, so a jobs folder of thousands of finished jobs costs a comparison each, not a lookup (nor a pair
            // allocated per job, as `entries()` would: a snapshot goes out after every burst of changes).
            if (job === undefined || previous[i] === job) continue;
            const before = this.seen.get(job.path);
            if (before === job.status) continue;
            this.seen.set(job.path, job.status);
            // Only jobs this run started count as run here; a job another runner holds is only reported as such. A job
            // that failed straight from queued was refused as it was taken (its own tags excluded): it counts too.
            const here =
                (job.status === 'running' && job.progress !== null) || (before === 'queued' && job.status === 'failed');
            if (here || this.ran.has(job.path)) this.ran.set(job.path, job.status);
            if (before === undefined && job.status === 'queued') {
                lines.push(`queued      ${job.path}`);
                continue;
            }
            const detail =
                job.status === 'done'
                    ? ` → ${job.artifact}`
                    : job.status === 'running' && !this.ran.has(job.path)
                      ? ' (by another runner)'
                      : job.error !== '' && job.status !== 'running'
                        ? `: ${job.error}`
                        : '';
            lines.push(`${jobStateWord(job.status).toLowerCase().padEnd(11)} ${job.path}${detail}`);
        }
        const pause = snapshot.pause === null ? '' : `${snapshot.pause.reason}: ${snapshot.pause.message}`;
        if (pause !== this.lastPause) {
            this.lastPause = pause;
            // A spend cap and a setup problem the queue says itself as it pauses (its notifier): not twice.
            const told = snapshot.pause?.reason === 'spend-cap' || snapshot.pause?.reason === 'setup';
            if (snapshot.pause !== null && !told) lines.push(`paused      ${snapshot.pause.message}`);
        }
        this.lines(lines);
    }

    /** Stops the spinner and writes the summary of the queue as it ends (`final`, else the last snapshot heard). */
    finish(final?: QueueSnapshot): RunSummary {
        if (final !== undefined) this.lastSnapshot = final;
        if (this.spinner !== null) clearInterval(this.spinner);
        this.clearSpinner();
        const counts = new Map<JobStatus, number>();
        for (const status of this.ran.values()) counts.set(status, (counts.get(status) ?? 0) + 1);
        const parts = [...counts].map(([status, count]) => `${count} ${jobStateWord(status).toLowerCase()}`);
        const waiting = (this.lastSnapshot?.jobs ?? []).filter(
            (job) => job.schedule === '' && job.status === 'queued',
        ).length;
        const elsewhere = (this.lastSnapshot?.jobs ?? []).filter(
            (job) => job.status === 'running' && !this.ran.has(job.path),
        ).length;
        const leftAlone = this.lastSnapshot?.quarantined.length ?? 0;
        const tail =
            (waiting > 0 ? `; ${waiting} still queued` : '') +
            (elsewhere > 0 ? `; ${elsewhere} running in another runner` : '') +
            (leftAlone > 0 ? `; ${leftAlone} job note(s) left as they are (see above)` : '');
        this.out.write(
            `vault-agent run: ${this.ran.size === 0 ? 'no job ran' : `${this.ran.size} job(s) ran: ${parts.join(', ')}`}${tail}.\n`,
        );
        return {
            ran: new Map(this.ran),
            failed: counts.get('failed') ?? 0,
            pause: this.lastSnapshot?.pause ?? null,
            leftAlone,
        };
    }

    private lines(texts: string[]): void {
        if (texts.length === 0) return;
        this.clearSpinner();
        const time = new Date(this.now()).toISOString().slice(11, 19);
        this.out.write(texts.map((text) => `[${time}] ${text}\n`).join(''));
    }

    private spin(): void {
        const jobs = this.lastSnapshot?.jobs ?? [];
        const running = jobs.filter((job) => job.status === 'running').length;
        const queued = jobs.filter((job) => job.schedule === '' && job.status === 'queued').length;
        this.frame = (this.frame + 1) % SPINNER.length;
        // The spinner's own control sequences (back to the line's start, erase to its end) go to the terminal as is.
        rawOf(this.out).write(`\r${SPINNER[this.frame] ?? ''} ${running} running, ${queued} queued\u001b[K`);
        this.spinning = true;
    }

    private clearSpinner(): void {
        if (!this.spinning) return;
        rawOf(this.out).write('\r\u001b[K');
        this.spinning = false;
    }
}
