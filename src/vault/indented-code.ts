/**
 * Indented code blocks as CommonMark (and so Obsidian's metadata cache) reads them: a line indented four columns or
 * more past its container's content is code, unless it continues an open paragraph. Obsidian reads no links, embeds,
 * headings, block ids or tags in such a block; the exclusion tags still do (decision 0004).
 *
 * Indentation is only code relative to where its container's text starts. A list item's text starts after its marker
 * and the spaces that follow it (`- ` at 2, `10. ` at 4), so a nested list indented with a tab, or a list item's second
 * paragraph indented four spaces, is list text, not code; a line right after a paragraph line continues the
 * paragraph however deep it is indented. Inside a quote or callout, the columns count from after its `>`.
 *
 * The tracker follows only as much of the block structure as that needs, line by line: the open list items' content
 * columns, the quote depth, whether a paragraph is open, and whether an indented block is. Where a line's structure
 * is unclear (a quote inside a list item, HTML) it leans to reading the line as text, as before this module.
 */

/** A list item marker and what follows it: `- `, `* `, `+ `, `1. `, `1) `. */
const LIST_MARKER = /^(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)/;
/** A thematic break (`---`, `* * *`, `___`), which is not a list item even where it starts like one. */
const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
/** An ATX heading. */
const HEADING = /^#{1,6}(?:[ \t]|$)/;
/** What starts a new block and so cannot continue a paragraph lazily. */
const BLOCK_START = /^(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|#{1,6}(?:[ \t]|$)|>|`{3,}|~{3,})/;
/** A tab stop every four columns. */
const TAB = 4;

/** Where indented code can start after a line break: four spaces, a tab after up to three spaces, or in a quote. */
const INDENTED = ['\n    ', '\n\t', '\n \t', '\n  \t', '\n   \t', '>    ', '>\t'];

/**
 * Whether `text` may have a line of indented code at all: a line indented by a tab or four spaces, or one with a tab
 * or four spaces after a quote marker. Most notes have neither, and the parser then follows nothing.
 */
export function mayHaveIndentedCode(text: string): boolean {
    const first = text.charCodeAt(0);
    if (first === 9 || first === 32 || first === 62) return true;
    for (const marker of INDENTED) if (text.indexOf(marker) !== -1) return true;
    return false;
}

/**
 * The spaces and tabs of `text` from `from`, which stands at column `column` of its line (tabs stop every four
 * columns of the line): how many columns they fill, and where what follows them starts.
 */
function indentOf(text: string, from: number, column: number): { columns: number; end: number } {
    let at = column;
    let end = from;
    for (; end < text.length; end++) {
        const c = text.charCodeAt(end);
        if (c === 32) at++;
        else if (c === 9) at += TAB - (at % TAB);
        else break;
    }
    return { columns: at - column, end };
}

/** A line with its quote and callout markers taken off: how many, and where (index and column) the rest starts. */
function quoteMarks(line: string): { quotes: number; from: number; column: number; spent: number } {
    let quotes = 0;
    let from = 0;
    let column = 0;
    // Columns of a tab right after a `>` that stand for the marker's optional space.
    let spent = 0;
    for (;;) {
        let at = from;
        while (at - from < 3 && line.charCodeAt(at) === 32) at++;
        if (line.charCodeAt(at) !== 62) break;
        quotes++;
        column += at - from + 1;
        at++;
        spent = 0;
        if (line.charCodeAt(at) === 32) {
            at++;
            column++;
        } else if (line.charCodeAt(at) === 9) {
            spent = 1;
        }
        from = at;
    }
    return { quotes, from, column, spent };
}

/** Follows a note's body line by line and says which lines are indented code. */
export class IndentedCode {
    /** Content columns of the open list items, innermost last. */
    private items: number[] = [];
    /** The previous line was paragraph text, so an indented line continues it. */
    private paragraph = false;
    /** An indented code block is open (blank lines do not end it). */
    private code = false;
    /** Quote markers of the lines being followed. */
    private quotes = 0;
    /**
     * The last line read went on with a paragraph from four columns or more past its container's text: it is that
     * paragraph's text, so a fence marker on it opens nothing either.
     */
    continuedDeep = false;

    /**
     * A line read as something else: fenced code (its opener, body or closer), or a line a comment opened on an earlier
     * line still holds. It ends any paragraph or indented code, not a list item.
     */
    other(): void {
        this.continuedDeep = false;
        this.paragraph = false;
        this.code = false;
    }

    /** Whether `line`, the next line of the body, is a line of an indented code block. */
    isCode(line: string): boolean {
        this.continuedDeep = false;
        const { quotes, from, column, spent } = quoteMarks(line);
        const indent = indentOf(line, from, column);
        const columns = indent.columns - spent;
        const content = line.slice(indent.end);
        if (content === '') {
            this.paragraph = false;
            return false;
        }
        if (quotes !== this.quotes) {
            // A line with fewer quote marks that goes on with a quoted paragraph belongs to that paragraph.
            if (quotes < this.quotes && this.paragraph && !BLOCK_START.test(content)) return false;
            this.quotes = quotes;
            this.items = [];
            this.paragraph = false;
            this.code = false;
        }
        let base = this.items.at(-1) ?? 0;
        while (columns < base) {
            // Less indented than the item's text: a paragraph goes on lazily, anything else leaves the item.
            if (this.paragraph && !BLOCK_START.test(content) && !THEMATIC_BREAK.test(content)) return false;
            this.items.pop();
            base = this.items.at(-1) ?? 0;
        }
        if (columns - base >= TAB) {
            this.continuedDeep = this.paragraph;
            if (this.paragraph) return false;
            this.code = true;
            return true;
        }
        this.code = false;
        if (THEMATIC_BREAK.test(content) || HEADING.test(content)) {
            this.paragraph = false;
            return false;
        }
        const marker = LIST_MARKER.exec(content);
        if (marker !== null) {
            const markerEnd = columns + marker[0].length;
            const gap = indentOf(line, indent.end + marker[0].length, column + spent + markerEnd);
            // Text after one to four spaces starts where it stands; none, or five or more (code), starts one past it.
            const empty = gap.end === line.length;
            this.items.push(empty || gap.columns > TAB ? markerEnd + 1 : markerEnd + gap.columns);
            this.paragraph = !empty;
            return false;
        }
        this.paragraph = true;
        return false;
    }
}
