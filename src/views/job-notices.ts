/**
 * A notice when a job finishes or fails, with "Open result" (the artifact) or "Open job" (the job note). It listens to
 * the queue and announces each job end exactly once: only status changes seen while listening count, so a restart
 * never replays old results.
 */
import { Notice } from 'obsidian';
import type { QueueSnapshot } from '../delegate/queue-snapshot';
import type { JobStatus } from '../delegate/job-note';
import { jobEnds, linkTarget, statusesOf, type JobEnd } from './queue-format';

/** A button on a notice. */
export interface NoticeAction {
    /** Its label, in sentence case. */
    label: string;
    /** What it does. */
    run(): void;
}

/** Shows a notice with an optional button (Obsidian's `Notice` by default; tests capture). */
export type ShowNotice = (message: string, action: NoticeAction | null) => void;

/** The part of the queue the notices need. */
export interface NoticeQueue {
    /** The queue as it is now. */
    snapshot(): QueueSnapshot;
    /** Hears every change; returns the unsubscribe function. */
    subscribe(listener: (snapshot: QueueSnapshot) => void): () => void;
}

/** What the notices are built from. */
export interface JobNoticesOptions {
    /** The queue. */
    queue: NoticeQueue;
    /** Opens a link (the artifact's target or the job note's path), relative to the job note. */
    openLink(linktext: string, sourcePath: string): void;
    /** Shows the notice; Obsidian's `Notice` when absent. */
    show?: ShowNotice;
}

/** How long a notice with a button stays, ms: long enough to come back from another window and click it. */
const ACTION_NOTICE_MS = 15_000;

/** Shows `message` as an Obsidian notice with `action` as a button under it. */
export const obsidianNotice: ShowNotice = (message, action) => {
    const notice = new Notice(message, action === null ? undefined : ACTION_NOTICE_MS);
    if (action === null) return;
    const button = notice.messageEl.createEl('button', { cls: 'vault-agent-notice-action', text: action.label });
    button.addEventListener('click', (event) => {
        event.stopPropagation();
        action.run();
        notice.hide();
    });
};

/** Announces job ends while started. */
export class JobNotices {
    private readonly options: JobNoticesOptions;
    private readonly show: ShowNotice;
    private statuses = new Map<string, JobStatus>();
    private unsubscribe: (() => void) | null = null;

    constructor(options: JobNoticesOptions) {
        this.options = options;
        this.show = options.show ?? obsidianNotice;
    }

    /** Starts listening; the jobs as they are now are the baseline (nothing is announced for them). */
    start(): void {
        if (this.unsubscribe !== null) return;
        this.statuses = statusesOf(this.options.queue.snapshot());
        this.unsubscribe = this.options.queue.subscribe((snapshot) => this.onChange(snapshot));
    }

    /** Stops listening. */
    stop(): void {
        this.unsubscribe?.();
        this.unsubscribe = null;
    }

    private onChange(snapshot: QueueSnapshot): void {
        const ends = jobEnds(this.statuses, snapshot);
        // Jobs missing from this snapshot (a rescan in progress) keep their last status, so they are not re-announced.
        for (const [path, status] of statusesOf(snapshot)) this.statuses.set(path, status);
        for (const end of ends) this.announce(end);
    }

    private announce({ job, outcome }: JobEnd): void {
        const target = linkTarget(job.artifact);
        if (outcome === 'done') {
            const message = `Vault Agent finished "${job.title}".`;
            const action =
                target !== ''
                    ? { label: 'Open result', run: () => this.options.openLink(target, job.path) }
                    : { label: 'Open job', run: () => this.options.openLink(job.path, job.path) };
            this.show(message, action);
            return;
        }
        const reason = job.error !== '' ? ` ${job.error}` : '';
        this.show(`Vault Agent could not finish "${job.title}".${reason}`, {
            label: target !== '' ? 'Open result' : 'Open job',
            run: () => this.options.openLink(target !== '' ? target : job.path, job.path),
        });
    }
}
