/**
 * One word per job state, and one for the queue as a whole, used everywhere a person reads them: the queue view's
 * groups and header, the status bar, and `vault-agent status`. A job that stopped and will run again (after a rate
 * limit, an outage, a pause) is "waiting" in all of them, never "interrupted" in one place, "queued" in another and
 * behind an "idle" queue in a third.
 */
import type { JobStatus } from './job-note';

/** The word for each job status, capitalised for headings; `stateWord(...).toLowerCase()` in running text. */
export const JOB_STATE_WORDS: Readonly<Record<JobStatus, string>> = {
    running: 'Running',
    queued: 'Queued',
    interrupted: 'Waiting',
    'needs-approval': 'Needs approval',
    done: 'Done',
    failed: 'Failed',
    cancelled: 'Cancelled',
};

/** The word for a job status. */
export function jobStateWord(status: JobStatus): string {
    return JOB_STATE_WORDS[status];
}

/** The statuses of jobs still to run or running, in the order they are counted. */
const ACTIVE: readonly JobStatus[] = ['running', 'queued', 'interrupted', 'needs-approval'];

/** The jobs the queue state is judged on: ordinary jobs (template jobs only spawn others). */
interface CountedJob {
    status: JobStatus;
    schedule: string;
}

/**
 * The queue's one word: paused when paused; else what its most active job is doing (running, then waiting, then
 * queued, then needs approval); idle only when nothing runs or is left to run.
 */
export function queueStateWord(queue: { pause: unknown; jobs: readonly CountedJob[] }): string {
    if (queue.pause !== null && queue.pause !== undefined) return 'Paused';
    const present = new Set(queue.jobs.filter((job) => job.schedule === '').map((job) => job.status));
    for (const status of ['running', 'interrupted', 'queued', 'needs-approval'] as const) {
        if (present.has(status)) return JOB_STATE_WORDS[status];
    }
    return 'Idle';
}

/** "2 running · 1 waiting · 5 queued" for the jobs still to run; '' when there are none. */
export function activeCounts(jobs: readonly CountedJob[]): string {
    const parts: string[] = [];
    for (const status of ACTIVE) {
        const count = jobs.filter((job) => job.status === status && job.schedule === '').length;
        if (count === 0) continue;
        const word =
            status === 'needs-approval'
                ? count === 1
                    ? 'needs approval'
                    : 'need approval'
                : JOB_STATE_WORDS[status].toLowerCase();
        parts.push(`${count} ${word}`);
    }
    return parts.join(' · ');
}
