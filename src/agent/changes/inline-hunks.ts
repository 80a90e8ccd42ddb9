/**
 * The word-level change regions of a passage rewrite, as the editor shows them inline: the spans of `wordDiff` (the
 * `diff` package's word diff, the same one the chat's cards use) grouped into regions a person accepts or rejects one
 * by one. A region is a display unit only: accepting one builds an ordinary `ChangeProposal` (line hunks, binding) for
 * the change controller, so there is one model of a change and one door for writing it.
 */
import { diffArrays } from 'diff';
import { wordDiff, type WordSpan } from './word-diff';

/** One region of a word diff: `removed` (the old text at `[from, to)`) becomes `inserted`. */
export interface WordRegion {
    /** Position among the diff's regions, from 0. */
    index: number;
    /** Start in the old text. */
    from: number;
    /** End in the old text (`from` when the region only inserts). */
    to: number;
    /** The old text of the region (`oldText.slice(from, to)`). */
    removed: string;
    /** What replaces it. */
    inserted: string;
}

/** Main-thread budget for the diff of a streaming preview; past it the preview shows the passage replaced whole. */
export const PREVIEW_DIFF_MS = 15;

/** The regions that turn `oldText` into `newText`. */
export function wordRegions(oldText: string, newText: string, timeoutMs?: number): WordRegion[] {
    return regionsOf(wordDiff(oldText, newText, timeoutMs));
}

/**
 * The regions of a rewrite still streaming in: `partial` is compared with the start of `oldText` it can have reached
 * so far, and old text after the last word it has reached is left alone (not yet rewritten, not yet removed). The
 * diff runs under `PREVIEW_DIFF_MS`, so a preview never holds the editor up.
 */
export function previewRegions(oldText: string, partial: string, timeoutMs = PREVIEW_DIFF_MS): WordRegion[] {
    if (partial === '') return [];
    const reach = Math.min(oldText.length, Math.ceil(partial.length * 1.25) + 200);
    const space = oldText.slice(reach).search(/\s/);
    const window = space < 0 ? oldText : oldText.slice(0, reach + space);
    const spans = wordDiff(window, partial, timeoutMs);
    let last = spans.length - 1;
    while (last >= 0 && (spans[last] as WordSpan).kind === 'removed') last--;
    return regionsOf(spans.slice(0, last + 1));
}

/** A stretch of the old text that changed, with what replaces it, found by comparing whole paragraphs first. */
export interface ChangedPiece {
    /** Where the stretch starts in the old text. */
    at: number;
    /** The old paragraphs (with their blank lines). */
    oldText: string;
    /** The new ones. */
    newText: string;
}

/**
 * The paragraphs that changed between `oldText` and `newText`, each run of changed paragraphs one piece. Word-diffing
 * piece by piece gives the regions of a long rewrite in small steps (a caller can yield between them), and a budget
 * that runs out spoils one piece, never the whole passage.
 */
export function changedPieces(oldText: string, newText: string): ChangedPiece[] {
    const oldParts = paragraphs(oldText);
    const changes = diffArrays(oldParts, paragraphs(newText));
    const pieces: ChangedPiece[] = [];
    let at = 0;
    let open: ChangedPiece | null = null;
    for (const change of changes) {
        const text = change.value.join('');
        if (!change.added && !change.removed) {
            open = null;
            at += text.length;
            continue;
        }
        if (open === null) {
            open = { at, oldText: '', newText: '' };
            pieces.push(open);
        }
        if (change.removed) {
            open.oldText += text;
            at += text.length;
        } else {
            open.newText += text;
        }
    }
    return pieces;
}

/** The regions of `piece`, placed in the old text and numbered from `first`. */
export function pieceRegions(piece: ChangedPiece, first: number, timeoutMs?: number): WordRegion[] {
    return wordRegions(piece.oldText, piece.newText, timeoutMs).map((region, k) => ({
        ...region,
        index: first + k,
        from: region.from + piece.at,
        to: region.to + piece.at,
    }));
}

/** Paragraphs with the blank lines after them, so they join back into the text exactly. */
function paragraphs(text: string): string[] {
    const parts: string[] = [];
    let start = 0;
    while (start < text.length) {
        const gap = text.indexOf('\n\n', start);
        if (gap < 0) {
            parts.push(text.slice(start));
            break;
        }
        let end = gap + 2;
        while (text[end] === '\n') end++;
        parts.push(text.slice(start, end));
        start = end;
    }
    return parts;
}

/** Applies `region` to `text`, where the region's old text stands at `[at + from, at + to)`. */
export function applyRegion(text: string, region: Pick<WordRegion, 'from' | 'to' | 'inserted'>, at = 0): string {
    return text.slice(0, at + region.from) + region.inserted + text.slice(at + region.to);
}

/** Words of at most this many characters between two changes are taken into one region with them. */
const SHORT_GAP = 4;

/**
 * What may stand between two changed words while they still read as one change: spaces or one line break, or one
 * short word ("the", "day") on the same line, so "within the first day" → "on day one" is one region, not three.
 */
function isSoftGap(text: string): boolean {
    if (text === '') return false;
    if (/^[ \t]*\n?[ \t]*$/.test(text)) return true;
    const word = text.trim();
    return !text.includes('\n') && word.length <= SHORT_GAP && !/\s/.test(word);
}

function regionsOf(spans: readonly WordSpan[]): WordRegion[] {
    const regions: WordRegion[] = [];
    let open: WordRegion | null = null;
    let pos = 0;
    spans.forEach((span, i) => {
        const size = span.text.length;
        if (span.kind === 'same') {
            const next = spans[i + 1];
            if (open !== null && isSoftGap(span.text) && next !== undefined && next.kind !== 'same') {
                open.removed += span.text;
                open.inserted += span.text;
                open.to += size;
            } else {
                open = null;
            }
            pos += size;
            return;
        }
        if (open === null) {
            open = { index: regions.length, from: pos, to: pos, removed: '', inserted: '' };
            regions.push(open);
        }
        if (span.kind === 'removed') {
            open.removed += span.text;
            open.to += size;
            pos += size;
        } else {
            open.inserted += span.text;
        }
    });
    return regions;
}
