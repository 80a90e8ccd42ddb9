/** What the delegate queue is built from: its ports and knobs. */
import type { ExclusionGate } from '../context/exclusions';
import type { WebSettings } from '../kernel/web-settings';
import type { ModelClient } from '../agent/model-client';
import type { SessionEngine } from '../agent/session-factory';
import type { Clock, Notifier } from '../kernel/ports';
import type { ContextSettings, DelegateSettings, ModelSettings } from '../kernel/settings';
import { live } from '../kernel/live';
import { proposalsFolderFor } from '../kernel/review-folder';
import type { QueueExtension } from './queue-extension';
import type { JobRunDeps } from './job-run';
import type { JobStore } from './job-store';
import type { LeaseKeeper, LocalProcess } from './lease';

/** The settings the queue reads. */
export interface QueueSettings {
    /** Jobs folder, output folder, concurrency. */
    delegate: DelegateSettings;
    /** Model, endpoint, output tokens. */
    model: ModelSettings;
    /** Instructions note, budget share, embed depth, mention list limit (as a chat's); the defaults when absent. */
    context?: ContextSettings;
    /** Web research (off by default); a job uses it only when its note says `web: true`. */
    web?: WebSettings;
}

/** The queue's ports and knobs: the shared session services (handed on whole to every job) and its own. */
export interface JobQueueOptions extends SessionEngine {
    /** Builds the model client; a failure (no key on this device) pauses the queue. */
    client: () => Promise<ModelClient>;
    /** Notices for the person. */
    notifier: Notifier;
    /**
     * Current settings (jobs folder, output folder, concurrency, model), or `null` while they are locked (unreadable
     * or invalid): the queue then pauses for `setup`, stops running jobs, sends nothing, and resumes by itself once
     * settings are back (docs/RELIABILITY.md row 14).
     */
    settings: () => QueueSettings | null;
    /** Why the settings are locked, for the person (e.g. `SettingsStore`'s error); a generic sentence when absent. */
    lockedReason?: () => string;
    /**
     * Brings `settings` (and the gate) up to date before jobs start, where that takes a look at a file (the CLI reads
     * its settings file again); awaited before each start.
     */
    refreshSettings?: () => Promise<void>;
    /** This runner's id, unique per running process. */
    deviceId: string;
    /** This runner's process and machine, for leases a runner on the same machine can check (the CLI gives it). */
    localProcess?: LocalProcess;
    /** Lease length, ms. */
    leaseMs?: number;
    /** Wait between writing a lease and confirming it, ms. */
    settleMs?: number;
    /** How often the jobs folder is scanned for new jobs, ms. */
    pollMs?: number;
    /** Attempts before an interrupted job is given up. */
    maxAttempts?: number;
    /** First backoff before a failed job runs again, ms. */
    jobRetryBaseMs?: number;
    /** First wait before trying again while offline, ms (doubles up to five minutes). */
    offlineBaseMs?: number;
    /** Model calls when a job's budget names none. */
    defaultTurns?: number;
    /** Model calls of one sub-agent. */
    childTurns?: number;
    /** Batches and schedules plug in here. */
    extensions?: QueueExtension[];
}

/** The session services of `options`, as every job's sessions get them. */
function engineOf(options: JobQueueOptions): SessionEngine {
    const { vault, gate, checkpoints, throttle, spend, mcp, skills, registry, models, editors, clock, prices, retry } =
        options;
    return {
        vault,
        gate,
        checkpoints,
        throttle,
        spend,
        mcp,
        skills,
        registry,
        models,
        editors,
        clock,
        prices,
        retry,
        search: options.search,
        pdfText: options.pdfText,
        proposals: options.proposals,
    };
}

/** What one job run uses: the queue's ports and knobs, this runner's job notes and leases, the settings now. */
export function jobRunDeps(
    options: JobQueueOptions,
    runner: { store: JobStore; leases: LeaseKeeper; clock: Clock },
    client: ModelClient,
    settings: QueueSettings,
): JobRunDeps {
    const jobFolders = [settings.delegate.jobsFolder, proposalsFolderFor(settings.delegate.jobsFolder)];
    let hidden: { of: ExclusionGate | null; gate: ExclusionGate } = { of: null, gate: options.gate() };
    return {
        ...runner,
        engine: engineOf(options),
        client,
        // A job's view of the vault leaves out the jobs folder: its own brief is given to it directly. The gate as it
        // is each time the job asks (before each request): exclusions changed while a job runs apply to it at once.
        gate: live(() => {
            const now = options.gate();
            if (now !== hidden.of) hidden = { of: now, gate: now.withHiddenFolders(jobFolders) };
            return hidden.gate;
        }),
        outputFolder: settings.delegate.outputFolder,
        jobsFolder: settings.delegate.jobsFolder,
        model: settings.model.defaultModel,
        maxOutputTokens: settings.model.maxOutputTokens,
        context: settings.context,
        attachments: { pdf: options.pdfText, documents: () => client.capabilities.has('documents') },
        web: settings.web,
        maxAttempts: options.maxAttempts ?? 3,
        defaultTurns: options.defaultTurns ?? 30,
        childTurns: options.childTurns,
    };
}
