/**
 * How schedules and batches plug into the queue without the queue knowing them: hooks after each scan and after each
 * job, and an alternative runner for the jobs an extension claims (batch jobs).
 */
import type { CheckpointStore } from '../agent/changes/checkpoints';
import type { ExclusionGate } from '../context/exclusions';
import type { Clock, Notifier } from '../kernel/ports';
import type { VaultPort } from '../kernel/vault-port';
import type { JobNote } from './job-note';
import type { JobControl, JobRunDeps, QueueSignal } from './job-run';
import type { JobStore } from './job-store';

/** What an extension may use. */
export interface ExtensionContext {
    /** The vault. */
    vault: VaultPort;
    /** Job notes. */
    store: JobStore;
    /** Time. */
    clock: Clock;
    /** Notices. */
    notifier: Notifier;
    /** The jobs folder. */
    jobsFolder: string;
    /** The settings' output folder, for jobs that name none. */
    outputFolder: string;
    /** Every readable job as of the last scan. */
    jobs: JobNote[];
    /** Tells the queue about a job note that changed or was created. */
    remember(job: JobNote): void;
    /** The exclusion gate of the settings now. */
    gate(): ExclusionGate;
    /** The vault's undo records: what the agent wrote. */
    checkpoints: CheckpointStore;
    /** Tells the queue to look again now (a job note was written, an extension's state changed). */
    wake(): void;
}

/** A trigger as the queue view shows it. */
export interface TriggerView {
    /** The trigger note. */
    path: string;
    /** Its name. */
    title: string;
    /** What it listens for, in words (`created in Meetings/`). */
    when: string;
    /** `active`, `paused` (three failures in a row) or `unreadable` (see `reason`). */
    state: 'active' | 'paused' | 'unreadable';
    /** Why it cannot be read, or the last failure count in words. */
    reason: string;
    /** Jobs it started in the last hour. */
    lastHour: number;
    /** Its hourly cap. */
    maxPerHour: number;
    /** ISO time it last started a job ('' when never). */
    last: string;
}

/** A queue extension; every member is optional. */
export interface QueueExtension {
    /** Runs after every scan of the jobs folder. */
    afterScan?(context: ExtensionContext): Promise<void>;
    /** Runs after a job ended (its note already updated). */
    afterJob?(job: JobNote, context: ExtensionContext): Promise<void>;
    /** True for jobs this extension runs instead of the agent session. */
    runs?(job: JobNote): boolean;
    /** The triggers this extension keeps, for the queue view. */
    triggers?(): TriggerView[];
    /** Stops what the extension started (subscriptions, timers) when the queue stops. */
    stop?(): void;
    /** Runs a claimed, leased job to its end. */
    run?(job: JobNote, deps: JobRunDeps, control: JobControl): Promise<{ job: JobNote | null; signal: QueueSignal }>;
}
