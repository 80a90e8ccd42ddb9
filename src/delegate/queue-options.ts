/** What the delegate queue is built from: its ports and knobs. */
import type { CheckpointStore } from '../agent/changes/checkpoints';
import type { Throttle } from '../agent/loop/throttle';
import type { ModelClient } from '../agent/model-client';
import type { RetryPolicy } from '../agent/turn-loop';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock, Notifier } from '../ports';
import type { DelegateSettings, ModelSettings } from '../settings/settings';
import type { VaultPort } from '../vault/vault-port';
import type { QueueExtension } from './queue-extension';

/** Ports and knobs of the queue. */
export interface JobQueueOptions {
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
    /** Current settings (jobs folder, output folder, concurrency, model). */
    settings: () => { delegate: DelegateSettings; model: ModelSettings };
    /** This runner's id, unique per running process. */
    deviceId: string;
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
