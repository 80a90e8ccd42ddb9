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
    /** Tells the queue about a job note that changed or was created (`null`: nothing changed). */
    remember(job: JobNote | null): void;
    /** Whether `path`'s lease could not be written lately (it is not tried again until it changes or a while passes). */
    unwritable(path: string): boolean;
    /** `path`'s lease could not be written, and why: kept from running for a while, the person told once. */
    cannotWrite(path: string, message: string): void;
    /** The exclusion gate of the settings now. */
    gate(): ExclusionGate;
    /** The vault's undo records: what the agent wrote. */
    checkpoints: CheckpointStore;
    /** Tells the queue to look again now (a job note was written, an extension's state changed). */
    wake(): void;
    /** Attempts before an interrupted job is given up. */
    maxAttempts: number;
    /** The queue is paused (by the person, a spend cap, locked settings, an outage): nothing new is sent. */
    paused: boolean;
    /** What a job runs with (client, leases, gate, settings); `null` while the settings are locked or no client. */
    runDeps(): Promise<JobRunDeps | null>;
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
    /**
     * True for jobs this extension works itself, outside the concurrency limit (batch jobs): the queue never starts
     * them, and the extension leases them when it acts on them.
     */
    holds?(job: JobNote): boolean;
    /** True while the extension has work in flight or awaited (a `runUntilIdle` queue keeps going meanwhile). */
    busy?(): boolean;
    /** Stops what the extension started (its own work, subscriptions, timers) when the queue stops. */
    stop?(): void | Promise<void>;
    /** True for jobs this extension runs instead of the agent session. */
    runs?(job: JobNote): boolean;
    /** The triggers this extension keeps, for the queue view. */
    triggers?(): TriggerView[];
    /** Runs a claimed, leased job to its end. */
    run?(job: JobNote, deps: JobRunDeps, control: JobControl): Promise<{ job: JobNote | null; signal: QueueSignal }>;
}
