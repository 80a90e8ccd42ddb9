/**
 * What this conversation has read, for `rewrite_note`: a whole-note rewrite is allowed only when the model has seen
 * every line of the note's current text (in one read or in windows) and the note has not changed since
 * (docs/RELIABILITY.md row 2). Per path the ledger keeps a SHA-256 of the text that was read and which lines of it were
 * shown, not the text itself, so a long conversation over big notes costs a few bytes per note.
 */
import { sha256Utf16Hex } from '../changes/sha256';

/** Where a note stands for a rewrite. */
export type ReadState =
    /** Never read in this conversation. */
    | 'unread'
    /** Only some lines of its current text were shown (a window, a range, or lines cut for length). */
    | 'partial'
    /** The text is not the one that was read: the note changed since. */
    | 'changed'
    /** Every line of exactly this text was shown. */
    | 'current';

/** Lines shown by one read: 1-based, inclusive. */
export interface LineRange {
    /** First line shown. */
    start: number;
    /** Last line shown. */
    end: number;
}

interface Entry {
    /** SHA-256 of the text the shown lines belong to. */
    hash: string;
    /** Lines in that text. */
    totalLines: number;
    /** Shown line ranges, merged and sorted. */
    covered: LineRange[];
}

/**
 * One per conversation (or job); passed to tools in their context. Besides what a rewrite needs, it keeps which notes
 * the tools showed text of (a read, an outline), for a job's provenance; `forget` does not drop those.
 */
export class ReadLedger {
    private readonly entries = new Map<string, Entry>();
    private readonly seen = new Set<string>();

    /**
     * Records that `lines` of `text` (which has `totalLines` lines) were shown in full; `null` when the model saw
     * something of the note but no line it can count as read (e.g. only cut lines). Reads of an older text are
     * forgotten once a different text is read.
     */
    async recordRead(path: string, text: string, totalLines: number, lines: LineRange | null): Promise<void> {
        this.seen.add(path);
        const hash = await sha256(text);
        let entry = this.entries.get(path);
        if (entry === undefined || entry.hash !== hash) {
            entry = { hash, totalLines, covered: [] };
            this.entries.set(path, entry);
        }
        if (lines !== null && lines.end >= lines.start) entry.covered = merge([...entry.covered, lines]);
    }

    /** Records that a tool showed part of `path`'s text without reading it (e.g. its headings). */
    recordSeen(path: string): void {
        this.seen.add(path);
    }

    /** Every note whose text a tool showed in this conversation, sorted. */
    notesRead(): string[] {
        return [...this.seen].sort();
    }

    /** Whether `current` (the note's text now) is exactly what the model has read every line of. */
    async stateOf(path: string, current: string): Promise<ReadState> {
        const entry = this.entries.get(path);
        if (entry === undefined) return 'unread';
        if (entry.hash !== (await sha256(current))) return 'changed';
        return isComplete(entry) ? 'current' : 'partial';
    }

    /**
     * Takes in what `other` recorded, as if its reads had been recorded here (for reads made aside, whose answer was
     * kept only once it was known to stand).
     */
    takeFrom(other: ReadLedger): void {
        for (const path of other.seen) this.seen.add(path);
        for (const [path, theirs] of other.entries) {
            const mine = this.entries.get(path);
            if (mine === undefined || mine.hash !== theirs.hash) {
                this.entries.set(path, { ...theirs, covered: [...theirs.covered] });
            } else mine.covered = merge([...mine.covered, ...theirs.covered]);
        }
    }

    /** Drops what is known about `path`, e.g. after a change whose result the model has not read. */
    forget(path: string): void {
        this.entries.delete(path);
    }
}

function isComplete(entry: Entry): boolean {
    if (entry.totalLines === 0) return true;
    const first = entry.covered[0];
    return entry.covered.length === 1 && first !== undefined && first.start <= 1 && first.end >= entry.totalLines;
}

/** Sorted, with overlapping and adjacent ranges joined. */
function merge(ranges: LineRange[]): LineRange[] {
    const sorted = [...ranges].sort((a, b) => a.start - b.start);
    const out: LineRange[] = [];
    for (const range of sorted) {
        const last = out[out.length - 1];
        if (last !== undefined && range.start <= last.end + 1) last.end = Math.max(last.end, range.end);
        else out.push({ ...range });
    }
    return out;
}

/**
 * Notes up to this many characters are hashed on this thread at once (about 15 µs for a short note, where Web Crypto's
 * round trip costs 60); longer ones by Web Crypto, which is faster on big texts and does not hold this thread (decision 0029).
 */
const HASH_HERE_MAX_CHARS = 4_096;

/**
 * A hash of `text` that tells it from any other text. Web Crypto exists in Obsidian (desktop and mobile) and in Node 20,
 * so this needs no Node import.
 */
async function sha256(text: string): Promise<string> {
    if (text.length <= HASH_HERE_MAX_CHARS) return sha256Utf16Hex(text);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
