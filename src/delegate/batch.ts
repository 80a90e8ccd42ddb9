/**
 * Batch jobs (`batch: true`): a single turn with no tools, context packed up front, sent through the Message Batches
 * API at half the price, polled, and written back like any other job. The batch id is kept in the job note, so a
 * runner that restarts polls the same batch instead of sending it again.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { CreateParams, MessageBatches } from '../agent/model-client';
import { classifyError, Offline, SpendCap } from '../agent/model-errors';
import { costOf, DEFAULT_PRICES } from '../agent/pricing';
import { linkTo, writeArtifact } from './artifact';
import { buildJobPrompt } from './job-context';
import { jobTitle, type JobNote } from './job-note';
import { allContextExcluded, finishUnrun, jobView } from './job-end';
import type { JobUpdate } from './job-store';
import { addJobUsage, JobAbort, type JobControl, type JobRunDeps, type QueueSignal } from './job-run';
import type { QueueExtension } from './queue-extension';

/** The Message Batches calls a batch job needs. */
export interface BatchPort {
    /** Submits requests; resolves to the batch id. */
    create(requests: { custom_id: string; params: CreateParams }[]): Promise<string>;
    /** Whether the batch has ended. */
    ended(id: string): Promise<boolean>;
    /** The result of one request of an ended batch, or `null` when the batch has none for it. */
    result(id: string, customId: string): Promise<Anthropic.Messages.MessageBatchResult | null>;
    /** Asks the endpoint to stop the batch (the job was cancelled). */
    cancel(id: string): Promise<void>;
}

/** A `BatchPort` over the model client's Message Batches (same key and host, errors classified). */
export function clientBatchPort(batches: MessageBatches): BatchPort {
    return {
        create: async (requests) => (await batches.create(requests)).id,
        ended: async (id) => (await batches.retrieve(id)).processing_status === 'ended',
        result: async (id, customId) => {
            for await (const entry of batches.results(id)) if (entry.custom_id === customId) return entry.result;
            return null;
        },
        cancel: async (id) => {
            await batches.cancel(id);
        },
    };
}

/** Runs `batch: true` jobs through the queue's model client (or the `BatchPort` given, for tests of odd endpoints). */
export class BatchJobs implements QueueExtension {
    constructor(private readonly options: { batches?: BatchPort; pollMs?: number } = {}) {}

    /** Claims jobs marked `batch: true`. */
    runs(job: JobNote): boolean {
        return job.batch;
    }

    /** Submits (once), polls until the batch ends, and writes the result back. */
    async run(
        job: JobNote,
        deps: JobRunDeps,
        control: JobControl,
    ): Promise<{ job: JobNote | null; signal: QueueSignal }> {
        const output = job.output || deps.outputFolder;
        const model = job.model || deps.model;
        const prompt = await buildJobPrompt(jobView(deps), job, { mode: 'read-only', output, model });
        const excludedAll = allContextExcluded(job, prompt);
        if (job.batchId === '' && excludedAll !== null) {
            return finishUnrun(deps, job, output, jobTitle(job.path), model, excludedAll);
        }
        const batches = this.options.batches ?? clientBatchPort(deps.client.batches);
        const finish = async (update: JobUpdate, signal: QueueSignal = null) => ({
            job: await deps.store.update(job.path, (current) =>
                current.lease?.device === deps.leases.deviceId ? update : null,
            ),
            signal,
        });
        try {
            let batchId = job.batchId;
            if (batchId === '') {
                const params: CreateParams = {
                    model,
                    max_tokens: deps.maxOutputTokens,
                    messages: [{ role: 'user', content: prompt.message() }],
                    ...(prompt.instructions !== '' ? { system: prompt.instructions } : {}),
                };
                batchId = await batches.create([{ custom_id: job.id, params }]);
                await deps.store.update(job.path, () => ({
                    patch: { batchId },
                    log: [`Sent as Message Batch ${batchId}.`],
                }));
            }
            while (!(await batches.ended(batchId))) {
                await deps.leases.renew(job.path);
                await deps.clock.sleep(this.options.pollMs ?? 30_000, control.signal);
            }
            const result = await batches.result(batchId, job.id);
            if (result?.type !== 'succeeded') {
                const why =
                    result === null ? 'the batch had no result for this job' : `the batch request ${result.type}`;
                return finish({
                    patch: { status: 'failed', lease: null, error: why, batchId: '' },
                    log: [`Failed: ${why}.`],
                });
            }
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
            const made = await writeArtifact(jobView(deps), {
                jobId: job.id,
                title: jobTitle(job.path),
                jobPath: job.path,
                outputFolder: output,
                text,
                sources: prompt.sources,
                model,
                now: deps.clock.now(),
                incomplete,
            });
            const status = incomplete === null ? 'done' : 'failed';
            const done = `${incomplete === null ? 'Done' : 'Incomplete'}: ${linkTo(made.path)} (batch ${batchId}).`;
            return finish({
                patch: { status, lease: null, artifact: linkTo(made.path), usage, error: incomplete ?? '' },
                log: made.neutralised === null ? [done] : [made.neutralised, done],
            });
        } catch (e) {
            if (control.signal.aborted) {
                const current = await deps.store.read(job.path);
                const batchId = current.kind === 'job' ? current.job.batchId : '';
                if (isCancel(control.signal) && batchId !== '') {
                    // The person cancelled: the endpoint stops the batch too (best effort; it may have ended).
                    await batches.cancel(batchId).catch(() => undefined);
                    return finish({
                        patch: { status: 'cancelled', lease: null, batchId: '' },
                        log: [`Cancelled by the person; Message Batch ${batchId} was cancelled.`],
                    });
                }
                return finish({
                    patch: { status: 'interrupted', lease: null },
                    log: ['Stopped while the batch was pending; it will be polled again.'],
                });
            }
            const error = classifyError(e);
            const message = error.userMessage;
            const signal: QueueSignal =
                error instanceof SpendCap
                    ? { kind: 'spend-cap', message }
                    : error instanceof Offline
                      ? { kind: 'offline', message }
                      : { kind: 'retry-later', delayMs: 0 };
            if (!error.retryable && signal.kind === 'retry-later') {
                return finish({
                    patch: { status: 'failed', lease: null, error: message },
                    log: [`Failed: ${message}`],
                });
            }
            return finish(
                { patch: { status: 'interrupted', lease: null, error: message }, log: [`Will retry: ${message}`] },
                signal,
            );
        }
    }
}

function isCancel(signal: AbortSignal): boolean {
    return signal.reason instanceof JobAbort && signal.reason.kind === 'cancel';
}
