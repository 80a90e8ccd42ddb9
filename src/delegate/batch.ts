/**
 * Batch jobs (`batch: true`): a single turn with no tools, context packed up front, sent through the Message Batches
 * API at half the price. The jobs due at a scan are collected into as few Message Batches as the API's limits allow
 * (`batch-limits.ts`), and none holds a place in the queue's concurrency limit while its batch is processed: the
 * queue never starts a batch job itself (`holds`). Each batch is polled with a growing interval; once it has ended,
 * its results are read as they stream in and each is written back to its job as it arrives.
 *
 * Everything needed to carry on lives in the job notes: a job in a batch is `queued` with its `batch-id`, so a runner
 * that restarts (or another device) polls the same batch instead of sending it again. A job is written back only
 * after its lease is taken and only while it is still waiting on that batch, and a result note already written for it
 * is reused, so each result is written once.
 */
import type { BatchRequest, BatchResultEntry, CreateParams, MessageBatches } from '../agent/model-client';
import { classifyError } from '../agent/model-errors';
import { costOf, DEFAULT_PRICES } from '../agent/pricing';
import { findArtifact, linkTo, writeArtifact } from './artifact';
import { groupBatchRequests, type BatchLimits } from './batch-limits';
import { buildJobPrompt } from './job-context';
import { allContextExcluded, finishUnrun, jobView } from './job-end';
import { jobTitle, type JobNote } from './job-note';
import type { JobUpdate } from './job-store';
import { addJobUsage, type JobRunDeps } from './job-run';
import type { ExtensionContext, QueueExtension } from './queue-extension';

/** How a batch's polls are spaced: the first after `firstPollMs`, each next one `growth` times later, up to `maxPollMs`. */
export interface BatchPolling {
    firstPollMs: number;
    maxPollMs: number;
    growth: number;
}

/** Polls start at 30 s and slow down to one every 10 minutes (most batches end within the hour, all within a day). */
export const DEFAULT_POLLING: BatchPolling = { firstPollMs: 30_000, maxPollMs: 600_000, growth: 1.5 };

/** Jobs leased and built at once while a collection is prepared. */
const SEND_PARALLEL = 16;

/** A batch this runner is waiting on. */
interface Pending {
    nextPollAt: number;
    delayMs: number;
    /** A poll (and the writing of its results) is under way. */
    busy: boolean;
}

/** Options, for tests and the bench. */
export interface BatchJobsOptions {
    /** The Message Batches API; the queue's model client's by default. */
    batches?: MessageBatches;
    /** Poll spacing. */
    polling?: Partial<BatchPolling>;
    /** The API's limits per batch. */
    limits?: Partial<BatchLimits>;
}

/** Collects, sends, polls and writes back `batch: true` jobs. */
export class BatchJobs implements QueueExtension {
    private readonly polling: BatchPolling;
    private readonly pending = new Map<string, Pending>();
    private readonly tasks = new Set<Promise<void>>();
    /** Due jobs seen at the last scan: a collection is sent once it stops growing. */
    private lastDue = -1;
    private sending = false;
    private stopped = false;

    constructor(private readonly options: BatchJobsOptions = {}) {
        this.polling = { ...DEFAULT_POLLING, ...options.polling };
    }

    /** Every batch job: the queue never starts one in a concurrency slot. */
    holds(job: JobNote): boolean {
        return job.batch && job.schedule === '';
    }

    /** Batches are being sent, polled or written back, or one is still awaited. */
    busy(): boolean {
        return this.tasks.size > 0 || this.pending.size > 0 || this.lastDue > 0;
    }

    /** Stops polling; what is in flight finishes its current step. */
    async stop(): Promise<void> {
        this.stopped = true;
        await Promise.allSettled([...this.tasks]);
    }

    /** After each scan: sends the due jobs once their number stopped growing, and polls the batches that are due. */
    async afterScan(context: ExtensionContext): Promise<void> {
        this.stopped = false;
        const now = context.clock.now();
        const maxAttempts = context.maxAttempts;
        const due = context.jobs.filter(
            (job) => this.holds(job) && isDue(job, maxAttempts, now) && !context.unwritable(job.path),
        );
        const waiting = new Map<string, JobNote[]>();
        for (const job of context.jobs) {
            if (!this.holds(job) || job.batchId === '') continue;
            if (job.status !== 'queued' && job.status !== 'interrupted') continue;
            waiting.set(job.batchId, [...(waiting.get(job.batchId) ?? []), job]);
        }
        for (const [id, pending] of [...this.pending]) {
            if (waiting.has(id) || pending.busy) continue;
            // Not one job note names the batch yet (they are being written): keep waiting on it.
            const members = context.jobs.filter((job) => job.batchId === id);
            if (members.length === 0) continue;
            // Every job of the batch ended another way (cancelled, or written back by another runner).
            this.pending.delete(id);
            // All were cancelled while it was processed: the endpoint stops it too (best effort).
            if (members.every((job) => job.status === 'cancelled')) this.cancelAtEndpoint(id, context);
        }
        for (const id of waiting.keys()) {
            if (!this.pending.has(id)) {
                // A batch found in the job notes (after a restart, or sent by another runner): polled at once.
                this.pending.set(id, { nextPollAt: now, delayMs: this.polling.firstPollMs, busy: false });
            }
        }
        const settled = due.length > 0 && due.length === this.lastDue;
        this.lastDue = due.length;
        if (settled && !this.sending && !context.paused) {
            this.sending = true;
            this.track(this.send(due, context).finally(() => (this.sending = false)));
            this.lastDue = -1;
        }
        for (const [id, pending] of this.pending) {
            if (pending.busy || pending.nextPollAt > now) continue;
            pending.busy = true;
            this.track(this.poll(id, waiting.get(id) ?? [], pending, context).finally(() => (pending.busy = false)));
        }
    }

    private cancelAtEndpoint(id: string, context: ExtensionContext): void {
        this.track(
            (async () => {
                const deps = await context.runDeps();
                if (deps === null) return;
                await (this.options.batches ?? deps.client.batches).cancel(id);
            })(),
        );
    }

    private track(task: Promise<void>): void {
        const tracked = task.catch(() => undefined).finally(() => this.tasks.delete(tracked));
        this.tasks.add(tracked);
    }

    /** Leases the due jobs, builds their requests, and sends them in as few batches as the limits allow. */
    private async send(due: JobNote[], context: ExtensionContext): Promise<void> {
        const deps = await context.runDeps();
        if (deps === null) return;
        const batches = this.options.batches ?? deps.client.batches;
        const entries: { job: JobNote; request: BatchRequest }[] = [];
        // Leased and built a few at a time: a large collection is ready long before any of its leases runs out.
        for (let first = 0; first < due.length && !this.stopped; first += SEND_PARALLEL) {
            const built = await Promise.all(
                due.slice(first, first + SEND_PARALLEL).map(async (queued) => {
                    const job = await deps.leases.take(
                        queued.path,
                        (current) => this.holds(current) && isDue(current, context.maxAttempts, context.clock.now()),
                        (current) =>
                            `Collected for a Message Batch on ${deps.leases.deviceId} (attempt ${current.attempts}).`,
                        { onUnwritable: (message) => context.cannotWrite(queued.path, message) },
                    );
                    if (job === null) return null;
                    context.remember(job);
                    const request = await requestFor(deps, job);
                    return request === null ? null : { job, request };
                }),
            );
            for (const entry of built) if (entry !== null) entries.push(entry);
        }
        const groups = groupBatchRequests(entries, (entry) => entry.request, this.options.limits);
        for (const group of groups) {
            let id: string;
            try {
                id = (await batches.create(group.map((entry) => entry.request))).id;
            } catch (e) {
                // Not sent: each job goes back to the queue (its attempt counted) and is collected again later.
                const message = classifyError(e).userMessage;
                for (const { job } of group) {
                    context.remember(
                        await releaseLease(deps, job, {
                            patch: { status: 'interrupted', lease: null, error: message },
                            log: [`Will retry: the Message Batch was not accepted (${message})`],
                        }),
                    );
                }
                continue;
            }
            this.pending.set(id, {
                nextPollAt: context.clock.now() + this.polling.firstPollMs,
                delayMs: this.polling.firstPollMs,
                busy: false,
            });
            for (const [index, { job }] of group.entries()) {
                const sent: JobUpdate = {
                    patch: { status: 'queued', lease: null, batchId: id, error: '' },
                    log: [`Sent in Message Batch ${id} (request ${index + 1} of ${group.length}).`],
                };
                // Ours still, or set back to waiting after our lease ran out with nobody else on it: it is in the batch.
                const written = await deps.store.update(job.path, (current) =>
                    current.lease?.device === deps.leases.deviceId ||
                    (current.lease === null && current.batchId === '' && current.status === 'interrupted')
                        ? sent
                        : null,
                );
                context.remember(written);
            }
        }
    }

    /** Asks whether batch `id` ended; if so, writes each result back as it streams in. */
    private async poll(id: string, members: JobNote[], pending: Pending, context: ExtensionContext): Promise<void> {
        const deps = await context.runDeps();
        if (deps === null || this.stopped) return;
        const batches = this.options.batches ?? deps.client.batches;
        const again = (): void => {
            pending.delayMs = Math.min(this.polling.maxPollMs, pending.delayMs * this.polling.growth);
            pending.nextPollAt = context.clock.now() + pending.delayMs;
        };
        let ended: boolean;
        try {
            ended = (await batches.retrieve(id)).processing_status === 'ended';
        } catch {
            again();
            return;
        }
        if (!ended) {
            again();
            return;
        }
        const byId = new Map(members.map((job) => [job.id, job]));
        try {
            for await (const entry of batches.results(id)) {
                if (this.stopped) return;
                const job = byId.get(entry.custom_id);
                if (job !== undefined) context.remember(await this.writeBack(deps, job, id, entry, context));
            }
            this.pending.delete(id);
        } catch {
            again();
        }
    }

    /** Writes one result to its job, once: only with the job's lease, and only while it still waits on `id`. */
    private async writeBack(
        deps: JobRunDeps,
        waiting: JobNote,
        id: string,
        entry: BatchResultEntry,
        context: ExtensionContext,
    ): Promise<JobNote | null> {
        const job = await deps.leases.take(
            waiting.path,
            (current) => current.batchId === id && (current.status === 'queued' || current.status === 'interrupted'),
            () => `Result of Message Batch ${id} arrived.`,
            // The brief went out with the batch: writing its result back sends nothing, so no refusal applies here.
            { sends: false },
        );
        if (job === null) return null;
        const result = entry.result;
        if (result.type !== 'succeeded') {
            const update: JobUpdate =
                result.type === 'expired'
                    ? {
                          patch: { status: 'interrupted', lease: null, batchId: '' },
                          log: [`Message Batch ${id} expired before this request ran; it will be sent again.`],
                      }
                    : result.type === 'canceled'
                      ? {
                            patch: { status: 'cancelled', lease: null },
                            log: [`Message Batch ${id} was cancelled before this request ran.`],
                        }
                      : {
                            patch: { status: 'failed', lease: null, error: result.error.error.message },
                            log: [`Failed: the batch request errored (${result.error.error.message}).`],
                        };
            return releaseLease(deps, job, update);
        }
        const output = job.output || deps.outputFolder;
        const model = job.model || deps.model;
        const title = jobTitle(job.path);
        const message = result.message;
        const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n\n');
        const usage = addJobUsage(job.usage, {
            inputTokens: message.usage.input_tokens,
            outputTokens: message.usage.output_tokens,
            cacheReadTokens: message.usage.cache_read_input_tokens ?? 0,
            cacheWriteTokens: message.usage.cache_creation_input_tokens ?? 0,
            // Batches cost half the standard price.
            costUsd: costOf(message.usage, model, DEFAULT_PRICES) / 2,
        });
        const incomplete = message.stop_reason === 'max_tokens' ? 'The answer was cut at the output limit.' : null;
        // A runner stopped between writing the result note and the job note: the note it wrote is the result.
        const earlier = await findArtifact(deps.engine.vault, output, job.id, title, job.path);
        let path = earlier;
        const log: string[] = [];
        if (path === null) {
            const prompt = await buildJobPrompt(jobView(deps), job, { mode: 'read-only', output, model });
            const made = await writeArtifact(jobView(deps), {
                jobId: job.id,
                title,
                jobPath: job.path,
                outputFolder: output,
                text,
                sources: prompt.sources,
                model,
                now: context.clock.now(),
                incomplete,
            });
            path = made.path;
            if (made.neutralised !== null) log.push(made.neutralised);
        }
        const status = incomplete === null ? 'done' : 'failed';
        log.push(`${incomplete === null ? 'Done' : 'Incomplete'}: ${linkTo(path)} (batch ${id}).`);
        return releaseLease(deps, job, {
            patch: { status, lease: null, artifact: linkTo(path), usage, error: incomplete ?? '' },
            log,
        });
    }
}

/** Queued (or interrupted with attempts left), not yet in a batch, and not told to wait. */
function isDue(job: JobNote, maxAttempts: number, now: number): boolean {
    if (job.batchId !== '') return false;
    if (job.status !== 'queued' && !(job.status === 'interrupted' && job.attempts < maxAttempts)) return false;
    const at = Date.parse(job.retryAt ?? '');
    return !(Number.isFinite(at) && at > now);
}

/** The job's one request, or `null` when it ended without one (its context was all excluded). */
async function requestFor(deps: JobRunDeps, job: JobNote): Promise<BatchRequest | null> {
    const output = job.output || deps.outputFolder;
    const model = job.model || deps.model;
    const prompt = await buildJobPrompt(jobView(deps), job, { mode: 'read-only', output, model });
    const excludedAll = allContextExcluded(job, prompt);
    if (excludedAll !== null) {
        await finishUnrun(deps, job, output, jobTitle(job.path), model, excludedAll);
        return null;
    }
    const params: CreateParams = {
        model,
        max_tokens: deps.maxOutputTokens,
        messages: [{ role: 'user', content: prompt.message() }],
        ...(prompt.instructions !== '' ? { system: prompt.instructions } : {}),
    };
    return { custom_id: job.id, params };
}

/** Writes `update` while this runner holds the job's lease. */
function releaseLease(deps: JobRunDeps, job: JobNote, update: JobUpdate): Promise<JobNote | null> {
    return deps.store.update(job.path, (current) => (current.lease?.device === deps.leases.deviceId ? update : null));
}
