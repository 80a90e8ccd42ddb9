/**
 * The words and numbers the queue's UI shows, as pure functions of `QueueSnapshot`: the status groups in their order,
 * a job's progress line, the status-bar text, the pause banner, and which jobs just ended (one notice per job end).
 * Kept apart from the DOM so they are tested without a browser.
 */
import type { JobStatus } from '../delegate/job-note';
import { activeCounts, jobStateWord } from '../delegate/job-state-words';
import type { JobView, PauseInfo, QueueSnapshot } from '../delegate/queue-snapshot';

/** A status group of the queue view. */
export interface JobGroup {
    /** The status the group holds. */
    status: JobStatus;
    /** Its heading, in sentence case. */
    label: string;
    /** The jobs in it, newest note first. */
    jobs: JobView[];
}

/** The groups in the order a person looks for them: what is happening, what waits, then what ended. */
export const GROUP_ORDER: readonly { status: JobStatus; label: string }[] = (
    ['running', 'interrupted', 'queued', 'needs-approval', 'done', 'failed', 'cancelled'] as const
).map((status) => ({ status, label: jobStateWord(status) }));

/** The non-empty status groups of `jobs`; template jobs (with a schedule) are listed apart, see `templatesOf`. */
export function groupJobs(jobs: readonly JobView[]): JobGroup[] {
    return GROUP_ORDER.map(({ status, label }) => ({
        status,
        label,
        jobs: jobs.filter((job) => job.status === status && job.schedule === '').sort(byTitle),
    })).filter((group) => group.jobs.length > 0);
}

/** Template jobs: notes with a schedule, which spawn a job per due run. */
export function templatesOf(jobs: readonly JobView[]): JobView[] {
    return jobs.filter((job) => job.schedule !== '').sort(byTitle);
}

function byTitle(a: JobView, b: JobView): number {
    return a.title.localeCompare(b.title);
}

/** Dollars for people: cents under a dollar stay visible (`$0.042`), larger sums get two decimals. */
export function formatUsd(usd: number): string {
    if (usd === 0) return '$0';
    return usd < 1 ? `$${usd.toPrecision(2).replace(/0+$/u, '')}` : `$${usd.toFixed(2)}`;
}

/** Token counts for people: `950`, `12.3k`, `1.2M`. */
export function formatTokens(tokens: number): string {
    if (tokens < 1000) return String(tokens);
    if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k`;
    return `${(tokens / 1_000_000).toFixed(1)}M`;
}

/** A duration for people: `8 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(ms: number): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A job's progress line: live numbers while it runs here, else what its note records. */
export function progressLine(job: JobView, now: number): string {
    const progress = job.progress;
    if (progress !== null) {
        const parts = [
            `${progress.modelCalls} turn${progress.modelCalls === 1 ? '' : 's'}`,
            `${formatTokens(progress.tokens)} tokens`,
            formatDuration(now - progress.startedAt),
            formatUsd(progress.costUsd),
            ...(progress.context === undefined
                ? []
                : [
                      `context ${formatTokens(progress.context.usedTokens)} of ${formatTokens(progress.context.windowTokens)}`,
                  ]),
        ];
        if (progress.waitingMs > 0) parts.push(`waiting ${formatDuration(progress.waitingMs)} for the rate limit`);
        return parts.join(' · ');
    }
    const tokens = job.usage.input + job.usage.output + job.usage.cacheRead;
    const parts: string[] = [];
    if (job.attempts > 0) parts.push(`attempt ${job.attempts}`);
    if (tokens > 0) parts.push(`${formatTokens(tokens)} tokens`);
    if (job.usage.usd > 0) parts.push(formatUsd(job.usage.usd));
    return parts.join(' · ');
}

/** The status bar's text, e.g. `2 running · 1 waiting · 5 queued` (the words of `job-state-words.ts`); '' when nothing runs or waits (the item hides). */
export function statusBarText(snapshot: QueueSnapshot): string {
    const counts = activeCounts(snapshot.jobs);
    return counts !== '' && snapshot.pause !== null ? `${counts} · paused` : counts;
}

/** The pause banner's heading. */
export function pauseTitle(pause: PauseInfo): string {
    switch (pause.reason) {
        case 'person':
            return 'The queue is paused';
        case 'spend-cap':
            return 'Paused: spend limit reached';
        case 'offline':
            return 'Paused: offline';
        case 'setup':
            return 'Paused: setup needed';
    }
}

/** When a paused queue starts again by itself, or how to start it. */
export function pauseResumes(pause: PauseInfo, now: number): string {
    if (pause.resumesAt !== undefined) {
        const wait = pause.resumesAt - now;
        return wait > 0 ? `Tries again in ${formatDuration(wait)}.` : 'Trying again now.';
    }
    if (pause.reason === 'spend-cap') return 'Resume after raising the limit.';
    if (pause.reason === 'setup') return 'Resume after fixing the setup.';
    return 'Resume to start jobs again.';
}

/** A job that reached an end (done or failed) since the previous snapshot. */
export interface JobEnd {
    /** The job. */
    job: JobView;
    /** How it ended. */
    outcome: 'done' | 'failed';
}

const ENDS = new Set<JobStatus>(['done', 'failed']);

/**
 * Jobs that ended between `before` and `after`. Only a status change seen here counts, so a job that was already done
 * when the first snapshot arrived (after a restart) is never announced, and each end is announced once.
 */
export function jobEnds(before: ReadonlyMap<string, JobStatus>, after: QueueSnapshot): JobEnd[] {
    const ends: JobEnd[] = [];
    for (const job of after.jobs) {
        const previous = before.get(job.path);
        if (previous === undefined || previous === job.status || !ENDS.has(job.status)) continue;
        ends.push({ job, outcome: job.status === 'done' ? 'done' : 'failed' });
    }
    return ends;
}

/** The status of each job, to compare the next snapshot with. */
export function statusesOf(snapshot: QueueSnapshot): Map<string, JobStatus> {
    return new Map(snapshot.jobs.map((job) => [job.path, job.status]));
}

/** The vault path inside a wikilink (`[[Agent/Outputs/x]]` → `Agent/Outputs/x`), '' when there is none. */
export function linkTarget(wikilink: string): string {
    const match = /^!?\[\[([^\]|#]+)/u.exec(wikilink.trim());
    return match?.[1]?.trim() ?? '';
}
