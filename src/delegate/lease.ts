/**
 * Leases: before a runner runs a job it writes its device id and an expiry into the job note, waits a moment, reads
 * the note again and runs only if the lease it reads is its own. Two runners racing over one vault (two synced
 * devices, the plugin and the CLI) therefore never both run a job. While a job runs the lease is renewed; a `running`
 * job whose lease expired lost its runner (killed, closed, asleep) and becomes `interrupted` (RELIABILITY row 29).
 */
import type { Clock } from '../ports';
import type { JobLease, JobNote } from './job-note';
import { newJobId } from './job-note';
import type { JobStore } from './job-store';

/** How long a lease lasts without renewal, by default. */
export const DEFAULT_LEASE_MS = 120_000;
/** How long to wait between writing a lease and reading it back, by default. */
export const DEFAULT_SETTLE_MS = 0;

/** What the lease keeper needs. */
export interface LeaseKeeperOptions {
    /** The job notes. */
    store: JobStore;
    /** Time. */
    clock: Clock;
    /** This runner's id; unique per running process (two runners must never share one). */
    deviceId: string;
    /** Lease length in ms. */
    leaseMs?: number;
    /** Wait between writing a lease and confirming it, in ms. */
    settleMs?: number;
}

/** Takes, renews and recovers leases for one runner. */
export class LeaseKeeper {
    /** This runner's id. */
    readonly deviceId: string;
    /** Lease length in ms. */
    readonly leaseMs: number;
    private readonly store: JobStore;
    private readonly clock: Clock;
    private readonly settleMs: number;

    constructor(options: LeaseKeeperOptions) {
        this.store = options.store;
        this.clock = options.clock;
        this.deviceId = options.deviceId;
        this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
        this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    }

    /** True when `lease` is held by someone and has not run out. */
    isLive(lease: JobLease | null): boolean {
        if (lease === null || lease.device === '') return false;
        const until = Date.parse(lease.until);
        return Number.isFinite(until) && until > this.clock.now();
    }

    /**
     * Takes the lease of a runnable job and marks it `running` (one more attempt). Resolves to the job as confirmed
     * on disk, or `null` when it is not runnable any more or another runner holds it.
     */
    async take(
        path: string,
        runnable: (job: JobNote) => boolean,
        message: (job: JobNote) => string,
        isCopy: (job: JobNote) => boolean = () => false,
    ): Promise<JobNote | null> {
        const taken = await this.store.update(path, (job) => {
            if (!runnable(job) || (this.isLive(job.lease) && job.lease?.device !== this.deviceId)) return null;
            if (job.id !== '' && isCopy(job)) {
                // A copied note carries the original's id, attempts and usage: it becomes a job of its own, so it never
                // finds the original's result as "an earlier attempt" and its spend is its own.
                const id = newJobId();
                const copy = { ...job, id, attempts: 1 };
                return {
                    patch: {
                        id,
                        status: 'running',
                        lease: this.fresh(),
                        attempts: 1,
                        error: '',
                        artifact: '',
                        batchId: '',
                        usage: { input: 0, output: 0, cacheRead: 0, usd: 0 },
                    },
                    log: [
                        `This note is a copy of another job note with the id ${job.id}; it runs as a job of its own, ${id}.`,
                        message(copy),
                    ],
                };
            }
            const attempts = job.attempts + 1;
            return {
                patch: {
                    id: job.id === '' ? newJobId() : job.id,
                    status: 'running',
                    lease: this.fresh(),
                    attempts,
                    error: '',
                },
                log: [message({ ...job, attempts })],
            };
        });
        if (taken === null || taken.status !== 'running' || taken.lease?.device !== this.deviceId) return null;
        if (this.settleMs > 0) await this.clock.sleep(this.settleMs);
        const confirmed = await this.store.read(path);
        if (confirmed.kind !== 'job') return null;
        const job = confirmed.job;
        return job.status === 'running' && job.lease?.device === this.deviceId && job.lease.until === taken.lease.until
            ? job
            : null;
    }

    /** Pushes the expiry of our lease forward; false when the lease is no longer ours (stop running the job). */
    async renew(path: string): Promise<boolean> {
        const job = await this.store.update(path, (current) =>
            current.lease?.device === this.deviceId && current.status === 'running'
                ? { patch: { lease: this.fresh() } }
                : null,
        );
        return job !== null && job.lease?.device === this.deviceId && job.status === 'running';
    }

    /**
     * Turns a `running` job whose runner is gone into `interrupted`: its lease expired, or (at startup) it is our own
     * lease from before a restart; one that has used up `maxAttempts` becomes `failed`. Resolves to the job after the
     * change, or `null` when nothing was changed.
     */
    async recover(path: string, atStartup: boolean, maxAttempts: number): Promise<JobNote | null> {
        let changed = false;
        const job = await this.store.update(path, (current) => {
            if (current.status !== 'running') return null;
            const ours = current.lease?.device === this.deviceId;
            if (this.isLive(current.lease) && !(atStartup && ours)) return null;
            changed = true;
            const who = current.lease === null ? 'its runner' : `the runner "${current.lease.device}"`;
            if (current.attempts >= maxAttempts) {
                const error = `Gave up after ${current.attempts} interrupted attempts.`;
                return {
                    patch: { status: 'failed', lease: null, error },
                    log: [`Interrupted: ${who} stopped. ${error}`],
                };
            }
            return {
                patch: { status: 'interrupted', lease: null },
                log: [`Interrupted: ${who} stopped before the job finished (lease expired). It will run again.`],
            };
        });
        return changed ? job : null;
    }

    private fresh(): JobLease {
        return { device: this.deviceId, until: new Date(this.clock.now() + this.leaseMs).toISOString() };
    }
}
