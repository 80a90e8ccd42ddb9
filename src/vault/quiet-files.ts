/**
 * A note's text counts only once its writer is done with it. An editor or a sync tool that rewrites a note in place
 * (truncates it, then writes it in pieces) leaves moments when the file holds only its beginning: a `#private` near
 * the end is not there yet, and judged on that text a private note would be shown. Files written aside and renamed
 * into place (as Vault Agent writes) never show such a moment, but nothing on disk tells the two kinds of writer
 * apart.
 *
 * So a text read from a file changed within the last `QUIET_MS` is trusted only once the file has stayed exactly as
 * it was (the same file, size and times) until then; until that moment it is read again or waited for. A writer that
 * pauses longer than that in the middle of a note is not caught; editors and sync tools write a note in one go.
 *
 * Both the modification and the change time count: a tool that copies in place and then sets the old modification
 * time (`rsync --inplace -t`) still moves the change time, which no program can set. Some file systems keep whole
 * seconds only (FAT: two): there, a time says little about the last write within that span, so the span is added.
 * A time ahead of this machine's clock is not trusted at all: such a file counts from when it was first seen as it is.
 */

import { sameFile, type FileFacts } from './text-cache';

/** How long a file must stay the same after its last change before its text counts. */
export const QUIET_MS = 100;

/** The coarsest file-system clock there is (FAT's two seconds). */
export const COARSE_CLOCK_MS = 2_000;

/** The longest a read waits for a file to be quiet before it gives up (the file is being written all along). */
export const MAX_QUIET_WAIT_MS = 3_000;

/** At most this many files whose times run ahead are remembered (see `sightedAt`); the oldest sighting goes first. */
const MAX_SIGHTINGS = 100_000;

/** Files whose times lie ahead of this machine's clock: when this thread first saw each as it is now. */
const sightings = new Map<string, { facts: FileFacts; at: number }>();

/**
 * The moment (ms since the epoch) from which the file at `file` (its path on disk), as `facts` describe it, counts as
 * quiet if it stays as it is.
 *
 * A time ahead of this machine's clock says nothing about when the file last changed: a network share or a device
 * whose clock runs ahead wrote it, or a program set it (`touch -d`, an archive's dates). Such a file counts from the
 * moment this thread first saw it as it is now, so it is read once it has stayed so for `QUIET_MS`, and not waited for
 * again while it stays so. Without this, its time would stay in the future, and no read of it could ever succeed.
 */
export function quietAt(file: string, facts: FileFacts, now: number = Date.now()): number {
    const latest = Math.max(facts.mtimeMs, facts.ctimeMs);
    const coarse = facts.mtimeMs % 1000 === 0 && facts.ctimeMs % 1000 === 0 ? COARSE_CLOCK_MS : 0;
    if (latest <= now) {
        if (sightings.size > 0) sightings.delete(file);
        return latest + coarse + QUIET_MS;
    }
    return sightedAt(file, facts, now) + coarse + QUIET_MS;
}

/** When this thread first saw `file` as `facts` describe it (`now` if it never has, or saw it otherwise). */
function sightedAt(file: string, facts: FileFacts, now: number): number {
    const seen = sightings.get(file);
    if (seen !== undefined && sameFile(seen.facts, facts)) return seen.at;
    sightings.delete(file);
    if (sightings.size >= MAX_SIGHTINGS) {
        const oldest = sightings.keys().next();
        if (oldest.done !== true) sightings.delete(oldest.value);
    }
    const { dev, ino, size, mtimeMs, ctimeMs } = facts;
    sightings.set(file, { facts: { dev, ino, size, mtimeMs, ctimeMs }, at: now });
    return now;
}
