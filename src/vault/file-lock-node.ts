/**
 * A lock file beside a state file that several processes of one person read, change and write back whole: the spend
 * ledger every CLI run on this machine shares, and the undo records of one vault (decision 0038). Without it, two
 * processes that read the file at the same moment each write back their own version, and one's entries are lost.
 *
 * `<file>.lock` is created exclusively (`wx`) and holds this machine's tag, the holder's process id and a random token.
 * Another process waits (1 ms, doubling up to 50 ms) while the lock is held. A lock is taken over when its holder is
 * gone: a process of this machine that no longer runs, or any holder whose lock has not been touched for `staleMs`
 * (the holder touches it every few seconds while it works, so only a stopped or vanished one gets that old). The
 * calls are plain, not through the thread pool: each takes a fraction of a millisecond, and a job records its result
 * through here (decision 0030). Node only.
 */
import { randomBytes } from 'node:crypto';
import {
    closeSync,
    linkSync,
    mkdirSync,
    openSync,
    readFileSync,
    renameSync,
    rmdirSync,
    statSync,
    unlinkSync,
    utimesSync,
    writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { isProcessRunning, machineTag } from './temp-files-node';

/** A lock untouched this long is taken over, whoever holds it. */
export const LOCK_STALE_MS = 30_000;
/** How often a holder touches its lock while its task runs, at most. */
const TOUCH_MS = 5_000;
/** The longest pause between two tries. */
const MAX_PAUSE_MS = 50;

export interface FileLockOptions {
    /** A lock untouched this long is taken over (default `LOCK_STALE_MS`). */
    staleMs?: number;
    /** How long to wait for the lock before failing (default twice `staleMs`). */
    waitMs?: number;
}

/** The lock could not be had in time: another process holds it and keeps it alive. */
export class FileLockBusy extends Error {
    constructor(
        readonly file: string,
        readonly holder: string,
    ) {
        super(`${file} is in use by another vault-agent process (${holder}); try again once it is done.`);
        this.name = 'FileLockBusy';
    }
}

/** Runs `task` while this process holds the lock of `file`; the lock goes when the task settles. */
export async function withFileLock<T>(file: string, task: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
    const lock = `${file}.lock`;
    const mine = await acquire(lock, options);
    const every = Math.min(TOUCH_MS, Math.max(1, Math.floor((options.staleMs ?? LOCK_STALE_MS) / 3)));
    const touch = setInterval(() => {
        try {
            const now = new Date();
            utimesSync(lock, now, now);
        } catch {
            // Gone or taken over: the task goes on; `release` leaves another holder's lock alone.
        }
    }, every);
    touch.unref();
    try {
        return await task();
    } finally {
        clearInterval(touch);
        release(lock, mine);
    }
}

async function acquire(lock: string, options: FileLockOptions): Promise<string> {
    const staleMs = options.staleMs ?? LOCK_STALE_MS;
    const deadline = Date.now() + (options.waitMs ?? 2 * staleMs);
    const mine = `${machineTag()} ${process.pid} ${randomBytes(8).toString('hex')}\n`;
    mkdirSync(dirname(lock), { recursive: true });
    let pause = 1;
    for (;;) {
        if (create(lock, mine)) return mine;
        const held = judge(lock, staleMs);
        if (held === null) continue;
        if (Date.now() >= deadline) throw new FileLockBusy(lock.slice(0, -'.lock'.length), held);
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
}

/** Creates the lock with `content`; false when it exists. */
function create(lock: string, content: string): boolean {
    let fd: number;
    try {
        fd = openSync(lock, 'wx');
    } catch (e) {
        if ((e as { code?: unknown }).code === 'EEXIST') return false;
        throw e;
    }
    try {
        writeSync(fd, content);
    } finally {
        closeSync(fd);
    }
    return true;
}

/**
 * Whether the existing lock still holds: its holder's description when it does, `null` when it is gone or was taken
 * over (try again at once).
 */
function judge(lock: string, staleMs: number): string | null {
    let text: string;
    let touched: number;
    try {
        touched = statSync(lock).mtimeMs;
    } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return null;
        throw e;
    }
    try {
        text = readFileSync(lock, 'utf8');
    } catch {
        // Gone meanwhile, or not a file at all (a folder made by hand): judged by its age alone.
        text = '';
    }
    const [tag, pidText] = text.split(' ');
    const pid = Number(pidText);
    // A lock still being written (no content yet) is judged by its age only.
    const gone = tag === machineTag() && pid !== process.pid && !isProcessRunning(pid);
    if (!gone && Date.now() - touched <= staleMs) return describeHolder(tag, pid);
    takeOver(lock, text);
    return null;
}

/**
 * Moves a stale lock aside. Two processes may judge the same lock stale; the second may then move the lock the first
 * has just made. What was moved is read again, and a lock that is not the one judged goes back.
 */
function takeOver(lock: string, judged: string): void {
    const aside = `${lock}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
    try {
        renameSync(lock, aside);
    } catch (e) {
        if ((e as { code?: unknown }).code === 'ENOENT') return;
        throw e;
    }
    try {
        if (readFileSync(aside, 'utf8') !== judged) linkSync(aside, lock);
    } catch {
        // Someone made a new lock meanwhile: theirs stands.
    } finally {
        try {
            unlinkSync(aside);
        } catch {
            // Already gone, or an empty folder made by hand; anything else stays where it was moved.
            try {
                rmdirSync(aside);
            } catch {
                // Not empty: left as it is.
            }
        }
    }
}

/** Removes the lock if it is still this holder's. */
function release(lock: string, mine: string): void {
    try {
        if (readFileSync(lock, 'utf8') === mine) unlinkSync(lock);
    } catch {
        // Gone already, or taken over: nothing of ours to remove.
    }
}

function describeHolder(tag: string | undefined, pid: number): string {
    if (tag === machineTag() && Number.isSafeInteger(pid)) return `process ${pid}`;
    return Number.isSafeInteger(pid) && tag !== undefined && tag !== ''
        ? `process ${pid} on another machine`
        : 'a process';
}
