/**
 * What the end of a job's turn means for the job: its status, error and log lines, the result note it leaves (whole,
 * or marked incomplete when cut short), and what the whole queue must do next (pause for a spend cap, wait while
 * offline, retry later). A model error never leaves a partial result (docs/RELIABILITY.md row 25).
 */
import type { TurnResult } from '../agent/loop/turn-events';
import { GaveUp, Offline, RetryLater, SpendCap, type ModelError } from '../agent/model-errors';
import { linkTo, writeArtifact } from './artifact';
import { jobView } from './job-end';
import type { JobNote } from './job-note';
import type { JobPatch } from './job-note-edit';
import type { JobAbortKind, JobRunDeps, QueueSignal } from './job-run';
import type { JobUpdate } from './job-store';
import { changedNotes } from './job-tool-calls';
import { flaggedLogLine } from './sources-section';

/** What the outcome of the turn means for the job (and the artifact it leaves). */
export async function jobOutcome(
    deps: JobRunDeps,
    job: JobNote,
    result: TurnResult,
    abort: JobAbortKind | null,
    artifact: { output: string; title: string; model: string; sources: string[]; files: number },
    /** Receives job-log lines about the written result (what was made inert in it). */
    written: string[],
): Promise<{ update: JobUpdate; signal: QueueSignal }> {
    const estimated = result.usage.estimated === true ? ' (estimated: the endpoint reported no usage)' : '';
    const spent = `${result.modelCalls} model call(s), ${result.usage.inputTokens + result.usage.outputTokens} tokens, $${result.usage.costUsd.toFixed(4)}${estimated}`;
    const write = async (incomplete: string | null): Promise<string> => {
        const made = await writeArtifact(jobView(deps), {
            jobId: job.id,
            title: artifact.title,
            jobPath: job.path,
            outputFolder: artifact.output,
            text: result.text,
            sources: artifact.sources,
            model: artifact.model,
            now: deps.clock.now(),
            incomplete,
            ...(result.sources !== undefined ? { cited: result.sources } : {}),
        });
        if (made.neutralised !== null) written.push(made.neutralised);
        const flagged = flaggedLogLine(result.sources);
        if (flagged !== null) written.push(flagged);
        return linkTo(made.path);
    };
    const stopped = (
        status: 'cancelled' | 'interrupted',
        message: string,
    ): { update: JobUpdate; signal: QueueSignal } => ({
        update: { patch: { status, lease: null, error: status === 'cancelled' ? '' : message }, log: [message] },
        signal: null,
    });
    if (abort === 'cancel') return stopped('cancelled', 'Cancelled by the person.');
    if (abort === 'pause') return stopped('interrupted', 'Stopped because the queue was paused; it will run again.');
    if (abort === 'shutdown') return stopped('interrupted', 'Stopped because the queue shut down; it will run again.');
    const failed = (error: string, extra: Partial<JobPatch> = {}): { update: JobUpdate; signal: QueueSignal } => ({
        update: { patch: { status: 'failed', lease: null, error, ...extra }, log: [`Failed: ${error} (${spent})`] },
        signal: null,
    });
    const budgetStop = async (why: string): Promise<{ update: JobUpdate; signal: QueueSignal }> => {
        if (result.text.trim() === '') return failed(why);
        const link = await write(why);
        return failed(`${why} The result ${link} is incomplete.`, { artifact: link });
    };
    if (abort === 'budget') return budgetStop(`Stopped by its budget (${artifact.files} new note(s)).`);
    switch (result.outcome) {
        case 'done': {
            const link = await write(null);
            return {
                update: {
                    patch: { status: 'done', lease: null, artifact: link, error: '' },
                    log: [`Done: ${link} (${spent}).`],
                },
                signal: null,
            };
        }
        case 'budget':
            if (result.budget?.kind === 'daily-spend') {
                // This device's daily cap, like the API's spend cap, pauses the whole queue; the job waits, not fails.
                return {
                    update: {
                        patch: { status: 'interrupted', lease: null, error: result.message },
                        log: [`Paused: ${result.message}`],
                    },
                    signal: { kind: 'spend-cap', message: result.message },
                };
            }
            return budgetStop(`Stopped by its budget (${result.budget?.describe ?? 'limit reached'}).`);
        case 'truncated':
            return budgetStop(result.message);
        case 'context-full':
            // A chat's advice (a new chat, compaction) means nothing to a job: say what the person can change.
            return budgetStop(
                result.modelCalls === 0
                    ? 'Not sent: its brief and context are larger than the model’s context window. Shorten the brief or name fewer notes.'
                    : 'Its conversation outgrew the model’s context window. Split it into smaller jobs, or name fewer notes.',
            );
        case 'refused':
            return failed(result.message);
        case 'stopped':
            return stopped('interrupted', 'Stopped before it finished; it will run again.');
        case 'interrupted':
        case 'failed':
            return afterError(job, result, deps.maxAttempts, spent, deps.clock.now());
    }
}

/** A model error ended the turn: pause the queue, retry later, or give up — never a partial artifact (row 25). */
function afterError(
    job: JobNote,
    result: TurnResult,
    maxAttempts: number,
    spent: string,
    now: number,
): { update: JobUpdate; signal: QueueSignal } {
    // After retries ran out of time, what the queue does depends on what kept failing.
    const error: ModelError | undefined = result.error instanceof GaveUp ? result.error.last : result.error;
    const message = error?.userMessage ?? result.message;
    const interrupted = (signal: QueueSignal, log: string): { update: JobUpdate; signal: QueueSignal } => ({
        update: { patch: { status: 'interrupted', lease: null, error: message }, log: [log] },
        signal,
    });
    if (error instanceof SpendCap) return interrupted({ kind: 'spend-cap', message }, `Paused: ${message}`);
    const sideEffects = changedNotes(result).length > 0;
    const give = (why: string): { update: JobUpdate; signal: QueueSignal } => ({
        update: { patch: { status: 'failed', lease: null, error: why }, log: [`Failed: ${why} (${spent})`] },
        signal: null,
    });
    if (sideEffects)
        return give(`${message} It had already created notes, so it is not retried by itself; press Retry.`);
    if (error instanceof Offline)
        return interrupted({ kind: 'offline', message }, `Waiting for the connection: ${message}`);
    if (error instanceof RetryLater) {
        const at = new Date(error.retryAt).toISOString().replace(/\.\d+Z$/u, 'Z');
        return {
            update: {
                patch: { status: 'interrupted', lease: null, error: `Retry at ${at}: ${message}`, retryAt: at },
                log: [`Queued again: retry at ${at}. ${message}`],
            },
            signal: { kind: 'retry-later', delayMs: Math.max(0, error.retryAt - now) },
        };
    }
    if (error?.retryable !== true) return give(message);
    if (job.attempts >= maxAttempts) return give(`${message} Gave up after ${job.attempts} attempts.`);
    return interrupted({ kind: 'retry-later', delayMs: 0 }, `Will retry: ${message}`);
}
