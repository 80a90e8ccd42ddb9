/**
 * Math in a note as Obsidian reads it, for the tags Obsidian shows: a `#` inside `$…$`, `$$…$$` or a `$$` display block
 * is part of the formula, not a tag (the exclusion tags still read it, decision 0004). The delimiter rules below follow
 * published side-by-side readbacks of Obsidian 1.13.7's metadata cache; what sits outside math must stay readable, so
 * prices in prose (`$5 and #x for $10`) hide nothing.
 *
 * - A `$` opens inline math unless a space or a tab follows it (a newline, a letter or a no-break space may) or it is
 *   escaped (`\$`; `\\$` is an escaped backslash, then a `$`). It may stand right after a word (`a$b$`).
 * - The span ends at the first `$` after it that is neither escaped, nor right after a space or a tab (a line start is
 *   fine), nor right before a digit (`$5`). Which `$`s can end a span does not depend on where it opened, so a line of
 *   openers that never close is read once, not once per opener.
 * - `$$` opens math that ends at the next `$$` (spaces inside allowed, a digit after allowed). When no `$$` follows,
 *   its second `$` is tried as a single `$`.
 * - Inline math may go on over the lines of its paragraph; an empty line or a line of spaces ends the paragraph (a line
 *   holding a tab does not), and so do a code fence and a heading. An unclosed `$` or `$$` is no math at all.
 * - A line that starts (after any indent) with `$$` and holds no second `$$` opens a display block. It runs to a line
 *   that is `$$` alone (any indent, trailing whitespace), across empty lines; a block never closed runs to the end of
 *   the note. `$$` alone with text after it on the same line (`$$ #x`, `b$$`) closes nothing.
 * - Dollars in inline code and in comments count for nothing. Where math and a comment overlap, the comment wins here;
 *   Obsidian lets whichever opens first win, a difference that can only hide a tag Obsidian shows, never show one it
 *   hides.
 */
import { escaped } from './escapes';
import { codeSpans } from './links';
import { INTERRUPTS_PARAGRAPH, PARAGRAPH_BREAK } from './note-comments';
import { RangeCursor } from './range-cursor';
import type { MathReading } from './shown-reading';
import type { Range } from './tags';

/** A display block's opening line: any indent, then `$$`. */
const DISPLAY_OPEN = /^[ \t]*\$\$/;
/** A display block's closing line: `$$` alone. */
const DISPLAY_CLOSE = /^[ \t]*\$\$[ \t]*\r?$/;

/** Where an inline span that goes on over later lines ends: the line, and the index just after its closer. */
interface SpanEnd {
    line: number;
    end: number;
}

/** Follows a note's body line by line and says which parts of each line are math. */
export class MathSpans implements MathReading {
    private display = false;
    private pending: SpanEnd | null = null;
    /** Lookaheads that found no closer: from this line on, up to `noneTo`, no `$` (or `$$`) closes a span. */
    private noneFrom: Record<'single' | 'double', number> = { single: -1, double: -1 };
    private noneTo: Record<'single' | 'double', number> = { single: -1, double: -1 };

    /** `lines`: the whole note, so a span left open at the end of a line can look for its closer further on. */
    constructor(private readonly lines: readonly string[]) {}

    /** Whether `line` may hold math or lies in it: the only lines `ranges` needs to see. */
    touches(line: string): boolean {
        return this.display || this.pending !== null || line.indexOf('$') !== -1;
    }

    /**
     * The ranges of `line` (line number `index` of the note, outside code) that are math, or `null`. `ignored`: its
     * code spans and comments, where a `$` counts for nothing. Lines come in order; blank lines, lines of code and lines
     * `touches` turns down may be left out.
     */
    ranges(line: string, index: number, ignored: readonly Range[] | null): Range[] | null {
        if (this.display) {
            if (DISPLAY_CLOSE.test(line)) this.display = false;
            return [[0, line.length]];
        }
        let from = 0;
        let out: Range[] | null = null;
        const pending = this.pending;
        if (pending !== null) {
            if (pending.line > index) return [[0, line.length]];
            this.pending = null;
            if (pending.line === index) {
                out = [[0, pending.end]];
                from = pending.end;
            }
        }
        if (line.indexOf('$', from) === -1) return out;
        const dollars = usableDollars(line, ignored);
        if (from === 0 && DISPLAY_OPEN.test(line)) {
            const open = line.indexOf('$$');
            // `$$` with no second `$$` on its line opens a display block; with one, it is read as inline math below.
            if (dollars.includes(open) && !hasDouble(dollars, open + 2)) {
                this.display = true;
                return [[open, line.length]];
            }
        }
        // Each list is walked with one pointer: openers and closers are both looked for left to right.
        let d = 0;
        let closer = 0;
        const single = dollars.filter((i) => closesSingle(line, i));
        // A span from `open`: closed on this line just before `end`, on a later line of the paragraph, or not at all.
        const span = (open: number, end: number, kind: 'single' | 'double'): 'line' | 'later' | 'none' => {
            if (end !== -1) {
                (out ??= []).push([open, end]);
                from = end;
                return 'line';
            }
            const later = this.lookahead(index, kind);
            if (later === null) return 'none';
            (out ??= []).push([open, line.length]);
            this.pending = later;
            return 'later';
        };
        while (d < dollars.length) {
            let open = dollars[d] as number;
            if (open < from) {
                d++;
                continue;
            }
            if (dollars[d + 1] === open + 1) {
                const close = nextDouble(dollars, d + 2);
                const took = span(open, close === -1 ? -1 : close + 2, 'double');
                if (took === 'later') return out;
                if (took === 'line') continue;
                // No `$$` closes it: its second `$` is tried on its own.
                open += 1;
                d++;
            }
            const next = line.charCodeAt(open + 1);
            if (next === 32 || next === 9) {
                d++;
                continue;
            }
            while (closer < single.length && (single[closer] as number) <= open) closer++;
            const took = span(open, closer < single.length ? (single[closer] as number) + 1 : -1, 'single');
            if (took === 'later') return out;
            if (took === 'line') continue;
            d++;
        }
        return out;
    }

    /** Where a span left open on line `index` closes on a later line of its paragraph, or `null`. */
    private lookahead(index: number, kind: 'single' | 'double'): SpanEnd | null {
        if (this.noneFrom[kind] !== -1 && index + 1 >= this.noneFrom[kind] && index < this.noneTo[kind]) return null;
        let i = index + 1;
        for (; i < this.lines.length; i++) {
            const line = this.lines[i] as string;
            if (PARAGRAPH_BREAK.test(line) || INTERRUPTS_PARAGRAPH.test(line)) break;
            if (line.indexOf('$') === -1) continue;
            const dollars = usableDollars(line, codeSpans(line));
            const close =
                kind === 'double' ? nextDouble(dollars, 0) : (dollars.find((at) => closesSingle(line, at)) ?? -1);
            if (close !== -1) return { line: i, end: close + (kind === 'double' ? 2 : 1) };
        }
        this.noneFrom[kind] = index + 1;
        this.noneTo[kind] = i;
        return null;
    }
}

/** The indexes of the `$`s of `line` that may open or close math: outside `ignored` (code, comments), not escaped. */
function usableDollars(line: string, ignored: readonly Range[] | null): number[] {
    const skip = ignored === null ? null : new RangeCursor(ignored);
    const at: number[] = [];
    for (let i = line.indexOf('$'); i !== -1; i = line.indexOf('$', i + 1)) {
        if (skip?.covers(i) !== true && !escaped(line, i)) at.push(i);
    }
    return at;
}

/** Whether `$` at `at` may end a single-dollar span: not after a space or a tab, not before a digit. */
function closesSingle(line: string, at: number): boolean {
    const before = at === 0 ? -1 : line.charCodeAt(at - 1);
    if (before === 32 || before === 9) return false;
    const after = line.charCodeAt(at + 1);
    return !(after >= 48 && after <= 57);
}

/** The index of the first `$$` among `dollars` from position `k` of the list on, or -1. */
function nextDouble(dollars: readonly number[], k: number): number {
    for (let j = k; j + 1 < dollars.length; j++) {
        if (dollars[j + 1] === (dollars[j] as number) + 1) return dollars[j] as number;
    }
    return -1;
}

/** Whether a usable `$$` starts at or after index `from` of the line. */
function hasDouble(dollars: readonly number[], from: number): boolean {
    const k = dollars.findIndex((at) => at >= from);
    return k !== -1 && nextDouble(dollars, k) !== -1;
}
