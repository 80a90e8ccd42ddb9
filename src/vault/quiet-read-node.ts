/**
 * Reading a note whole on a real folder, by the rule of `quiet-files.ts` (decision 0036): for `FsVault.read`, a loop
 * that reads again or waits until the file is quiet; for the index, a read that says when its text may not be whole
 * yet, and the notes so read, kept until the watcher reads them again. Node only.
 */
import { closeSync, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { lstat } from './fs-calls-node';
import { MAX_QUIET_WAIT_MS, QUIET_MS, quietAt } from './quiet-files';
import { sameFile } from './text-cache';
import { MAX_NOTE_BYTES } from './stored-note';
import { VaultError } from '../kernel/vault-port';

/**
 * One read of a note: its text, the stats it was read at (`null`: kept from before), the file opened, and whether the
 * file changed while it was read.
 */
export interface OneRead {
    text: string;
    stats: Stats | null;
    file: string;
    changed: boolean;
}

/**
 * The note read whole: a text read from a file changed within the last moments counts only once the file has stayed
 * the same until it is quiet, else it is read again; one written in place all along fails. `own` says whether stats
 * describe what this process wrote itself (whole when it landed: it never waits). Only a read this returns may go into
 * the index: the gate judges the note's name by it.
 */
export async function readWhole(
    vaultPath: string,
    readOnce: () => Promise<OneRead>,
    own: (stats: Stats) => boolean,
): Promise<OneRead> {
    const deadline = Date.now() + MAX_QUIET_WAIT_MS;
    for (;;) {
        const read = await readOnce();
        // A text kept from before was read long after its file last changed.
        if (read.stats === null) return read;
        if (!read.changed && own(read.stats)) return read;
        // Changed while it was read: what was read may be half of it.
        const quiet = read.changed ? Date.now() + QUIET_MS : quietAt(read.file, read.stats);
        const wait = quiet - Date.now();
        if (wait <= 0) return read;
        if (quiet > deadline) {
            throw new VaultError(
                'io',
                `"${vaultPath}" is being written right now; read it again in a moment.`,
                vaultPath,
            );
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (read.changed) continue;
        const now = await lstat(read.file).catch(() => null);
        if (now !== null && sameFile(now, read.stats)) return read;
    }
}

/**
 * The text of a file found by a walk (`null` when it vanished meanwhile), and when it may not be whole yet:
 * `settledAt` is when the file will have been quiet long enough, if it stays as it is; `0` when it already has (the
 * text is whole).
 */
export function readTextAsOf(abs: string): { text: string; settledAt: number } | null {
    let fd: number | null = null;
    try {
        fd = openSync(abs, 'r');
        const before = fstatSync(fd);
        // Grown past what is read at all since it was listed: as unreadable (the gate excludes it).
        if (before.size > MAX_NOTE_BYTES) return null;
        const text = readFileSync(fd, 'utf8');
        const after = fstatSync(fd);
        // Changed while it was read: whole, at the earliest, once it has been quiet from now on.
        const settledAt = sameFile(before, after)
            ? quietAt(abs, before)
            : Math.max(quietAt(abs, after), Date.now() + QUIET_MS);
        return { text, settledAt: settledAt > Date.now() ? settledAt : 0 };
    } catch {
        return null;
    } finally {
        if (fd !== null) closeSync(fd);
    }
}

/** What `IndexReads.read` gives for a note held back and still not whole: the index keeps it without metadata. */
export const HELD = Symbol('held back');

/**
 * The index's reads of notes. A text read while its file was not quiet is noted (by on-disk path, with the time it can
 * be whole), so that the watcher reads it again once it is (`take`). A note still changing when the watcher stopped
 * waiting for it is held back (`hold`): the index keeps it without metadata, so the gate excludes it, until a read
 * finds it whole (`release`).
 */
export class IndexReads {
    private readonly unsettled = new Map<string, number>();
    /** Vault paths of the notes held back. */
    private readonly held = new Set<string>();

    /**
     * The text of the note at `abs` (`disk` on disk) for the index, or `null` when it vanished. A text that may be half
     * written is noted, and given all the same, unless the note is held back: then `HELD`.
     */
    read(disk: string, abs: string): string | typeof HELD | null {
        const read = readTextAsOf(abs);
        if (read === null) return null;
        if (read.settledAt === 0) return read.text;
        this.note(disk, read.settledAt);
        return this.held.has(disk.normalize('NFC')) ? HELD : read.text;
    }

    /** Holds back the note at `disk`, noted again as whole from `settledAt` at the earliest; returns its vault path. */
    hold(disk: string, settledAt: number): string {
        this.note(disk, settledAt);
        const path = disk.normalize('NFC');
        this.held.add(path);
        return path;
    }

    /** Whether the note at `path` is held back (the index must read it again). */
    isHeld(path: string): boolean {
        return this.held.size > 0 && this.held.has(path);
    }

    /** The note at `path` was indexed from a whole text, or is gone. */
    release(path: string): void {
        if (this.held.size > 0) this.held.delete(path);
    }

    /** Every note noted so far, taken: on-disk path → when it can be whole. */
    take(): Map<string, number> {
        const taken = new Map(this.unsettled);
        this.unsettled.clear();
        return taken;
    }

    private note(disk: string, settledAt: number): void {
        this.unsettled.set(disk, Math.max(settledAt, this.unsettled.get(disk) ?? 0));
    }
}

/** The longest a call waits for notes indexed while they were being written to be quiet (see `settleUnsettled`). */
const SETTLE_WAIT_MS = 1_500;
/** How long a note still being written after that wait is not waited for again. */
const RESTLESS_MS = 30_000;

/** What `settleUnsettled` needs of the vault (`FsVault`). */
export interface Settling {
    takeUnsettled(): Map<string, number>;
    syncPaths(diskPaths: Iterable<string>): Promise<unknown>;
    holdBack(disk: string, settledAt: number): void;
}

/**
 * Reads again, once they are quiet, the notes whose text went into the index while another program may have been
 * writing them (`quiet-files.ts`), so a call is answered from whole notes: a private note rewritten in place is
 * never listed from its first half. A call waits at most `SETTLE_WAIT_MS` for them; a note that is still changing
 * then (a file something keeps rewriting) is not waited for again for `RESTLESS_MS`, so it cannot slow every call.
 * It is held back meanwhile (excluded: its `#private` may not be written yet); a call that finds it may be whole by
 * now reads it again without waiting. `restlessNotes` (on-disk path → until when) is kept from call to call by the
 * watcher; a command that settles once starts without one.
 */
export async function settleUnsettled(vault: Settling, restlessNotes: Map<string, number> = new Map()): Promise<void> {
    const deadline = Date.now() + SETTLE_WAIT_MS;
    const later = new Map<string, number>();
    try {
        for (;;) {
            const now = Date.now();
            const waitFor: string[] = [];
            let until = 0;
            for (const [disk, at] of vault.takeUnsettled()) {
                const restlessUntil = restlessNotes.get(disk) ?? 0;
                if (restlessUntil !== 0 && restlessUntil <= now) restlessNotes.delete(disk);
                const restless = restlessUntil > now;
                // Read again without waiting once it may be whole; else left for a later call.
                if ((restless && at > now) || (!restless && at > deadline)) {
                    if (!restless) restlessNotes.set(disk, now + RESTLESS_MS);
                    later.set(disk, at);
                    continue;
                }
                waitFor.push(disk);
                until = Math.max(until, at);
            }
            if (waitFor.length === 0) return;
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
            await vault.syncPaths(waitFor);
        }
    } finally {
        for (const [disk, at] of later) vault.holdBack(disk, at);
    }
}
