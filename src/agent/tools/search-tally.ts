/**
 * What `search_notes` gathers while it searches, and the two ways a plain query fills it: a note's text read here
 * (`matchPlainNote`), or what the vault's search workers found (`collectScanned`, decision 0024). Either way each note
 * is judged on the text its lines came from before any of it counts or shows.
 */
import { redactHiddenLinks, type HiddenLinkPorts } from '../../context/hidden-links';
import type { ScannedMatch, TextScanResult } from '../../kernel/text-scan';
import type { FileEntry } from '../../kernel/vault-port';
import { readTextOrSkip, type Unread } from './note-paths';
import { matchCandidateLines, type LineMatcher } from './plain-match';
import type { ToolContext } from './tool';

/** The matches found so far, and how far the search got. */
export interface SearchTally extends Unread {
    /** The page: `path:line: snippet` rows from `offset` on, at most `limit`. */
    results: string[];
    /** The note of each row of `results`. */
    resultNotes: string[];
    /** Every match counted. */
    total: number;
    notesWithMatches: number;
    /** Notes searched. */
    searched: number;
    /** True when the time budget ran out first. */
    stopped: boolean;
    /** True when the search stopped once the page was full and one more match was found (the total is a lower bound). */
    more: boolean;
}

/** A plain query and its page. */
export interface PlainQuery {
    /** The query, lowercased. */
    needle: string;
    matcher: LineMatcher;
    offset: number;
    limit: number;
    /** `Date.now()` at which the search stops. */
    deadline: number;
    /** Matches after which the search stops (`offset + limit`: one more says more follow). */
    enough: number;
}

/** How long the serving thread works through scanned notes before it lets other calls in, ms. */
const YIELD_EVERY_MS = 50;

/** Counts `matched` (line, snippet) of `path`, and puts those on the page into it. */
export function recordMatches(
    path: string,
    matched: [number, () => string][],
    page: { offset: number; limit: number },
    tally: SearchTally,
): void {
    tally.notesWithMatches++;
    for (const [line, snippet] of matched) {
        tally.total++;
        if (tally.total > page.offset && tally.results.length < page.limit) {
            tally.results.push(`${path}:${line}: ${snippet()}`);
            tally.resultNotes.push(path);
        }
    }
}

/**
 * Matches the plain query in `text`, just read from `path`, and records the matches unless that text is excluded.
 * True when the deadline stopped it inside the note.
 */
export function matchPlainNote(
    path: string,
    text: string,
    query: PlainQuery,
    context: ToolContext,
    links: HiddenLinkPorts,
    tally: SearchTally,
): boolean {
    const lower = text.toLowerCase();
    if (!lower.includes(query.needle)) return false;
    const redact = (line: string): string => (line.includes('[') ? redactHiddenLinks(line, path, links).text : line);
    const matched: [number, () => string][] = [];
    const found = matchCandidateLines(
        text,
        lower,
        query.needle,
        redact,
        query.matcher,
        query.deadline,
        (line, snip) => {
            matched.push([line, snip]);
        },
    );
    // The note may have changed since it was listed (say, tagged private a moment ago): the text that matched is
    // judged itself, its tags parsed from it, before anything of it is shown.
    if (matched.length > 0 && !context.gate.isTextExcluded(path, text, lower))
        recordMatches(path, matched, query, tally);
    if (found.stopped) tally.stopped = true;
    return found.stopped;
}

/**
 * Fills `tally` from a scan of `notes` by the vault's search workers. A note the workers found is judged on the text
 * they read (its path by the gate, its tags as parsed from that text) and counted from the lines they returned, its
 * link lines redacted here. Only the notes whose rows reach the page are read again here, matched and judged on that
 * text (so what is shown is what was judged), and so is any note the workers left to this thread. Like the search
 * here, it stops once the page is full and one more match is found. False when the search was cancelled.
 */
export async function collectScanned(
    notes: FileEntry[],
    scan: TextScanResult,
    query: PlainQuery,
    context: ToolContext,
    links: HiddenLinkPorts,
    tally: SearchTally,
): Promise<boolean> {
    let lastYield = Date.now();
    for (let i = 0; i < notes.length; i++) {
        if (Date.now() - lastYield > YIELD_EVERY_MS) {
            await new Promise<void>((resolve) => setTimeout(resolve, 0));
            if (context.signal?.aborted === true) return false;
            lastYield = Date.now();
        }
        const found = scan.notes[i];
        if (found === undefined) {
            // The time ran out before the workers reached it: the answer says how far the search got.
            tally.stopped = true;
            continue;
        }
        tally.searched++;
        if (found === null) continue;
        const path = (notes[i] as FileEntry).path;
        const pageOpen = tally.results.length < query.limit;
        if (found === 'read-here' || (pageOpen && tally.total + mostMatches(found) > query.offset)) {
            const text = await readTextOrSkip(path, context, tally);
            if (text !== null && matchPlainNote(path, text, query, context, links, tally)) return true;
        } else if (!countScanned(path, found, query, context, links, tally)) continue;
        if (tally.total > query.enough) {
            tally.more = true;
            return true;
        }
    }
    return true;
}

/** Counts a note the workers found, judged on the text they read; false when it counts nothing. */
function countScanned(
    path: string,
    found: ScannedMatch | number,
    query: PlainQuery,
    context: ToolContext,
    links: HiddenLinkPorts,
    tally: SearchTally,
): boolean {
    if (context.gate.isScannedTextExcluded(path, typeof found === 'number' ? null : found.tags)) return false;
    let matches = typeof found === 'number' ? found : found.plainLines;
    for (const [, line] of typeof found === 'number' ? [] : found.linkLines) {
        if (query.matcher(redactHiddenLinks(line, path, links).text) !== null) matches++;
    }
    if (matches === 0) return false;
    tally.notesWithMatches++;
    tally.total += matches;
    return true;
}

/** The most matches a scanned note can count (its link lines may lose theirs to redaction). */
function mostMatches(found: ScannedMatch | number): number {
    return typeof found === 'number' ? found : found.plainLines + found.linkLines.length;
}
