/**
 * Why the queue is not starting jobs, and when that ends by itself: the person pressed Pause (until Resume); a spend
 * cap (until Resume: the person raises the limit); offline (tries again with a doubling wait); settings locked (until
 * they can be read again); no model client (until Resume). Each pause tells the person once, not on every retry.
 */
import type { Clock, Notifier } from '../kernel/ports';
import type { PauseInfo } from './queue-snapshot';

const MAX_OFFLINE_WAIT_MS = 300_000;

/** The message shown when the settings are locked and no reason was given. */
export const LOCKED_SETTINGS_MESSAGE =
    'Vault Agent’s settings could not be read or are not valid, so the job queue sends nothing until they are fixed.';

/** The queue's pause state. */
export class QueuePause {
    /** Why the queue is paused, or `null`. */
    info: PauseInfo | null = null;
    private lockedBySettings = false;
    private offlineWaitMs: number;

    constructor(private readonly options: { notifier: Notifier; clock: Clock; offlineBaseMs: number }) {
        this.offlineWaitMs = options.offlineBaseMs;
    }

    /** The person pressed Pause. */
    byPerson(): void {
        this.set({ reason: 'person', message: 'Paused.' });
    }

    /** Any pause ends (the person pressed Resume). */
    clear(): void {
        this.info = null;
        this.lockedBySettings = false;
    }

    /** A spend cap was hit: stays until Resume. False when it was already paused for it. */
    spendCap(message: string): boolean {
        if (this.info?.reason === 'spend-cap') return false;
        this.set({ reason: 'spend-cap', message });
        this.options.notifier.notify(`Vault Agent paused the job queue: ${message}`, 'error');
        return true;
    }

    /** The endpoint could not be reached: try again later, each time waiting twice as long. */
    offline(message: string): void {
        if (this.info === null) {
            this.options.notifier.notify(
                'Vault Agent is offline; the job queue will resume when the connection is back.',
                'info',
            );
        }
        if (this.info === null || this.info.reason === 'offline') {
            this.info = { reason: 'offline', message, resumesAt: this.options.clock.now() + this.offlineWaitMs };
        }
        this.offlineWaitMs = Math.min(MAX_OFFLINE_WAIT_MS, this.offlineWaitMs * 2);
    }

    /** A job got through: the next offline spell starts with the short wait again. */
    reachable(): void {
        this.offlineWaitMs = this.options.offlineBaseMs;
    }

    /** No model client (no key on this device): stays until Resume. */
    noClient(message: string): void {
        this.set({ reason: 'setup', message });
        this.options.notifier.notify(`Vault Agent paused the job queue: ${message}`, 'error');
    }

    /**
     * Follows the settings: locked ⇒ paused for `setup` (told once); readable again ⇒ that pause ends by itself.
     * Returns true when the pause state changed.
     */
    followSettings(locked: string | null): boolean {
        if (locked !== null) {
            if (this.lockedBySettings) return false;
            const message = locked === '' ? LOCKED_SETTINGS_MESSAGE : locked;
            this.set({ reason: 'setup', message });
            this.lockedBySettings = true;
            this.options.notifier.notify(`Vault Agent paused the job queue: ${message}`, 'error');
            return true;
        }
        if (!this.lockedBySettings) return false;
        this.clear();
        return true;
    }

    /** Ends an offline pause whose wait is over; true when it ended. */
    expireOffline(): boolean {
        if (this.info?.reason !== 'offline' || (this.info.resumesAt ?? 0) > this.options.clock.now()) return false;
        this.info = null;
        return true;
    }

    private set(info: PauseInfo): void {
        this.info = info;
        this.lockedBySettings = false;
    }
}
