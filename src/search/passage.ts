/**
 * The best passage of a note for a query: the body line holding the most of the matched terms (ties go to the
 * earlier line), with where the first of them stands, so a caller can cut a short snippet around it.
 */
import { bodyStart } from './note-document';
import { normaliseTerm } from './tokens';

/** A line of the note and where in it the match starts. */
export interface Passage {
    /** 1-based line number, as `read_note` numbers lines. */
    line: number;
    /** The line's text. */
    text: string;
    /** Offset of the first matching word in `text`, and its length. */
    start: number;
    length: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The line of `text` below the frontmatter that holds the most distinct `terms` (index terms, as `RankedNote.terms`
 * gives them); `null` when no line holds any. Lines are looked at as written; callers redact before showing.
 */
export function bestPassage(text: string, terms: readonly string[]): Passage | null {
    if (terms.length === 0) return null;
    const wanted = new Set(terms);
    const start = bodyStart(text);
    let lineNumber = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) lineNumber++;
    let best: Passage | null = null;
    let bestCount = 0;
    let at = start;
    while (at <= text.length) {
        const newline = text.indexOf('\n', at);
        const end = newline === -1 ? text.length : newline;
        const line = text.slice(at, end).replace(/\r$/u, '');
        const found = new Set<string>();
        let first = -1;
        let firstLength = 0;
        for (const match of line.matchAll(WORD)) {
            const term = normaliseTerm(match[0]);
            if (term === null || !wanted.has(term)) continue;
            found.add(term);
            if (first < 0) {
                first = match.index;
                firstLength = match[0].length;
            }
        }
        if (found.size > bestCount) {
            bestCount = found.size;
            best = { line: lineNumber, text: line, start: first, length: firstLength };
            if (bestCount === wanted.size) break;
        }
        if (newline === -1) break;
        at = newline + 1;
        lineNumber++;
    }
    return best;
}
