/** What the delegate queue is built from: its ports and knobs. */
import type { CheckpointStore } from '../agent/changes/checkpoints';
import type { Throttle } from '../agent/loop/throttle';
import type { ModelClient } from '../agent/model-client';
import type { RetryPolicy } from '../agent/turn-loop';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock, Notifier } from '../kernel/ports';
import type { ContextSettings, DelegateSettings, ModelSettings } from '../kernel/settings';
import { proposalsFolderFor } from '../kernel/review-folder';
import type { VaultPort } from '../kernel/vault-port';
import type { QueueExtension } from './queue-extension';
import type { JobExtras } from './job-session';
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
}

/** Ports and knobs of the queue; the extras (skills catalog, MCP hub, spend control) are optional. */
export interface JobQueueOptions extends JobExtras {
    /** The vault holding jobs, context and outputs. */
    vault: VaultPort;
    /** The exclusion gate as it is NOW (asked when each job runs, not when it was queued). */
    gate: () => ExclusionGate;
    /** Builds the model client; a failure (no key on this device) pauses the queue. */
    client: () => Promise<ModelClient>;
    /** The one rate-limit throttle shared by every job and chat. */
    throttle: Throttle;
    /** Notices for the person. */
    notifier: Notifier;
    /** Checkpoints of notes jobs create. */
    checkpoints: CheckpointStore;
    /**
     * Current settings (jobs folder, output folder, concurrency, model), or `null` while they are locked (unreadable
     * or invalid): the queue then pauses for `setup`, stops running jobs, sends nothing, and resumes by itself once
     * settings are back (docs/RELIABILITY.md row 14).
     */
    settings: () => QueueSettings | null;
    /** Why the settings are locked, for the person (e.g. `SettingsStore`'s error); a generic sentence when absent. */
    lockedReason?: () => string;
    /** This runner's id, unique per running process. */
    deviceId: string;
    /** This runner's process and machine, for leases a runner on the same machine can check (the CLI gives it). */
    localProcess?: LocalProcess;
    /** Time. */
    clock?: Clock;
    /** Lease length, ms. */
    leaseMs?: number;
    /** Wait between writing a lease and confirming it, ms. */
    settleMs?: number;
    /** How often the jobs folder is scanned for new jobs, ms. */
    pollMs?: number;
    /** Attempts before an interrupted job is given up. */
    maxAttempts?: number;
    /** Retry policy for model calls inside a job. */
    retry?: RetryPolicy;
    /** First backoff before a failed job runs again, ms. */
    jobRetryBaseMs?: number;
    /** First wait before trying again while offline, ms (doubles up to five minutes). */
    offlineBaseMs?: number;
    /** Stall timeout for streams, ms. */
    idleTimeoutMs?: number;
    /** Model calls when a job's budget names none. */
    defaultTurns?: number;
    /** Batches and schedules plug in here. */
    extensions?: QueueExtension[];
}

/** What one job run uses: the queue's ports and knobs, this runner's job notes and leases, the settings now. */
export function jobRunDeps(
    options: JobQueueOptions,
    runner: { store: JobStore; leases: LeaseKeeper; clock: Clock },
    client: ModelClient,
    settings: QueueSettings,
): JobRunDeps {
    return {
        ...runner,
        vault: options.vault,
        throttle: options.throttle,
        checkpoints: options.checkpoints,
        client,
        // A job's view of the vault leaves out the jobs folder: its own brief is given to it directly.
        gate: options
            .gate()
            .withHiddenFolders([settings.delegate.jobsFolder, proposalsFolderFor(settings.delegate.jobsFolder)]),
        outputFolder: settings.delegate.outputFolder,
        jobsFolder: settings.delegate.jobsFolder,
        model: settings.model.defaultModel,
        maxOutputTokens: settings.model.maxOutputTokens,
        ...(settings.context !== undefined ? { context: settings.context } : {}),
        retry: options.retry,
        idleTimeoutMs: options.idleTimeoutMs,
        maxAttempts: options.maxAttempts ?? 3,
        defaultTurns: options.defaultTurns ?? 30,
        skills: options.skills,
        mcp: options.mcp,
        spend: options.spend,
        childTurns: options.childTurns,
        tools: options.tools,
        models: options.models,
        proposals: options.proposals,
    };
}
