/**
 * HTML in a note as CommonMark (and so Obsidian's metadata cache) reads it, for the tags Obsidian shows: a `#` inside
 * an HTML tag (`<span style="color: #ff0000">`) or inside an HTML block (`<div>` … to the next blank line,
 * `<p>x #y</p>` on a line of its own) is HTML, not a tag. The exclusion tags still read it (decision 0004).
 *
 * Line-based, like the rest of the parser. An HTML comment is a comment (`note-parser.ts`), not handled here; tags
 * spread over several lines are not followed.
 */
import type { HtmlReading } from './shown-reading';
import type { Range } from './tags';

/** One attribute of a tag: a name, and maybe `=` and a value (bare, or in single or double quotes). */
const ATTRIBUTE = String.raw`(?:[ \t]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t]*=[ \t]*(?:[^\s"'=<>${'`'}]+|'[^']*'|"[^"]*"))?)`;
/** An opening tag (with its attributes, maybe self-closing) or a closing tag. */
const TAG = String.raw`<(?:[A-Za-z][A-Za-z0-9-]*${ATTRIBUTE}*[ \t]*\/?|\/[A-Za-z][A-Za-z0-9-]*[ \t]*)>`;
const TAGS = new RegExp(TAG, 'g');
/** A line holding one tag and nothing else: an HTML block of its own kind (CommonMark's 7th), after a blank line. */
const LONE_TAG = new RegExp(String.raw`^ {0,3}${TAG}[ \t]*$`);
/** The start of an HTML block that ends at a blank line (CommonMark's 6th kind): one of the block-level tag names. */
const BLOCK_START = /^ {0,3}<\/?([A-Za-z][A-Za-z0-9]*)(?=[ \t>]|\/>|$)/;
/** The start of an HTML block that ends at its closing tag (CommonMark's 1st kind). */
const RAW_START = /^ {0,3}<(pre|script|style|textarea)(?=[ \t>]|$)/i;

const BLOCK_TAGS = new Set(
    (
        'address article aside base basefont blockquote body caption center col colgroup dd details dialog dir div dl ' +
        'dt fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head header hr html iframe legend ' +
        'li link main menu menuitem nav noframes ol optgroup option p param search section summary table tbody td ' +
        'tfoot th thead title tr track ul'
    ).split(' '),
);

/** The ranges of `line` inside HTML tags, or `null` when it has none. */
export function htmlTagRanges(line: string): Range[] | null {
    if (line.indexOf('<') === -1) return null;
    let ranges: Range[] | null = null;
    TAGS.lastIndex = 0;
    for (let m = TAGS.exec(line); m !== null; m = TAGS.exec(line))
        (ranges ??= []).push([m.index, m.index + m[0].length]);
    return ranges;
}

/** Follows a note's body line by line and says which lines belong to an HTML block. */
export class HtmlBlocks implements HtmlReading {
    /** The open block: ended by a blank line, or by a line holding this closing tag; `null` when none is open. */
    private open: 'blank' | RegExp | null = null;

    /** A line read as something else (code, a fence): no HTML block goes on across it. */
    other(): void {
        this.open = null;
    }

    /** Whether `line`, the next line of the body, belongs to an HTML block; `afterBlank`: the line before was blank. */
    inBlock(line: string, afterBlank: boolean): boolean {
        const blank = line.trim() === '';
        if (this.open === 'blank') {
            if (blank) this.open = null;
            return !blank;
        }
        if (this.open !== null) {
            if (this.open.test(line)) this.open = null;
            return true;
        }
        if (blank || line.indexOf('<') === -1) return false;
        const raw = RAW_START.exec(line);
        if (raw !== null) {
            const closer = new RegExp(`</${raw[1] as string}>`, 'i');
            if (!closer.test(line)) this.open = closer;
            return true;
        }
        const block = BLOCK_START.exec(line);
        if (
            (block !== null && BLOCK_TAGS.has((block[1] as string).toLowerCase())) ||
            (afterBlank && LONE_TAG.test(line))
        ) {
            this.open = 'blank';
            return true;
        }
        return false;
    }
}
