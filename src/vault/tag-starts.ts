/**
 * Where Obsidian starts a tag it shows (`shownTags`), per published side-by-side readbacks of Obsidian 1.13.7's
 * metadata cache: at the start of a line, after whitespace, after a `|` in a table row (`tables-in-markdown.ts`; not
 * after one in prose), and right after a piece of
 * Markdown that Obsidian reads as a node of its own —
 * - a code span, a wikilink, a comment, an HTML tag or math: `` `c`#x ``, `[[a]]#x`, `<!-- c -->#x`, `<br>#x`, `$a$#x`;
 * - an escaped character: `\]#x`, `\*#x`, `\\#x` (but `\#x` is an escaped `#`, no tag);
 * - a quote marker at the start of a line: `>#x`, `> >#x` (not `a >#x`);
 * - an emphasis, strikethrough or highlight mark that has a partner on the line: `**#x**`, `*a b*#x`, `~~#x~~`,
 *   `==#x==`, `_#x_` — not a lone `*#x`, not `~#x~` (one tilde), not `a_#x_b` (an underscore inside a word).
 * The partner test is simpler than CommonMark's delimiter rules (any other such mark on the line will do), which may
 * show a tag Obsidian does not; the exclusion tags read all of these anyway (decision 0004).
 */
import { escaped, isAsciiPunctuation } from './escapes';
import { RangeCursor } from './range-cursor';
import type { TagStartReading } from './shown-reading';
import type { Range } from './tags';

const WHITESPACE_CHAR = /\s/;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const STAR = 42;
const UNDERSCORE = 95;
const TILDE = 126;
const EQUALS = 61;
const GREATER = 62;

/** The positions of one line where a shown tag may start; asked left to right. */
export class ShownTagStarts implements TagStartReading {
    private readonly ends: RangeCursor;
    /** Index of the first character of the line that is not part of its leading quote markers (lazily). */
    private quoted = -1;
    /** First and last index of each mark on the line (lazily). */
    private readonly marks = new Map<string, { first: number; last: number }>();
    /** The first `_` that may open emphasis (not inside a word), or -2 before it is looked for. */
    private openingUnderscore = -2;

    /**
     * `nodes`: the line's code spans, links, comments, HTML tags and math, right after which a tag may start;
     * `tableRow`: whether the line is a row of a table, where a cell's `|` starts one too.
     */
    constructor(
        private readonly line: string,
        nodes: readonly Range[] | null,
        private readonly tableRow = false,
    ) {
        this.ends = new RangeCursor(nodes);
    }

    /** Whether a shown tag may start at the `#` at `hash`. */
    at(hash: number): boolean {
        if (hash === 0) return true;
        const line = this.line;
        const code = line.charCodeAt(hash - 1);
        if (code >= 128) return WHITESPACE_CHAR.test(line.charAt(hash - 1));
        if (code === 32 || code === 9) return true;
        if (code === 124 && this.tableRow) return true;
        if (this.ends.endsAt(hash)) return true;
        if (isAsciiPunctuation(code) && escaped(line, hash - 1)) return true;
        if (code === GREATER) return hash - 1 < this.quotePrefixEnd();
        if (code === STAR || code === UNDERSCORE || code === TILDE || code === EQUALS) return this.partnered(hash - 1);
        return false;
    }

    private quotePrefixEnd(): number {
        if (this.quoted === -1) {
            let i = 0;
            while (i < this.line.length && /[ \t>]/.test(this.line.charAt(i))) i++;
            this.quoted = i;
        }
        return this.quoted;
    }

    /** Whether the run of marks ending at `end` has a partner elsewhere on the line. */
    private partnered(end: number): boolean {
        const line = this.line;
        const code = line.charCodeAt(end);
        let start = end;
        while (start > 0 && line.charCodeAt(start - 1) === code) start--;
        if (code === TILDE || code === EQUALS) {
            // Strikethrough and highlight take two marks each: `~~`, `==`.
            if (end - start < 1) return false;
            const double = this.extent(code === TILDE ? '~~' : '==');
            return double.first + 1 < start || double.last > end;
        }
        const single = this.extent(code === STAR ? '*' : '_');
        if (code === STAR) return single.first < start || single.last > end;
        // An underscore opens only where no word goes on before it, and closes what such an underscore opened.
        const opens = start === 0 || !WORD_CHAR.test(line.charAt(start - 1));
        return (opens && single.last > end) || this.firstOpeningUnderscore() < start;
    }

    private extent(mark: string): { first: number; last: number } {
        let found = this.marks.get(mark);
        if (found === undefined) {
            found = { first: this.line.indexOf(mark), last: this.line.lastIndexOf(mark) };
            this.marks.set(mark, found);
        }
        return found;
    }

    private firstOpeningUnderscore(): number {
        if (this.openingUnderscore === -2) {
            const line = this.line;
            let at = line.indexOf('_');
            while (at > 0 && WORD_CHAR.test(line.charAt(at - 1))) at = line.indexOf('_', at + 1);
            this.openingUnderscore = at === -1 ? Number.MAX_SAFE_INTEGER : at;
        }
        return this.openingUnderscore;
    }
}
