/**
 * Finds the code in Markdown: fenced blocks (backtick or tilde, any length, inside quotes, callouts and list items,
 * closed or not) and inline code spans. Pure and line-based, shared by the chat's renderer (which shows code itself,
 * inert) and the executable-content detector (which flags and neutralises code other plugins run).
 *
 * The scan leans towards finding too much code rather than too little: a block is closed only by a matching fence,
 * and the chat never relies on it alone (see `views/markdown-safety.ts`).
 */
import { backtickRuns, type BacktickRun } from './links';

/** One line of text and the line ending that followed it (`''` for the last line). */
export interface TextLine {
    /** The line without its ending. */
    text: string;
    /** `\n`, `\r\n`, `\r` or `''`. */
    eol: string;
}

/** Splits text into lines, keeping each line's ending so the text can be rebuilt byte for byte. */
export function splitLines(text: string): TextLine[] {
    const lines: TextLine[] = [];
    const pattern = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        lines.push({ text: text.slice(start, m.index), eol: m[0] });
        start = m.index + m[0].length;
    }
    lines.push({ text: text.slice(start), eol: '' });
    return lines;
}

/** Rebuilds text from its lines. */
export function joinLines(lines: TextLine[]): string {
    return lines.map((line) => line.text + line.eol).join('');
}

const CONTAINER_MARK = /^[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))[ \t]?/;

/**
 * A line split into its container prefix (blockquote and callout markers, list markers, any nesting) and the rest,
 * and how many blockquote markers the prefix holds.
 */
export function splitContainer(line: string): { prefix: string; rest: string; quotes: number } {
    let at = 0;
    let quotes = 0;
    for (;;) {
        const mark = CONTAINER_MARK.exec(line.slice(at));
        if (mark === null || mark[0] === '') break;
        if (mark[0].trimStart().startsWith('>')) quotes++;
        at += mark[0].length;
    }
    return { prefix: line.slice(0, at), rest: line.slice(at), quotes };
}

/** An opening fence. */
export interface FenceOpen {
    /** `` ` `` or `~`. */
    char: string;
    /** How many of them. */
    length: number;
    /** The info string as written (trimmed). */
    info: string;
    /** The first word of the info string, lower case (what a code-block processor is chosen by). */
    language: string;
}

const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;

/** The fence `rest` (a line after its container prefix) opens, or `null`. Any indentation counts. */
export function fenceOpener(rest: string): FenceOpen | null {
    const m = FENCE.exec(rest);
    if (m === null) return null;
    const run = m[1] ?? '';
    const info = (m[2] ?? '').trim();
    return {
        char: run[0] ?? '`',
        length: run.length,
        info,
        language: (/^[^\s{}]*/.exec(info.replace(/^\{\s*\.?/, ''))?.[0] ?? '').toLowerCase(),
    };
}

/** True when `rest` (a line after its container prefix) closes the fence `open`. */
export function closesFence(rest: string, open: FenceOpen): boolean {
    const m = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(rest);
    const run = m?.[1];
    return run !== undefined && run[0] === open.char && run.length >= open.length;
}

/** A run of Markdown: plain lines, or one fenced code block. */
export type MarkdownSegment =
    | { kind: 'text'; line: TextLine }
    | {
          kind: 'fence';
          /** The container prefix of the opening line (`> `, `- `, …). */
          prefix: string;
          /** The opening fence. */
          open: FenceOpen;
          /** Every line of the block as written: opener, body, closer (if any). */
          lines: TextLine[];
          /** The body's text with the container prefix taken off each line. */
          body: string;
          /** False when the text ended before a closing fence. */
          closed: boolean;
      };

/** Splits Markdown into plain lines and fenced code blocks. */
export function scanFences(markdown: string): MarkdownSegment[] {
    const lines = splitLines(markdown);
    const segments: MarkdownSegment[] = [];
    for (let i = 0; i < lines.length; i++) {
        const fence = fenceAt(lines, i);
        if (fence === null) {
            segments.push({ kind: 'text', line: lines[i] as TextLine });
            continue;
        }
        segments.push(fence);
        i += fence.lines.length - 1;
    }
    return segments;
}

/** The fenced code block line `at` of `lines` opens (to its closing fence, or to the end), or `null`. */
export function fenceAt(lines: readonly TextLine[], at: number): Extract<MarkdownSegment, { kind: 'fence' }> | null {
    const line = lines[at] as TextLine;
    const { prefix, rest, quotes } = splitContainer(line.text);
    const open = fenceOpener(rest);
    if (open === null) return null;
    const block: TextLine[] = [line];
    const body: string[] = [];
    let closed = false;
    for (let i = at + 1; i < lines.length; i++) {
        const next = lines[i] as TextLine;
        block.push(next);
        const inner = stripQuotes(next.text, quotes, prefix.length);
        if (closesFence(splitContainer(inner).rest, open) || closesFence(inner, open)) {
            closed = true;
            break;
        }
        body.push(inner);
    }
    return { kind: 'fence', prefix, open, lines: block, body: body.join('\n'), closed };
}

/** A body line of a block opened inside `quotes` blockquote markers, with those markers and the indent taken off. */
function stripQuotes(line: string, quotes: number, indent: number): string {
    let rest = line;
    for (let q = 0; q < quotes; q++) {
        const mark = /^[ \t]*>[ \t]?/.exec(rest);
        if (mark === null) break;
        rest = rest.slice(mark[0].length);
    }
    const spaces = /^ */.exec(rest)?.[0].length ?? 0;
    return quotes > 0 ? rest : rest.slice(Math.min(spaces, indent));
}

/** A piece of one line: text, or an inline code span. */
export type InlinePart = { code: false; text: string } | { code: true; ticks: string; content: string };

/**
 * Splits a line into text and inline code spans (a run of backticks closed by a run of the same length on the same
 * line). A backtick escaped with a backslash opens nothing; an unmatched run stays text.
 */
export function splitInlineCode(line: string): InlinePart[] {
    const parts: InlinePart[] = [];
    let textStart = 0;
    const runs = line.indexOf('`') === -1 ? [] : backtickRuns(line);
    for (let i = 0; i < runs.length; i++) {
        const run = runs[i] as BacktickRun;
        if (run.sameNext === -1 || isEscaped(line, run.start)) continue;
        const closer = runs[run.sameNext] as BacktickRun;
        if (run.start > textStart) parts.push({ code: false, text: line.slice(textStart, run.start) });
        parts.push({ code: true, ticks: line.slice(run.start, run.end), content: line.slice(run.end, closer.start) });
        textStart = closer.end;
        i = run.sameNext;
    }
    if (textStart < line.length || parts.length === 0) parts.push({ code: false, text: line.slice(textStart) });
    return parts;
}

/** The text of an inline code span as a renderer shows it (one surrounding space trimmed when both ends have one). */
export function inlineCodeText(content: string): string {
    const padded = content.length > 2 && content.startsWith(' ') && content.endsWith(' ') && /[^ ]/.test(content);
    return padded ? content.slice(1, -1) : content;
}

function isEscaped(line: string, at: number): boolean {
    let slashes = 0;
    for (let i = at - 1; i >= 0 && line[i] === '\\'; i--) slashes++;
    return slashes % 2 === 1;
}
