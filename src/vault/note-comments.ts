/**
 * Comments in a note as Obsidian reads them: `<!-- … -->` and `%% … %%`, on one line or across lines, an opener inside
 * an inline code span opening nothing. The parser (`note-parser.ts`) reads no link, heading, block id or shown tag in
 * them; code that places text in a note (a block id) asks where they are.
 *
 * HTML comments follow CommonMark (0.30), which is how Obsidian 1.13.7's metadata cache reads them per published
 * side-by-side readbacks:
 * - `<!--` at the start of a line (after quote or list markers and up to three spaces) opens an HTML block: it hides
 *   its lines through the whole line holding `-->`, across empty lines, to the end of the note if nothing closes it.
 *   Text after `-->` on that line is part of the block too (`<!-- a --> [[x]]` links nowhere).
 * - `<!--` anywhere else is a comment only if it is a whole one: it closes with `-->` within its paragraph (an empty
 *   line or a line of spaces ends the paragraph, a line holding a tab does not), its text does not start with `>` or
 *   `->`, and holds no `--` but the closer's (so it does not end with `-`). Otherwise it is plain text and hides
 *   nothing: `a <!-- x -- y -->`, `<!-->`, an unclosed `a <!-- x`.
 * `%%` comments run to the next `%%`, across any lines, or to the end of the note.
 */
import { codeSpans } from './links';
import { RangeCursor } from './range-cursor';
import type { Range } from './tags';

/** Quote and list markers and up to three spaces: what may stand before `<!--` for it to open an HTML block. */
const BLOCK_PREFIX = /^(?:[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t])))*[ \t]*$/;
/** The first character of a line that no quote or list marker, indent or list number is made of. */
const PAST_MARKERS = /[^ \t>*+\-\d.)]/;
/** A line that ends a paragraph: empty, or spaces only (a CRLF note's lines keep their `\r`). */
export const PARAGRAPH_BREAK = /^ *\r?$/;
/** A line that interrupts a paragraph: a code fence (also in a quote or a list item) or an ATX heading. */
export const INTERRUPTS_PARAGRAPH = /^[ \t>*+\-\d.)]*(?:`{3,}|~{3,})|^ {0,3}#{1,6}(?:[ \t]|\r?$)/;

/** Where an inline comment that goes on over later lines ends: the line, and the index just after its `-->`. */
interface CommentEnd {
    line: number;
    end: number;
}

/** Follows the comments of a note's body line by line. */
export class NoteComments {
    /** Inside an HTML comment at the end of the line last read (a block, or an inline one going on). */
    html = false;
    /** Inside `%% … %%` at the end of the line last read. */
    percent = false;
    private block = false;
    private pending: CommentEnd | null = null;

    /** `lines`: the whole note, so an inline comment left open at the end of a line can look for its end further on. */
    constructor(private readonly lines: readonly string[]) {}

    /**
     * The ranges of `line` (line number `index`, outside fenced and indented code) inside comments, or `null` when
     * there are none; `code` are its code spans (computed when `undefined`). Lines come in order; blank lines and
     * lines of code may be left out.
     */
    ranges(line: string, index: number, code?: readonly Range[] | null): Range[] | null {
        if (this.block) {
            if (line.indexOf('-->') !== -1) this.block = this.html = false;
            return [[0, line.length]];
        }
        let ranges: Range[] | null = null;
        let at = 0;
        const pending = this.pending;
        if (pending !== null) {
            if (pending.line > index) return [[0, line.length]];
            this.pending = null;
            this.html = false;
            if (pending.line === index) {
                ranges = [[0, pending.end]];
                at = pending.end;
            }
        }
        if (!this.percent && line.indexOf('%%', at) === -1 && line.indexOf('<!--', at) === -1) return ranges;
        const spans = code === undefined ? codeSpans(line) : code;
        // Openers are looked for left to right, each kind with its own cursor over the code spans: one found beyond a
        // comment is kept, not looked for again.
        const forPercent = new RangeCursor(spans);
        const forHtml = new RangeCursor(spans);
        // Only a `<!--` at the first character past the line's markers can open an HTML block.
        const content = at === 0 ? line.search(PAST_MARKERS) : -1;
        let html = -2;
        let percent = -2;
        while (at <= line.length) {
            if (this.percent) {
                const end = line.indexOf('%%', at);
                if (end === -1) {
                    (ranges ??= []).push([at, line.length]);
                    return ranges;
                }
                (ranges ??= []).push([at, end + 2]);
                this.percent = false;
                at = end + 2;
                continue;
            }
            if (html !== -1 && html < at) html = nextOutside(line, '<!--', at, forHtml);
            if (percent !== -1 && percent < at) percent = nextOutside(line, '%%', at, forPercent);
            if (html === -1 && percent === -1) break;
            if (percent !== -1 && (html === -1 || percent < html)) {
                this.percent = true;
                (ranges ??= []).push([percent, percent + 2]);
                at = percent + 2;
                continue;
            }
            const start = html;
            if (start === content && BLOCK_PREFIX.test(line.slice(0, start))) {
                // An HTML block: this line is its own to the end, and so is every line through the one with `-->`.
                (ranges ??= []).push([start, line.length]);
                if (line.indexOf('-->', start + 4) === -1) this.block = this.html = true;
                return ranges;
            }
            const end = this.inlineEnd(line, index, start);
            if (end === null) {
                // No whole comment: `<!--` is text here.
                at = start + 4;
                continue;
            }
            if (end.line !== index) {
                (ranges ??= []).push([start, line.length]);
                this.pending = end;
                this.html = true;
                return ranges;
            }
            (ranges ??= []).push([start, end.end]);
            at = end.end;
        }
        return ranges;
    }

    /**
     * Where the inline comment opened at `start` of line `index` ends, or `null` when it is no comment: the first `--`
     * after the opener must be the closer's, on this line or a later one of the paragraph.
     */
    private inlineEnd(line: string, index: number, start: number): CommentEnd | null {
        const text = start + 4;
        if (line.charCodeAt(text) === 62 || line.startsWith('->', text)) return null;
        let i = index;
        let current = line;
        let from = text;
        for (;;) {
            const dashes = current.indexOf('--', from);
            if (dashes !== -1) return current.charCodeAt(dashes + 2) === 62 ? { line: i, end: dashes + 3 } : null;
            i++;
            if (i >= this.lines.length) return null;
            current = this.lines[i] as string;
            if (PARAGRAPH_BREAK.test(current) || INTERRUPTS_PARAGRAPH.test(current)) return null;
            from = 0;
        }
    }
}

/** Where `token` next occurs in `line` at or after `from` outside the code spans, or -1 (`from` never goes back). */
function nextOutside(line: string, token: string, from: number, code: RangeCursor): number {
    for (let at = line.indexOf(token, from); at !== -1; at = line.indexOf(token, at + 1)) {
        if (!code.covers(at)) return at;
    }
    return -1;
}
