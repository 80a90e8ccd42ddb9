/**
 * Leases: before a runner runs a job it writes its device id and an expiry into the job note, waits a moment, reads
 * the note again and runs only if the lease it reads is its own. Two runners racing over one vault (two synced
 * devices, the plugin and the CLI) therefore never both run a job. While a job runs the lease is renewed; a `running`
 * job whose lease expired lost its runner (killed, closed, asleep) and becomes `interrupted` (docs/RELIABILITY.md row 29). A
 * lease also records the runner's machine and process id where the runner knows them: a runner on the same machine
 * that finds the holder's process gone (killed) takes the job over at once instead of waiting for the expiry.
 */
import type { Clock } from '../kernel/ports';
import { StaleWriteError } from '../kernel/vault-port';
import type { JobLease, JobNote } from './job-note';
import { newJobId } from './job-note';
import type { JobStore } from './job-store';

/** How long a lease lasts without renewal, by default. */
export const DEFAULT_LEASE_MS = 120_000;
/** How long to wait between writing a lease and reading it back, by default. */
export const DEFAULT_SETTLE_MS = 0;

/**
 * This runner's process as a lease records it, and how to ask whether another process on the same machine still runs.
 * Given by runners that can tell (the CLI); a runner without it (Obsidian on mobile) waits for leases to expire.
 */
export interface LocalProcess {
    /** This machine: host name and install id, the same for every runner process here and different elsewhere. */
    host: string;
    /** This process's id. */
    pid: number;
    /** False only when it is certain that no process `pid` runs on this machine now. */
    isRunning(pid: number): boolean;
}

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
    /** This runner's process, recorded in its leases; lets it take over from a dead runner on the same machine. */
    local?: LocalProcess;
    /**
     * Why the job note with this text must not run at all (its own tags are excluded by the privacy settings), in words
     * for the person; `null` when it may. Asked as the lease is taken: such a job fails instead, and nothing is sent.
     */
    refuse?: (text: string, job: JobNote) => string | null;
}

/** How one `take` goes beyond its job's state. */
export interface TakeOptions {
    /** Whether the note copies another job's (it then becomes a job of its own). */
    isCopy?: (job: JobNote) => boolean;
    /** Hears why the note could not be leased when it cannot be written (read-only, reached through a link). */
    onUnwritable?: (message: string) => void;
    /**
     * Whether the job's brief goes to the model once taken (default): only then may `refuse` stop it. A take that
     * only writes a result back sends nothing.
     */
    sends?: boolean;
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
    private readonly local: LocalProcess | undefined;
    private readonly refuse: ((text: string, job: JobNote) => string | null) | undefined;

    constructor(options: LeaseKeeperOptions) {
        this.store = options.store;
        this.clock = options.clock;
        this.deviceId = options.deviceId;
        this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
        this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
        this.local = options.local;
        this.refuse = options.refuse;
    }

    /**
     * The process id of `lease`'s holder when it is certainly gone: a runner on this machine (same host id) whose
     * process no longer exists. `null` when it runs, when it is this process, or when that cannot be told (another
     * machine, a lease without a process id): then only the lease's expiry says the runner is gone.
     */
    deadHolder(lease: JobLease | null): number | null {
        const local = this.local;
        if (local === undefined || lease === null || lease.host === undefined || lease.pid === undefined) return null;
        if (lease.host !== local.host || lease.pid === local.pid || lease.device === this.deviceId) return null;
        return local.isRunning(lease.pid) ? null : lease.pid;
    }

    /** True when `lease` is held by someone and has not run out. */
    isLive(lease: JobLease | null): boolean {
        if (lease === null || lease.device === '') return false;
        const until = Date.parse(lease.until);
        return Number.isFinite(until) && until > this.clock.now();
    }

    /**
     * Takes the lease of a runnable job and marks it `running` (one more attempt). Resolves to the job as confirmed
     * on disk, or `null` when it is not runnable any more, another runner holds it, the note must not run (see
     * `refuse`, when the take `sends`: it is marked `failed` with the reason instead, in the same write), or the note
     * cannot be written (`onUnwritable` hears why).
     */
    async take(
        path: string,
        runnable: (job: JobNote) => boolean,
        message: (job: JobNote) => string,
        options: TakeOptions = {},
    ): Promise<JobNote | null> {
        const { isCopy = () => false, onUnwritable, sends = true } = options;
        const taken = await this.store.update(
            path,
            (job, text) => {
                if (!runnable(job) || (this.isLive(job.lease) && job.lease?.device !== this.deviceId)) return null;
                const refusal = sends ? (this.refuse?.(text, job) ?? null) : null;
                if (refusal !== null) {
                    return { patch: { status: 'failed', lease: null, error: refusal }, log: [`Failed: ${refusal}`] };
                }
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
                // Only the person sets `queued` (a new job, Retry, or an edited note): a fresh start, so a result an
                // earlier run left is never taken for this run's. The queue itself leaves stopped runs `interrupted`.
                const attempts = job.status === 'queued' ? 1 : job.attempts + 1;
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
            },
            // A note that is gone is no job any more, and one changed under the write was another runner's: any other
            // failure means this note cannot be leased as it is.
            (error) => {
                if (error.code !== 'not-found' && !(error instanceof StaleWriteError)) onUnwritable?.(error.message);
            },
        );
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
    async recover(
        path: string,
        atStartup: boolean,
        maxAttempts: number,
    ): Promise<{ job: JobNote; deadPid: number | null } | null> {
        let changed = false;
        let deadPid: number | null = null;
        const job = await this.store.update(path, (current) => {
            if (current.status !== 'running') return null;
            const ours = current.lease?.device === this.deviceId;
            // A live lease whose holder's process is gone from this machine is taken over at once, not after expiry.
            const dead = this.isLive(current.lease) && !ours ? this.deadHolder(current.lease) : null;
            if (this.isLive(current.lease) && !(atStartup && ours) && dead === null) return null;
            changed = true;
            deadPid = dead;
            const who = current.lease === null ? 'its runner' : `the runner "${current.lease.device}"`;
            if (dead !== null) {
                const taken = `Taken over by ${this.deviceId}: ${who} (process ${dead} on this device) is no longer running.`;
                if (current.attempts >= maxAttempts) {
                    const error = `Gave up after ${current.attempts} interrupted attempts.`;
                    return { patch: { status: 'failed', lease: null, error }, log: [`${taken} ${error}`] };
                }
                return { patch: { status: 'interrupted', lease: null }, log: [`${taken} It runs again now.`] };
            }
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
        return changed && job !== null ? { job, deadPid } : null;
    }

    private fresh(): JobLease {
        const until = new Date(this.clock.now() + this.leaseMs).toISOString();
        const local = this.local;
        return local === undefined
            ? { device: this.deviceId, until }
            : { device: this.deviceId, until, host: local.host, pid: local.pid };
    }
}
