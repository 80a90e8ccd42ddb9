/**
 * Runs one leased job to its end: context resolved now through the gate, an `AgentSession` in `delegate` mode (scope
 * = its output folder) or `read-only`, the lease renewed while it runs, the result written as an artifact, and the
 * job note updated once at the end. What the queue must do next (pause for a spend cap, wait while offline, retry
 * later) comes back as a signal; the job itself never decides for the whole queue.
 */
import type { WebSettings } from '../kernel/web-settings';
import { unattended, type ApprovalGate } from '../agent/changes/approval';
import type { TurnBudget } from '../agent/loop/budgets';
import { type TurnEvent, type TurnResult, type UsageTotals } from '../agent/loop/turn-events';
import type { ModelClient } from '../agent/model-client';
import type { SessionEngine } from '../agent/session-factory';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock } from '../kernel/ports';
import type { ContextSettings } from '../kernel/settings';
import { findArtifact, linkTo } from './artifact';
import type { AttachmentReading } from '../context/mentions';
import { buildJobPrompt, jobModeOf } from './job-context';
import { jobTitle, type JobBudget, type JobNote, type JobUsage } from './job-note';
import type { JobStore, JobUpdate } from './job-store';
import type { LeaseKeeper } from './lease';
import { jobSources } from './provenance';
import { webLogLine } from '../agent/web/web-log';
import { buildJobSession } from './job-session';
import { allContextExcluded, finish, finishUnrun, jobView } from './job-end';
import { jobOutcome } from './job-outcome';
import { inertWrites, proposedWrites, refusedWrites } from './job-tool-calls';

/** Why the queue stopped a running job. */
export type JobAbortKind = 'cancel' | 'pause' | 'shutdown' | 'lease-lost' | 'budget';

/** The abort reason the queue gives a job's controller. */
export class JobAbort extends Error {
    override readonly name: string = 'JobAbort';
    constructor(
        /** Why. */
        readonly kind: JobAbortKind,
    ) {
        super(`Job stopped (${kind})`);
    }
}

/** What the queue as a whole must do after a job ended. */
export type QueueSignal =
    | { kind: 'spend-cap'; message: string }
    | { kind: 'offline'; message: string }
    | { kind: 'retry-later'; delayMs: number }
    | null;

/** A job's live progress, for the queue view. */
export interface JobProgress {
    /** Model calls so far. */
    modelCalls: number;
    /** Tokens so far, input and output. */
    tokens: number;
    /** Cost so far, USD. */
    costUsd: number;
    /** When it started (ms since the epoch). */
    startedAt: number;
    /** Remaining wait for the shared rate-limit throttle, ms (0 when not waiting). */
    waitingMs: number;
    /** The conversation's size against the model's window, after the latest model call (the job's context meter). */
    context?: { usedTokens: number; windowTokens: number };
}

/** How the queue and a running job talk. */
export interface JobControl {
    /** Aborted when the queue stops the job (the reason is a `JobAbort`). */
    signal: AbortSignal;
    /** Stops the job for `reason`. */
    abort(reason: JobAbort): void;
    /** The job's live progress. */
    onProgress(progress: JobProgress): void;
    /**
     * The job is done with the model and only writes its result now: its place in the queue's concurrency goes to the
     * next job, so result writing overlaps the next model call. Resolves once no job is starting any more (each one
     * started has sent its request, or ended), so the new jobs' lease writes, prompts and sessions are not held up
     * behind result writes. Not called when the turn ended in an error, which the queue must hear about (a spend cap,
     * an outage) before it starts anything else.
     */
    release?(): Promise<void>;
    /**
     * The job holds its lease, has built its prompt and session, and its first model request is on its way: jobs that
     * wait to write their results need not wait for this one any more.
     */
    sending?(): void;
}

/** Everything one job run uses: the shared session services as the queue got them, and what this run decided. */
export interface JobRunDeps {
    /** The services every session shares (vault, throttle, checkpoints, skills, MCP, spend, retry…), handed on whole. */
    engine: SessionEngine;
    /** Job notes. */
    store: JobStore;
    /** This runner's leases. */
    leases: LeaseKeeper;
    /** Time (the engine's clock, or the system's). */
    clock: Clock;
    /** The model client. */
    client: ModelClient;
    /** The exclusion gate as it is now, with the jobs folder hidden (a job's own brief is given to it directly). */
    gate: ExclusionGate;
    /** Output folder when a job names none. */
    outputFolder: string;
    /** The jobs folder: hidden from the job (`gate` leaves it out) and never written by it. */
    jobsFolder: string;
    /** Model when a job names none. */
    model: string;
    /** Output tokens per response. */
    maxOutputTokens: number;
    /** `settings.context`, applied to the job's context as to a chat's; the builder's defaults when absent. */
    context?: ContextSettings;
    /** How the job's PDFs and images are read and sent; without it they are named, not sent. */
    attachments?: AttachmentReading;
    /** `settings.web`: a job whose note says `web: true` may research the web when it is on. */
    web?: WebSettings;
    /** Attempts before an interrupted job is given up. */
    maxAttempts: number;
    /** Model calls when a job's budget names none. */
    defaultTurns: number;
    /** Model calls of one sub-agent. */
    childTurns?: number;
}

/** Most lines about waits (retries, silence) a job's log keeps from one run. */
const MAX_WAIT_LINES = 8;

/** Nobody watches a job: a change that would need a person is denied (delegate's policy never asks anyway). */
export const UNATTENDED: ApprovalGate = unattended('during a job');

/** The job budget as a turn budget. */
export function turnBudgetOf(budget: JobBudget, defaultTurns: number): TurnBudget {
    return {
        maxModelCalls: budget.turns ?? defaultTurns,
        maxTokens: budget.tokens,
        maxCostUsd: budget.usd,
        maxWallMs: budget.minutes === undefined ? undefined : budget.minutes * 60_000,
    };
}

/** The job's usage plus a turn's. */
export function addJobUsage(usage: JobUsage, turn: UsageTotals): JobUsage {
    return {
        input: usage.input + turn.inputTokens + turn.cacheWriteTokens,
        output: usage.output + turn.outputTokens,
        cacheRead: usage.cacheRead + turn.cacheReadTokens,
        usd: usage.usd + turn.costUsd,
    };
}

/** Runs `job` (leased by us) to its end and writes the outcome into its note. */
export async function runJob(
    deps: JobRunDeps,
    job: JobNote,
    control: JobControl,
): Promise<{ job: JobNote | null; signal: QueueSignal }> {
    const output = job.output || deps.outputFolder;
    const title = jobTitle(job.path);
    // `attempts` counts this run: on the first one no earlier attempt can have left an artifact.
    const existing = job.attempts <= 1 ? null : await findArtifact(deps.engine.vault, output, job.id, title, job.path);
    if (existing !== null) {
        // The artifact was written before the runner stopped: finish the job without running it again, and as what
        // that attempt really was — a cut-off result stays a failure, never passed off as done.
        const incomplete = INCOMPLETE_ARTIFACT.test(
            await deps.engine.vault.read(existing).catch(() => 'status: incomplete'),
        );
        return finish(deps, job, {
            patch: incomplete
                ? {
                      status: 'failed',
                      artifact: linkTo(existing),
                      lease: null,
                      error: `An earlier attempt stopped early; its result ${linkTo(existing)} is incomplete.`,
                  }
                : { status: 'done', artifact: linkTo(existing), lease: null },
            log: [`Found the result of an earlier attempt: ${linkTo(existing)}${incomplete ? ' (incomplete)' : ''}.`],
        });
    }
    const mode = jobModeOf(job.mode);
    const model = job.model || deps.model;
    const prompt = await buildJobPrompt({ ...jobView(deps), attachments: deps.attachments }, job, {
        mode,
        output,
        model,
    });
    const excludedAll = allContextExcluded(job, prompt);
    if (excludedAll !== null) return finishUnrun(deps, job, output, title, model, excludedAll);
    // The job's first model request, when the client starts it, is the moment the job is `sending`.
    const client = announcing(deps.client, () => control.sending?.());
    const built = await buildJobSession(
        { ...deps, client },
        job,
        { mode, output, model, instructions: prompt.instructions },
        () => {
            if (!control.signal.aborted) control.abort(new JobAbort('budget'));
        },
    );
    const session = built.session;
    const progress: JobProgress = { modelCalls: 0, tokens: 0, costUsd: 0, startedAt: deps.clock.now(), waitingMs: 0 };
    // What the job waited on (retries, silence, estimated usage), for its log: the first few, each once.
    const waits: string[] = [];
    // Every web search and fetch, for the job log.
    const web: string[] = [];
    session.subscribe((event) => {
        if (event.type === 'web') {
            const line = webLogLine(event.activity);
            if (line !== null) web.push(line);
        }
        if ((event.type === 'retry' || event.type === 'notice') && waits.length < MAX_WAIT_LINES) {
            if (!waits.includes(event.message)) waits.push(event.message);
        }
        if (!track(progress, event)) return;
        const meter = session.contextMeter();
        progress.context = { usedTokens: meter.usedTokens, windowTokens: meter.windowTokens };
        control.onProgress({ ...progress });
    });
    const renew = setInterval(() => {
        void deps.leases
            .renew(job.path)
            .then((ours) => {
                // Another runner took the job over: this one stops and writes nothing more.
                if (!ours && !control.signal.aborted) control.abort(new JobAbort('lease-lost'));
            })
            .catch(() => undefined);
    }, deps.leases.leaseMs / 3);
    let result: TurnResult;
    try {
        // The job's PDFs and images go before its message, each with its path, like a chat's; its notes follow as
        // citable documents.
        const message = prompt.blocks(built.skills);
        const blocks = [...prompt.attachments.map(({ block }) => block), ...message];
        const sources = [...prompt.attachments.map(({ path }) => [path]), ...message.map(() => undefined)];
        result = await session.send(blocks, { signal: control.signal, sources });
    } finally {
        clearInterval(renew);
    }
    const reason = control.signal.reason instanceof JobAbort ? control.signal.reason.kind : null;
    if (reason === 'lease-lost') return { job: null, signal: null };
    if (reason === null && result.outcome === 'done') await control.release?.();
    const notes = [
        ...built.notes,
        ...waits,
        ...web,
        prompt.excluded > 0 ? `${prompt.excluded} context item(s) were left out by the privacy settings.` : '',
        prompt.missing.length > 0 ? `Not found: ${prompt.missing.join(', ')}.` : '',
        ...proposedWrites(result),
        ...refusedWrites(result),
        ...inertWrites(result),
    ].filter((line) => line !== '');
    const usage = addJobUsage(addJobUsage(job.usage, result.usage), built.childUsage());
    const files = job.budget.files ?? 0;
    const written: string[] = [];
    const read = [...session.notesRead(), ...built.childReads()];
    const sources = jobSources(deps.engine.vault, deps.gate, { context: prompt.sources, read });
    const ended = await jobOutcome(deps, job, result, reason, { output, title, model, sources, files }, written);
    // A retry time is kept only by the run that set it; any other end clears the old one.
    const retryAt = ended.update.patch.retryAt ?? (job.retryAt ? '' : undefined);
    return finish(
        deps,
        job,
        {
            patch: { ...ended.update.patch, usage, ...(retryAt !== undefined ? { retryAt } : {}) },
            log: [...notes, ...written, ...(ended.update.log ?? [])],
        },
        ended.signal,
    );
}

function track(progress: JobProgress, event: TurnEvent): boolean {
    switch (event.type) {
        case 'usage':
            progress.modelCalls++;
            progress.tokens = event.turn.inputTokens + event.turn.outputTokens + event.turn.cacheReadTokens;
            progress.costUsd = event.turn.costUsd;
            progress.waitingMs = 0;
            return true;
        case 'waiting':
            progress.waitingMs = event.remainingMs;
            return true;
        default:
            return false;
    }
}

/** `client`, calling `onStream` each time a streamed request starts. */
function announcing(client: ModelClient, onStream: () => void): ModelClient {
    return Object.freeze({
        ...client,
        stream: (params, options) => {
            const stream = client.stream(params, options);
            onStream();
            return stream;
        },
    } satisfies ModelClient);
}

/** The provenance line an artifact carries when its job's output was cut short. */
const INCOMPLETE_ARTIFACT = /^status: incomplete\s*$/mu;
