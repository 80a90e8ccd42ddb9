/**
 * Reading a note whole on a real folder, by the rule of `quiet-files.ts` (decision 0036): for `FsVault.read`, a loop
 * that reads again or waits until the file is quiet; for the index, a read that says when its text may not be whole
 * yet, and the notes so read, kept until the watcher reads them again. Node only.
 */
import { closeSync, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { lstat } from './fs-calls-node';
import { MAX_QUIET_WAIT_MS, QUIET_MS, quietAt } from './quiet-files';
import { sameFile } from './text-cache';
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

/** The notes indexed from a text that may not have been whole: by on-disk path, with the time they can be whole. */
export class UnsettledNotes {
    private readonly notes = new Map<string, number>();

    /** `disk` was indexed from a text read while its file was not quiet; whole from `settledAt` on. */
    note(disk: string, settledAt: number): void {
        this.notes.set(disk, Math.max(settledAt, this.notes.get(disk) ?? 0));
    }

    /** Every note noted so far, taken. */
    take(): Map<string, number> {
        const taken = new Map(this.notes);
        this.notes.clear();
        return taken;
    }
}
