/**
 * Line hunks that keep every byte: lines are split after `\n` and keep their terminator (`\r\n`, `\n` or none on
 * the last line), so CRLF, a BOM, NFD text and a missing final newline survive applying, partial applying and
 * re-basing exactly. The diff itself comes from the `diff` package; only the grouping into hunks is ours.
 */
import { diffArrays } from 'diff';

/** One hunk of a proposal: a changed region with a few lines of context, as a person approves it. */
export interface Hunk {
    /** Position among the proposal's hunks, from 0; approvals name hunks by it. */
    index: number;
    /** 1-based first line on the old side (unified-diff convention: the line before, when `oldLines` is 0). */
    oldStart: number;
    /** Lines on the old side, context included. */
    oldLines: number;
    /** 1-based first line on the new side (the line before, when `newLines` is 0). */
    newStart: number;
    /** Lines on the new side, context included. */
    newLines: number;
    /** Display lines: `' '` context, `'-'` removed, `'+'` added, each without its line ending. */
    lines: string[];
    /** The exact old side of the hunk, context and line endings included. */
    oldText: string;
    /** The exact new side of the hunk, context and line endings included. */
    newText: string;
}

/** Why hunks could not be applied to a text. */
export class HunkMismatchError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'HunkMismatchError';
    }
}

/** Lines of context around each change. */
export const HUNK_CONTEXT = 3;
/** Above this many milliseconds the diff gives up and the whole changed middle becomes one hunk. */
const DIFF_TIMEOUT_MS = 2000;

type Run = { type: 'equal' | 'remove' | 'add'; lines: string[]; oldPos: number; newPos: number };

/** Splits text into lines that keep their `\n` (and a preceding `\r`); `''` has no lines. */
export function splitLines(text: string): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start < text.length) {
        const end = text.indexOf('\n', start);
        if (end < 0) {
            lines.push(text.slice(start));
            break;
        }
        lines.push(text.slice(start, end + 1));
        start = end + 1;
    }
    return lines;
}

/** The hunks that turn `oldText` into `newText`. */
export function computeHunks(oldText: string, newText: string, context = HUNK_CONTEXT): Hunk[] {
    const runs = diffRuns(splitLines(oldText), splitLines(newText));
    const hunks: Hunk[] = [];
    let i = 0;
    while (i < runs.length) {
        if ((runs[i] as Run).type === 'equal') {
            i++;
            continue;
        }
        let end = i;
        while (end + 2 < runs.length) {
            const gap = runs[end + 1] as Run;
            if (gap.type === 'equal' && gap.lines.length > 2 * context) break;
            end += gap.type === 'equal' ? 2 : 1;
        }
        if (end + 1 < runs.length && (runs[end + 1] as Run).type !== 'equal') end++;
        hunks.push(makeHunk(runs, i, end, context, hunks.length));
        i = end + 1;
    }
    return hunks;
}

/**
 * The display lines of a hunk, made from its two sides alone (`' '` same, `'-'` removed, `'+'` added). A hunk read
 * from a file (a stored proposal) is shown with these, never with display lines the file itself carries: what the
 * person is shown is then what applying writes, whoever wrote the file.
 */
export function hunkDisplayLines(oldText: string, newText: string): string[] {
    const display: string[] = [];
    for (const run of diffRuns(splitLines(oldText), splitLines(newText))) {
        const mark = run.type === 'equal' ? ' ' : run.type === 'remove' ? '-' : '+';
        for (const line of run.lines) display.push(`${mark}${stripEnding(line)}`);
    }
    return display;
}

/**
 * Applies the hunks named in `accepted` to `base`, which must be the text they were computed from; every other
 * region stays exactly as in `base`. Throws `HunkMismatchError` when a hunk's old side is not where it should be.
 */
export function applySelectedHunks(base: string, hunks: readonly Hunk[], accepted: readonly number[]): string {
    const wanted = new Set(accepted);
    for (const index of wanted) {
        if (!hunks.some((hunk) => hunk.index === index)) throw new HunkMismatchError(`There is no hunk ${index}.`);
    }
    const lines = splitLines(base);
    const placed = hunks
        .filter((hunk) => wanted.has(hunk.index))
        .map((hunk) => ({ hunk, at: oldOffset(hunk) }))
        .sort((a, b) => a.at - b.at);
    return stitch(lines, placed);
}

/**
 * Re-applies every hunk to `current`, a later version of the base: each hunk's exact old side (with its context)
 * must occur exactly once, and the hunks must not overlap. `null` when they do not fit: the change conflicts with
 * what happened since, and only a fresh read can tell what the model would want now.
 */
export function rebaseHunks(current: string, hunks: readonly Hunk[]): string | null {
    const lines = splitLines(current);
    const placed: { hunk: Hunk; at: number }[] = [];
    for (const hunk of hunks) {
        const at = uniqueMatch(lines, splitLines(hunk.oldText));
        if (at === null) return null;
        placed.push({ hunk, at });
    }
    placed.sort((a, b) => a.at - b.at);
    for (let k = 1; k < placed.length; k++) {
        const previous = placed[k - 1] as { hunk: Hunk; at: number };
        if (previous.at + previous.hunk.oldLines > (placed[k] as { at: number }).at) return null;
    }
    return stitch(lines, placed);
}

/**
 * Where `hunk`'s exact old side (context included) stands in `lines` (a text split by `splitLines`): its 0-based
 * line, or `null` when it does not occur exactly once there. For re-basing a stored change hunk by hunk.
 */
export function locateHunkIn(lines: readonly string[], hunk: Hunk): number | null {
    return uniqueMatch(lines, splitLines(hunk.oldText));
}

function stitch(lines: string[], placed: { hunk: Hunk; at: number }[]): string {
    const parts: string[] = [];
    let cursor = 0;
    for (const { hunk, at } of placed) {
        const oldSide = lines.slice(at, at + hunk.oldLines).join('');
        if (at < cursor || oldSide !== hunk.oldText) {
            throw new HunkMismatchError(`Hunk ${hunk.index} does not match the text it is applied to.`);
        }
        parts.push(lines.slice(cursor, at).join(''), hunk.newText);
        cursor = at + hunk.oldLines;
    }
    parts.push(lines.slice(cursor).join(''));
    return parts.join('');
}

/** Zero-based line where the hunk's old side begins. */
function oldOffset(hunk: Hunk): number {
    return hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
}

function uniqueMatch(lines: readonly string[], needle: readonly string[]): number | null {
    if (needle.length === 0) return null;
    let found: number | null = null;
    const first = needle[0] as string;
    for (let at = 0; at + needle.length <= lines.length; at++) {
        if (lines[at] !== first) continue;
        let same = true;
        for (let k = 1; k < needle.length && same; k++) same = lines[at + k] === needle[k];
        if (!same) continue;
        if (found !== null) return null;
        found = at;
    }
    return found;
}

/** Runs of equal / removed / added lines with their positions; common ends are trimmed before diffing for speed. */
function diffRuns(oldLines: string[], newLines: string[]): Run[] {
    let prefix = 0;
    const shorter = Math.min(oldLines.length, newLines.length);
    while (prefix < shorter && oldLines[prefix] === newLines[prefix]) prefix++;
    let suffix = 0;
    while (
        suffix < shorter - prefix &&
        oldLines[oldLines.length - 1 - suffix] === newLines[newLines.length - 1 - suffix]
    ) {
        suffix++;
    }
    const oldMiddle = oldLines.slice(prefix, oldLines.length - suffix);
    const newMiddle = newLines.slice(prefix, newLines.length - suffix);
    const changes = diffArrays(oldMiddle, newMiddle, { timeout: DIFF_TIMEOUT_MS }) ?? [
        { value: oldMiddle, added: false, removed: true, count: oldMiddle.length },
        { value: newMiddle, added: true, removed: false, count: newMiddle.length },
    ];

    const runs: Run[] = [];
    let oldPos = 0;
    let newPos = 0;
    const push = (type: Run['type'], lines: string[]): void => {
        if (lines.length === 0) return;
        runs.push({ type, lines, oldPos, newPos });
        if (type !== 'add') oldPos += lines.length;
        if (type !== 'remove') newPos += lines.length;
    };
    push('equal', oldLines.slice(0, prefix));
    // Removals first within a replaced region, so hunk display reads "-old, +new".
    const pending = { remove: [] as string[], add: [] as string[] };
    const flush = (): void => {
        push('remove', pending.remove);
        push('add', pending.add);
        pending.remove = [];
        pending.add = [];
    };
    for (const change of changes) {
        if (change.removed) append(pending.remove, change.value);
        else if (change.added) append(pending.add, change.value);
        else {
            flush();
            push('equal', change.value);
        }
    }
    flush();
    push('equal', oldLines.slice(oldLines.length - suffix));
    return runs;
}

function makeHunk(runs: Run[], first: number, last: number, context: number, index: number): Hunk {
    const before = runs[first - 1];
    const after = runs[last + 1];
    const lead = before?.type === 'equal' ? before.lines.slice(Math.max(0, before.lines.length - context)) : [];
    const trail = after?.type === 'equal' ? after.lines.slice(0, context) : [];
    const firstRun = runs[first] as Run;
    const display: string[] = [];
    const oldSide: string[] = [...lead];
    const newSide: string[] = [...lead];
    for (const line of lead) display.push(` ${stripEnding(line)}`);
    for (let k = first; k <= last; k++) {
        const run = runs[k] as Run;
        const mark = run.type === 'equal' ? ' ' : run.type === 'remove' ? '-' : '+';
        for (const line of run.lines) display.push(`${mark}${stripEnding(line)}`);
        if (run.type !== 'add') append(oldSide, run.lines);
        if (run.type !== 'remove') append(newSide, run.lines);
    }
    for (const line of trail) display.push(` ${stripEnding(line)}`);
    append(oldSide, trail);
    append(newSide, trail);
    const oldZero = firstRun.oldPos - lead.length;
    const newZero = firstRun.newPos - lead.length;
    return {
        index,
        oldStart: oldSide.length === 0 ? oldZero : oldZero + 1,
        oldLines: oldSide.length,
        newStart: newSide.length === 0 ? newZero : newZero + 1,
        newLines: newSide.length,
        lines: display,
        oldText: oldSide.join(''),
        newText: newSide.join(''),
    };
}

function stripEnding(line: string): string {
    return line.endsWith('\r\n') ? line.slice(0, -2) : line.endsWith('\n') ? line.slice(0, -1) : line;
}

/** `push(...items)` without the argument-count limit, for notes with hundreds of thousands of lines. */
function append(target: string[], items: readonly string[]): void {
    for (const item of items) target.push(item);
}
