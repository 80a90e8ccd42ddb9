/**
 * How a job run ends outside the turn itself: the lease-checked last write of the job note, and a job that is not run
 * at all because every item of its context was excluded.
 */
import { linkTo, writeArtifact, type ArtifactTarget } from './artifact';
import type { JobPrompt } from './job-context';
import type { JobNote } from './job-note';
import type { ContextSettings } from '../kernel/settings';
import type { JobUpdate } from './job-store';
import type { JobRunDeps, QueueSignal } from './job-run';

/** The vault as a job sees it: the jobs folder hidden, `settings.context` applied, artifacts checkpointed. */
export function jobView(deps: JobRunDeps): ArtifactTarget & { context: ContextSettings | undefined } {
    return { vault: deps.engine.vault, gate: deps.gate, checkpoints: deps.engine.checkpoints, context: deps.context };
}

/**
 * The job named context and every item of it was excluded by the privacy settings: it would run on nothing, so it is
 * not run. The reasons (the rules, for the person) are returned; `null` when something was sent or nothing was named.
 *
 * Not for a job an MCP client queued: that client reads the job's status, and a job that fails when it names a private
 * note but runs when it names one that does not exist would tell it which guessed notes exist and are private. Its
 * excluded items count as not found (the job note's log, which only the person reads, still says how many were left
 * out by the privacy settings).
 */
export function allContextExcluded(job: JobNote, prompt: JobPrompt): string[] | null {
    if (job.client !== '') return null;
    if (job.context.length === 0 || prompt.excluded === 0) return null;
    if (prompt.bundle.items.some((item) => item.kind === 'mention')) return null;
    const reasons = prompt.bundle.items
        .filter((item) => item.kind === 'excluded')
        .map((item) => `${item.label}: ${item.excludedReason ?? 'excluded'}`);
    return [...new Set(reasons)];
}

/**
 * Ends a job whose context was all excluded, without asking the model: an incomplete result note (which names no
 * rule and no note, as it may become context itself) and the job failed, its log naming the rules that did it.
 */
export async function finishUnrun(
    deps: JobRunDeps,
    job: JobNote,
    output: string,
    title: string,
    model: string,
    reasons: string[],
): Promise<{ job: JobNote | null; signal: QueueSignal }> {
    const why =
        `Not run: every context item (${reasons.length}) was excluded by the privacy settings, so there was nothing ` +
        'to work on, and nothing was sent to the model.';
    let artifact = '';
    try {
        const made = await writeArtifact(jobView(deps), {
            jobId: job.id,
            title,
            jobPath: job.path,
            outputFolder: output,
            text: 'This job did not run: all of its context was excluded by your privacy settings. Its job note says which rules excluded it.',
            sources: [],
            model,
            now: deps.clock.now(),
            incomplete: 'Not run: all of its context was excluded.',
        });
        artifact = linkTo(made.path);
    } catch {
        // No result note (an unusable output folder): the job note still says why.
    }
    const rules = `Excluded by: ${reasons.join('; ')}.`;
    return finish(deps, job, {
        patch: { status: 'failed', lease: null, error: `${why} ${rules}`, ...(artifact === '' ? {} : { artifact }) },
        log: [why, rules, ...(artifact === '' ? [] : [`Incomplete result: ${artifact}.`])],
    });
}

/** Writes the job's update, only while this device still holds its lease. */
export async function finish(
    deps: JobRunDeps,
    job: JobNote,
    update: JobUpdate,
    signal: QueueSignal = null,
): Promise<{ job: JobNote | null; signal: QueueSignal }> {
    const written = await deps.store.update(job.path, (current) =>
        current.lease?.device === deps.leases.deviceId ? update : null,
    );
    return { job: written, signal };
}
