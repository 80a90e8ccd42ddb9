/**
 * The delegate queue as a service: scans the jobs folder, recovers jobs whose runner vanished, runs up to N jobs at
 * once under leases, and reacts to what they report — a spend cap pauses the WHOLE queue with a notice, offline
 * pauses and resumes by itself with backoff, locked settings pause it (nothing sent) until they can be read again,
 * retryable failures come back later with jittered backoff. Views call
 * `subscribe`, `snapshot`, `enqueue`, `pause`, `resume`, `cancel` and `retry`; nothing here knows about UI.
 */
import type { ModelClient } from '../agent/model-client';
import { backoffDelay, classifyError } from '../agent/model-errors';
import { systemClock, type Clock } from '../kernel/ports';
import { createJobNote, excludedJobNote, jobProblem, type JobSpec } from './job-spec';
import type { JobNote } from './job-note';
import { JobAbort, runJob, type JobControl, type JobProgress, type JobRunDeps, type QueueSignal } from './job-run';
import { JobStore, type JobUpdate } from './job-store';
import { LeaseKeeper } from './lease';
import { QueueJobs } from './queue-jobs';
import { Handoffs } from './queue-handoff';
import { QueuePause } from './queue-pause';
import type { QueueSnapshot } from './queue-snapshot';
import { JobViews } from './job-views';
import type { ExtensionContext } from './queue-extension';
import { jobRunDeps, type JobQueueOptions, type QueueSettings } from './queue-options';
import { Wakeup } from './queue-wakeup';
import { UnwritableNotes } from './unwritable-notes';

/** Hears every change of the queue. */
export type QueueListener = (snapshot: QueueSnapshot) => void;

const WAITING = new Set(['queued', 'interrupted', 'needs-approval']);

interface Running {
    controller: AbortController;
    progress: JobProgress | null;
    /** Counts against the concurrency limit: until the job is done with the model (see `JobControl.release`). */
    holdsSlot: boolean;
}

export type { JobQueueOptions } from './queue-options';

/** The delegate job queue. One per plugin (or CLI run). */
export class JobQueue {
    private readonly options: JobQueueOptions;
    private readonly clock: Clock;
    private readonly store: JobStore;
    private readonly leases: LeaseKeeper;
    private readonly jobs: QueueJobs;
    private readonly quarantined = new Map<string, string>();
    /** Job notes whose lease could not be written: left as they are for a while, never run in a loop. */
    private readonly unwritable: UnwritableNotes;
    private readonly running = new Map<string, Running>();
    private readonly notBefore = new Map<string, number>();
    private readonly listeners = new Set<QueueListener>();
    private readonly pauses: QueuePause;
    private lastSettings: QueueSettings | null = null;
    private loop: Promise<void> | null = null;
    private stopped = false;
    private readonly wakeup: Wakeup;
    private clientPromise: Promise<ModelClient> | null = null;
    /** Jobs that gave their place away, waiting for the jobs starting to send their requests (`JobControl.release`). */
    private readonly handoffs = new Handoffs();
    private scanned = false;
    private notifying = false;
    /** The jobs' views for snapshots; every change to `jobs` or `running` marks its job here. */
    private readonly views = new JobViews();

    constructor(options: JobQueueOptions) {
        this.options = options;
        this.clock = options.clock ?? systemClock;
        this.jobs = new QueueJobs(options.maxAttempts ?? 3);
        this.store = new JobStore({ vault: options.vault, clock: this.clock });
        this.leases = new LeaseKeeper({
            store: this.store,
            clock: this.clock,
            deviceId: options.deviceId,
            leaseMs: options.leaseMs,
            settleMs: options.settleMs,
            ...(options.localProcess !== undefined ? { local: options.localProcess } : {}),
            // The person's own job notes only: a brief an MCP client wrote is its own text, and refusing it would tell
            // the client which tags the person keeps private.
            refuse: (text, job) => (job.client !== '' ? null : excludedJobNote(options.gate().checkTextTags(text))),
        });
        this.pauses = new QueuePause({
            notifier: options.notifier,
            clock: this.clock,
            offlineBaseMs: options.offlineBaseMs ?? 5_000,
        });
        this.wakeup = new Wakeup(this.clock);
        this.unwritable = new UnwritableNotes(this.clock, options.notifier);
    }

    /** Starts working the queue in the background until `stop`. */
    start(): void {
        this.stopped = false;
        this.loop ??= this.work(false).finally(() => (this.loop = null));
    }

    /** Works the queue until nothing is running and nothing is runnable (or it is paused); for the CLI and tests. */
    async runUntilIdle(): Promise<void> {
        this.stopped = false;
        if (this.loop !== null) throw new Error('The queue is already running in the background.');
        this.loop = this.work(true).finally(() => (this.loop = null));
        await this.loop;
    }

    /** Stops: running jobs end as `interrupted` (they run again later), and the loop ends. */
    async stop(): Promise<void> {
        this.stopped = true;
        const stopping = (this.options.extensions ?? []).map((extension) => Promise.resolve(extension.stop?.()));
        this.handoffs.releaseAll();
        for (const entry of this.running.values()) entry.controller.abort(new JobAbort('shutdown'));
        this.wakeup.wake();
        await this.loop;
        await Promise.all(stopping);
        while (this.running.size > 0) await this.clock.sleep(10);
    }

    /** Hears every change; returns the unsubscribe function. */
    subscribe(listener: QueueListener): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** The queue as it is now. */
    snapshot(): QueueSnapshot {
        const views = this.views.list(this.jobs.all, (path) => this.running.get(path)?.progress ?? null);
        const triggers = (this.options.extensions ?? []).flatMap((extension) => extension.triggers?.() ?? []);
        return {
            state: this.pauses.info !== null ? 'paused' : this.running.size > 0 ? 'running' : 'idle',
            pause: this.pauses.info,
            jobs: views,
            // Notes it cannot write are left as they are too, each with its reason.
            quarantined: [
                ...[...this.quarantined].map(([path, reason]) => ({ path, reason })),
                ...this.unwritable.list(),
            ],
            ...(triggers.length > 0 ? { triggers } : {}),
        };
    }

    /** Writes a new job note (status `queued`) and resolves to its path; rejects while the settings are locked. */
    async enqueue(spec: JobSpec): Promise<string> {
        const settings = this.settings();
        if (settings === null) throw new Error(this.pauses.info?.message ?? 'The settings are locked.');
        const { jobsFolder, outputFolder } = settings.delegate;
        const path = await createJobNote(this.options.vault, jobsFolder, spec, this.clock.now(), outputFolder, (text) =>
            excludedJobNote(this.options.gate().checkTextTags(text), 'queue'),
        );
        const read = await this.store.read(path);
        if (read.kind === 'job') this.setJob(read.job);
        this.changed();
        this.wakeup.wake();
        return path;
    }

    /** Stops starting jobs (running ones finish). */
    pause(): void {
        this.pauses.byPerson();
        this.changed();
    }

    /** Starts jobs again after any pause, a spend cap included (the person raised the limit). */
    resume(): void {
        this.pauses.clear();
        this.changed();
        this.wakeup.wake();
    }

    /** Cancels a job: a running one is stopped, a waiting one is marked `cancelled`. */
    async cancel(path: string): Promise<void> {
        const running = this.running.get(path);
        if (running !== undefined) {
            running.controller.abort(new JobAbort('cancel'));
            return;
        }
        const cancel: JobUpdate = { patch: { status: 'cancelled', lease: null }, log: ['Cancelled by the person.'] };
        this.remember(await this.store.update(path, (job) => (WAITING.has(job.status) ? cancel : null)));
    }

    /** Queues a failed, cancelled or interrupted job again, with its attempts reset. */
    async retry(path: string): Promise<void> {
        const again = new Set(['failed', 'cancelled', 'interrupted']);
        this.notBefore.delete(path);
        this.remember(
            await this.store.update(path, (job) =>
                again.has(job.status)
                    ? {
                          patch: { status: 'queued', attempts: 0, error: '', ...(job.retryAt ? { retryAt: '' } : {}) },
                          log: ['Queued again by the person.'],
                      }
                    : null,
            ),
        );
        this.wakeup.wake();
    }

    /** Whether `job` may start now. Templates (jobs with a schedule) never run themselves. */
    isRunnable(job: JobNote): boolean {
        return this.mayRun(job) && (this.notBefore.get(job.path) ?? 0) <= this.clock.now() && !this.retriesLater(job);
    }

    /** The endpoint asked this job to wait until a moment still to come (its note's `retry-at`). */
    private retriesLater(job: JobNote): boolean {
        const at = Date.parse(job.retryAt ?? '');
        return Number.isFinite(at) && at > this.clock.now();
    }

    /**
     * True when another job note carries `job`'s id and came first (the scan lists notes oldest first): `job` is a
     * copy of it, made on disk or in Obsidian, and must not pass for it.
     */
    private isCopy(job: JobNote): boolean {
        for (const other of this.jobs.all.values()) {
            if (other.id !== job.id) continue;
            return other.path !== job.path;
        }
        return false;
    }

    /** Queued, or interrupted with attempts left; templates (jobs with a schedule) never run themselves. */
    private mayRun(job: JobNote): boolean {
        return (
            this.jobs.noteLetsRun(job) &&
            !this.unwritable.has(job.path) &&
            !(this.options.extensions ?? []).some((e) => e.holds?.(job) === true)
        );
    }

    private async work(untilIdle: boolean): Promise<void> {
        await this.scan();
        for (;;) {
            if (this.stopped) return;
            if (this.pauses.expireOffline()) this.changed();
            if (this.pauses.info === null) await this.fill();
            this.handoffs.settleAll();
            if (untilIdle && this.running.size === 0 && this.idle()) return;
            const woken = await this.wakeup.wait(this.options.pollMs ?? 2_000);
            if (!woken) await this.scan();
        }
    }

    /** Nothing left to do while nothing runs: paused (not for being offline), or no job will become runnable. */
    private idle(): boolean {
        if (this.pauses.info !== null) return this.pauses.info.reason !== 'offline';
        // Batches being sent, polled or written back keep a `run` going until their results are in.
        if ((this.options.extensions ?? []).some((extension) => extension.busy?.() === true)) return false;
        // A job told to retry at a later time runs then, in a later run; this one does not wait for it.
        return !this.jobs.mayRunByNote().some((job) => this.mayRun(job) && !this.retriesLater(job));
    }

    /** Reads the jobs folder: jobs, quarantined notes, and jobs whose runner is gone (recovered). */
    private async scan(): Promise<void> {
        const settings = this.settings();
        // Locked settings: the jobs folder is unknown; the jobs known so far stay as they were.
        if (settings === null) return;
        const atStartup = !this.scanned;
        this.scanned = true;
        const folder = settings.delegate.jobsFolder;
        const reads = await this.store.list(folder);
        this.jobs.clear();
        this.views.reset();
        for (const read of reads) {
            if (read.kind === 'quarantined') {
                if (!this.quarantined.has(read.path)) {
                    this.options.notifier.notify(
                        `Vault Agent cannot read the job note "${read.path}" (${read.reason}); it was left as it is.`,
                        'error',
                    );
                }
                this.quarantined.set(read.path, read.reason);
                continue;
            }
            this.quarantined.delete(read.job.path);
            // An unchanged note reads as the same object (the store keeps one per text): a changed one is tried again.
            this.unwritable.scanned(read.job);
            let job = read.job;
            if (job.status === 'running' && !this.running.has(job.path)) {
                const recovered = await this.leases.recover(job.path, atStartup, this.options.maxAttempts ?? 3);
                if (recovered !== null) {
                    job = recovered.job;
                    if (recovered.deadPid !== null) {
                        this.options.notifier.notify(
                            `took over job ${job.path} from a runner that is no longer running (pid ${recovered.deadPid}).`,
                            'info',
                        );
                    }
                }
            }
            this.setJob(job);
        }
        for (const extension of this.options.extensions ?? []) await extension.afterScan?.(this.extensionContext());
        this.changed();
    }

    /** Starts runnable jobs until the concurrency limit is reached. */
    private async fill(): Promise<void> {
        await this.options.refreshSettings?.();
        const settings = this.settings();
        if (settings === null) return;
        const limit = Math.max(1, settings.delegate.concurrency);
        const candidates = this.jobs
            .mayRunByNote()
            .filter((job) => !this.running.has(job.path) && this.isRunnable(job));
        if (candidates.length === 0 || this.slotsInUse() >= limit) return;
        let client: ModelClient;
        try {
            client = await this.ensureClient();
        } catch (e) {
            this.pauses.noClient(classifyError(e).userMessage);
            this.changed();
            return;
        }
        for (const job of candidates) {
            if (this.slotsInUse() >= limit || this.pauses.info !== null) break;
            this.launch(job, client, settings, this.handoffs.starts());
        }
    }

    private launch(job: JobNote, client: ModelClient, settings: QueueSettings, handoff?: () => void): void {
        const entry: Running = { controller: new AbortController(), progress: null, holdsSlot: true };
        this.running.set(job.path, entry);
        this.views.touch(job.path);
        void this.runOne(job, this.deps(client, settings), entry, handoff).finally(() => {
            this.running.delete(job.path);
            this.views.touch(job.path);
            this.changed();
            this.wakeup.wake();
        });
    }

    private async runOne(queued: JobNote, deps: JobRunDeps, entry: Running, handoff?: () => void): Promise<void> {
        try {
            await this.runLeased(queued, deps, entry, handoff);
        } finally {
            handoff?.();
        }
    }

    /** Takes `queued`'s lease and runs it; `handoff` is let go once the job sends its request (or cannot run). */
    private async runLeased(
        queued: JobNote,
        deps: JobRunDeps,
        entry: Running,
        handoff: (() => void) | undefined,
    ): Promise<void> {
        const taken = await this.leases.take(
            queued.path,
            (job) => this.isRunnable(job),
            (job) => `Started on ${this.leases.deviceId} (attempt ${job.attempts}).`,
            { isCopy: (job) => this.isCopy(job), onUnwritable: (message) => this.cannotWrite(queued.path, message) },
        );
        if (taken === null) {
            const read = await this.store.read(queued.path);
            if (read.kind === 'job') this.setJob(read.job);
            return;
        }
        this.setJob(taken);
        entry.progress = { modelCalls: 0, tokens: 0, costUsd: 0, startedAt: this.clock.now(), waitingMs: 0 };
        this.changed();
        // Checked again now, whatever was checked when it was queued: the note may have been edited or copied since.
        const problem = jobProblem(taken, {
            configDir: this.options.vault.configDir,
            jobsFolder: deps.jobsFolder,
            defaultOutput: deps.outputFolder,
        });
        if (problem !== null) {
            this.remember(await this.store.fail(taken.path, problem));
            return;
        }
        const control: JobControl = {
            signal: entry.controller.signal,
            abort: (reason: JobAbort) => entry.controller.abort(reason),
            onProgress: (progress: JobProgress) => {
                entry.progress = progress;
                this.views.touch(queued.path);
                this.changed();
            },
            sending: () => handoff?.(),
            release: () => {
                entry.holdsSlot = false;
                if (this.stopped) return Promise.resolve();
                const handedOver = this.handoffs.wait();
                this.wakeup.wake();
                return handedOver;
            },
        };
        const runner = (this.options.extensions ?? []).find((extension) => extension.runs?.(taken) === true);
        // A job an extension runs (a batch job) sends nothing of its own now: the place it took is settled at once.
        if (runner?.run !== undefined) handoff?.();
        let end: { job: JobNote | null; signal: QueueSignal };
        try {
            end =
                runner?.run !== undefined ? await runner.run(taken, deps, control) : await runJob(deps, taken, control);
        } catch (e) {
            // A bug or an I/O failure: record it on the job rather than leaving it `running`.
            end = { job: await this.store.fail(taken.path, e instanceof Error ? e.message : String(e)), signal: null };
        }
        this.remember(end.job);
        if (end.job !== null) {
            for (const extension of this.options.extensions ?? [])
                await extension.afterJob?.(end.job, this.extensionContext());
        }
        this.react(taken, end.signal);
    }

    /** What a job's end means for the whole queue. */
    private react(job: JobNote, signal: QueueSignal): void {
        if (signal === null) {
            this.pauses.reachable();
            return;
        }
        if (signal.kind === 'retry-later') {
            const base = this.options.jobRetryBaseMs ?? 10_000;
            const delay = signal.delayMs + backoffDelay(job.attempts, { base, random: this.options.retry?.random });
            this.notBefore.set(job.path, this.clock.now() + delay);
        } else if (signal.kind === 'offline') {
            this.pauses.offline(signal.message);
        } else {
            this.pauses.spendCap(signal.message);
            // No request after a spend cap: the other running jobs stop too and run again after Resume.
            this.stopRunning();
        }
        this.changed();
    }

    /** The settings now, or `null` while locked (then the queue pauses, running jobs stop, and nothing is sent). */
    private settings(): QueueSettings | null {
        const settings = this.options.settings();
        if (this.pauses.followSettings(settings === null ? (this.options.lockedReason?.() ?? '') : null)) {
            if (settings === null) this.stopRunning();
            this.changed();
            this.wakeup.wake();
        }
        if (settings !== null) this.lastSettings = settings;
        return settings;
    }

    /** Places of the concurrency limit taken now (batch jobs waiting on their batch take none). */
    slotsHeld(): number {
        return this.slotsInUse();
    }

    /** Running jobs still holding a place in the concurrency limit. */
    private slotsInUse(): number {
        return [...this.running.values()].filter((entry) => entry.holdsSlot).length;
    }

    private stopRunning(): void {
        for (const entry of this.running.values()) entry.controller.abort(new JobAbort('pause'));
    }

    private deps(client: ModelClient, settings: QueueSettings): JobRunDeps {
        const runner = { store: this.store, leases: this.leases, clock: this.clock };
        return jobRunDeps(this.options, runner, client, settings);
    }

    private extensionContext(): ExtensionContext {
        const jobs = this.jobs;
        return {
            vault: this.options.vault,
            store: this.store,
            clock: this.clock,
            notifier: this.options.notifier,
            jobsFolder: this.lastSettings?.delegate.jobsFolder ?? '',
            outputFolder: this.lastSettings?.delegate.outputFolder ?? '',
            // Built when an extension asks: most ends of a job do not, and a jobs folder may hold thousands of notes.
            get jobs() {
                return [...jobs.all.values()];
            },
            remember: (job) => this.remember(job),
            unwritable: (path) => this.unwritable.has(path),
            cannotWrite: (path, message) => this.cannotWrite(path, message),
            gate: () => this.options.gate(),
            checkpoints: this.options.checkpoints,
            wake: () => {
                this.changed();
                this.wakeup.wake();
            },
            maxAttempts: this.options.maxAttempts ?? 3,
            paused: this.pauses.info !== null,
            runDeps: async () => {
                const settings = this.settings();
                if (settings === null) return null;
                try {
                    return this.deps(await this.ensureClient(), settings);
                } catch (e) {
                    this.pauses.noClient(classifyError(e).userMessage);
                    this.changed();
                    return null;
                }
            },
        };
    }

    private ensureClient(): Promise<ModelClient> {
        this.clientPromise ??= this.options.client().catch((e: unknown) => {
            this.clientPromise = null;
            throw e;
        });
        return this.clientPromise;
    }

    private cannotWrite(path: string, message: string): void {
        this.unwritable.mark(path, this.jobs.all.get(path), message);
    }

    private remember(job: JobNote | null): void {
        if (job === null) return;
        this.setJob(job);
        this.changed();
    }

    /** Keeps `job` as the queue knows it now. */
    private setJob(job: JobNote): void {
        this.jobs.set(job);
        this.views.touch(job.path);
    }

    /** Tells listeners, once per burst of changes: a snapshot lists every job, so it is not rebuilt per event. */
    private changed(): void {
        if (this.listeners.size === 0 || this.notifying) return;
        this.notifying = true;
        queueMicrotask(() => {
            this.notifying = false;
            const snapshot = this.snapshot();
            for (const listener of this.listeners) {
                try {
                    listener(snapshot);
                } catch {
                    // A closed view's listener must not stop the queue.
                }
            }
        });
    }
}
