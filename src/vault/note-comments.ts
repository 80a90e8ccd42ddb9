/**
 * Comments in a note as Obsidian reads them: `<!-- … -->` and `%% … %%`, on one line or across lines, an opener inside
 * an inline code span opening nothing. The parser (`note-parser.ts`) reads no link, heading, block id or shown tag in
 * them; code that places text in a note (a block id) asks where they are.
 */
import { codeSpans } from './links';
import { RangeCursor } from './range-cursor';
import type { Range } from './tags';

/** Whether a comment is open at the start of a line. */
export interface CommentState {
    /** Inside `<!-- … -->`. */
    html: boolean;
    /** Inside `%% … %%`. */
    percent: boolean;
}

/**
 * The ranges of `line` inside HTML or `%%` comments (either may span lines: `state` says whether one is open at the
 * start of the line, and is left as it is at its end), or `null` when there are none. An opener inside a code span
 * opens nothing.
 */
export function commentRanges(line: string, state: CommentState, code: readonly Range[] | null): Range[] | null {
    if (!state.html && !state.percent && line.indexOf('%%') === -1 && line.indexOf('<!--') === -1) return null;
    let ranges: Range[] | null = null;
    let at = 0;
    // Each opener's occurrences are looked at left to right, each with its own cursor over the code spans: one found
    // beyond a comment is kept, not looked for again (a cursor never goes back).
    const forHtml = new RangeCursor(code);
    const forPercent = new RangeCursor(code);
    let html = -2;
    let percent = -2;
    while (at <= line.length) {
        if (state.html || state.percent) {
            const closer = state.html ? '-->' : '%%';
            const end = line.indexOf(closer, at);
            if (end === -1) {
                (ranges ??= []).push([at, line.length]);
                return ranges;
            }
            (ranges ??= []).push([at, end + closer.length]);
            state.html = false;
            state.percent = false;
            at = end + closer.length;
            continue;
        }
        if (html !== -1 && html < at) html = nextOutside(line, '<!--', at, forHtml);
        if (percent !== -1 && percent < at) percent = nextOutside(line, '%%', at, forPercent);
        if (html === -1 && percent === -1) break;
        const isHtml = html !== -1 && (percent === -1 || html < percent);
        const start = isHtml ? html : percent;
        if (isHtml) state.html = true;
        else state.percent = true;
        // The opener is part of the comment; look for the closer after it.
        (ranges ??= []).push([start, start + (isHtml ? 4 : 2)]);
        at = start + (isHtml ? 4 : 2);
    }
    return ranges;
}

/**
 * The ranges of `line` inside HTML or `%%` comments as the parser reads them (code spans open none), `state` carried from
 * line to line as in `commentRanges`: for code that places text in a note (a block id) and must know where a comment
 * hides it. Lines of fenced code are not to be passed.
 */
export function lineCommentRanges(line: string, state: CommentState): Range[] | null {
    if (!state.html && !state.percent && line.indexOf('%%') === -1 && line.indexOf('<!--') === -1) return null;
    return commentRanges(line, state, codeSpans(line));
}

/** Where `token` next occurs in `line` at or after `from` outside the code spans, or -1 (`from` never goes back). */
function nextOutside(line: string, token: string, from: number, code: RangeCursor): number {
    for (let at = line.indexOf(token, from); at !== -1; at = line.indexOf(token, at + 1)) {
        if (!code.covers(at)) return at;
    }
    return -1;
}
