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
 */

/** The times of a file this rule reads (a subset of Node's `Stats`). */
export interface ChangeTimes {
    mtimeMs: number;
    ctimeMs: number;
}

/** How long a file must stay the same after its last change before its text counts. */
export const QUIET_MS = 100;

/** The coarsest file-system clock there is (FAT's two seconds). */
export const COARSE_CLOCK_MS = 2_000;

/** The longest a read waits for a file to be quiet before it gives up (the file is being written all along). */
export const MAX_QUIET_WAIT_MS = 3_000;

/** The moment (ms since the epoch) from which a file with these times counts as quiet, if it stays as it is. */
export function quietAt(times: ChangeTimes): number {
    const latest = Math.max(times.mtimeMs, times.ctimeMs);
    const coarse = times.mtimeMs % 1000 === 0 && times.ctimeMs % 1000 === 0;
    return latest + (coarse ? COARSE_CLOCK_MS : 0) + QUIET_MS;
}
