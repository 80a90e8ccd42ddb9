/**
 * Whether a queue runner is alive on this machine: a runner (the plugin, `vault-agent run --watch`) writes a small
 * heartbeat file while it runs and removes it when it stops; the MCP server reads it to tell a client whether a job it
 * queued will run. The file is the device's own (the plugin's folder, the CLI's per-vault state folder), never a note:
 * it would sync, and another device's runner is seen through its leases instead.
 */
import type { Clock } from '../kernel/ports';

/** What a heartbeat file holds. */
export interface RunnerBeat {
    /** The runner's device id. */
    device: string;
    /** `plugin` or `cli`. */
    kind: 'plugin' | 'cli';
    /** The runner's process id, where it can be checked. */
    pid?: number;
    /** ISO time of the last beat. */
    at: string;
    /** ISO time after which the beat counts as stale. */
    until: string;
}

/** How a heartbeat is kept. */
export interface RunnerHeartbeatOptions {
    /** Writes the file. */
    write(text: string): Promise<void>;
    /** Removes the file. */
    clear(): Promise<void>;
    /** Time. */
    clock: Clock;
    /** Who beats. */
    device: string;
    /** `plugin` or `cli`. */
    kind: RunnerBeat['kind'];
    /** The process id, when it can be checked. */
    pid?: number;
    /** Beat interval, ms (the beat holds three intervals). */
    everyMs?: number;
}

/** Keeps a heartbeat file while a runner runs. */
export class RunnerHeartbeat {
    private timer: ReturnType<typeof setInterval> | null = null;

    constructor(private readonly options: RunnerHeartbeatOptions) {}

    /** Beats now and every interval. */
    start(): void {
        if (this.timer !== null) return;
        const every = this.options.everyMs ?? 15_000;
        void this.beat(every);
        this.timer = setInterval(() => void this.beat(every), every);
    }

    /** Stops beating and removes the file. */
    async stop(): Promise<void> {
        if (this.timer !== null) clearInterval(this.timer);
        this.timer = null;
        await this.options.clear().catch(() => undefined);
    }

    private async beat(every: number): Promise<void> {
        const now = this.options.clock.now();
        const beat: RunnerBeat = {
            device: this.options.device,
            kind: this.options.kind,
            ...(this.options.pid !== undefined ? { pid: this.options.pid } : {}),
            at: new Date(now).toISOString(),
            until: new Date(now + every * 3).toISOString(),
        };
        await this.options.write(JSON.stringify(beat)).catch(() => undefined);
    }
}

/** The beat in `text` when it is current (and its process, when named and checkable, still runs); else `null`. */
export function liveBeat(text: string | null, now: number, isRunning?: (pid: number) => boolean): RunnerBeat | null {
    if (text === null) return null;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        return null;
    }
    if (typeof value !== 'object' || value === null) return null;
    const beat = value as Partial<RunnerBeat>;
    if (typeof beat.device !== 'string' || typeof beat.until !== 'string') return null;
    if (!(Date.parse(beat.until) > now)) return null;
    if (typeof beat.pid === 'number' && isRunning !== undefined && !isRunning(beat.pid)) return null;
    return beat as RunnerBeat;
}
