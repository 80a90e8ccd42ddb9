/** What the queue shows: the shapes a queue view, a status bar or the CLI's `status` read from `JobQueue.snapshot()`. */
import type { JobProgress } from './job-run';
import type { TriggerView } from './queue-extension';
import { jobTitle, type JobNote, type JobStatus, type JobUsage } from './job-note';

/** Why the queue is not starting jobs. */
export interface PauseInfo {
    /**
     * `person` pressed Pause; `spend-cap` a spend limit was hit; `offline` no connection; `setup` no key or client, or
     * the settings are locked (unreadable or invalid; that pause ends by itself once they are back).
     */
    reason: 'person' | 'spend-cap' | 'offline' | 'setup';
    /** One sentence for the person. */
    message: string;
    /** For `offline`: when the queue tries again by itself (ms since the epoch). */
    resumesAt?: number;
}

/** One job as the view shows it. */
export interface JobView {
    /** The job note. */
    path: string;
    /** The job id ('' before it first ran). */
    id: string;
    /** The job note's name. */
    title: string;
    /** Where it is. */
    status: JobStatus;
    /** Runs started. */
    attempts: number;
    /** The result note as a wikilink, '' when none. */
    artifact: string;
    /** The last error, '' when none. */
    error: string;
    /** The schedule of a template job, '' for ordinary jobs. */
    schedule: string;
    /** The template it was spawned from, '' for none. */
    template: string;
    /** Tokens and cost recorded in the note. */
    usage: JobUsage;
    /** Live progress while it runs on this device, else `null`. */
    progress: JobProgress | null;
}

/** The queue at one moment. */
export interface QueueSnapshot {
    /** `paused` (see `pause`), `running` (jobs running here), or `idle`. */
    state: 'paused' | 'running' | 'idle';
    /** Why it is paused, or `null`. */
    pause: PauseInfo | null;
    /** Every job note in the jobs folder that could be read. */
    jobs: JobView[];
    /** Job notes that could not be read, or whose lease could not be written: left untouched, listed with the reason. */
    quarantined: { path: string; reason: string }[];
    /** Trigger notes in the jobs folder and where each stands (absent where no extension keeps triggers). */
    triggers?: TriggerView[];
}

/** How the view sees `job`, with its live progress when it runs here. */
export function jobView(job: JobNote, progress: JobProgress | null): JobView {
    return {
        path: job.path,
        id: job.id,
        title: jobTitle(job.path),
        status: job.status,
        attempts: job.attempts,
        artifact: job.artifact,
        error: job.error,
        schedule: job.schedule,
        template: job.template,
        usage: job.usage,
        progress,
    };
}
