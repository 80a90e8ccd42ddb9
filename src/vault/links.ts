/**
 * Links, embeds and the parts of a line that are not prose (inline code, link targets, URLs), read one line at a
 * time by the note parser.
 */
import type { LinkReference } from '../kernel/vault-port';
import { wikilinks } from './link-spans';
import { RangeCursor } from './range-cursor';
import type { Range } from './tags';

const BACKTICKS = /`+/g;
// Link text without brackets, so that `[![alt](img.png)](Note.md)` yields the inner embed. After the destination, either
// `)` or whitespace, then maybe a title and whitespace, then `)`: no two parts can take the same characters, and no
// part runs past the next bracket, parenthesis or quote of its kind, so a line costs its length however it fails.
const MARKDOWN_LINK = /(!?)\[([^[\]]*)\]\(\s*(<[^<>\n]*>|[^\s()]+)(?:\s+(?:(?:"[^"]*"|'[^']*'|\([^()]*\))\s*)?)?\)/g;
const URL = /\b[a-z][a-z0-9+.-]*:\/\/[^\s<>()[\]]*/gi;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Where a line's links and embeds go. */
export interface LinkSink {
    /** Outgoing links. */
    links: LinkReference[];
    /** Embeds. */
    embeds: LinkReference[];
}

/**
 * The inline code spans of `line` (CommonMark: a run of N backticks closed by the next run of exactly N), or `null`
 * when there are none. A span left open is plain text. Spans across lines are not recognised, which can only make
 * the parser read more tags, never fewer.
 */
export function codeSpans(line: string): Range[] | null {
    if (line.indexOf('`') === -1) return null;
    const runs = backtickRuns(line);
    let spans: Range[] | null = null;
    for (let i = 0; i < runs.length; i++) {
        const close = runs[i]?.sameNext ?? -1;
        if (close === -1) continue;
        (spans ??= []).push([(runs[i] as BacktickRun).start, (runs[close] as BacktickRun).end]);
        i = close;
    }
    return spans;
}

/** One run of backticks, and the next run of the same length after it (its index, or -1). */
export interface BacktickRun {
    start: number;
    end: number;
    sameNext: number;
}

/**
 * The runs of backticks of `line`, each with the next run of the same length: found in one pass from the right, so a
 * line of many runs that close nothing costs its length, not its length times its runs.
 */
export function backtickRuns(line: string): BacktickRun[] {
    const runs: BacktickRun[] = [];
    BACKTICKS.lastIndex = 0;
    for (let m = BACKTICKS.exec(line); m !== null; m = BACKTICKS.exec(line)) {
        runs.push({ start: m.index, end: m.index + m[0].length, sameNext: -1 });
    }
    const latest = new Map<number, number>();
    for (let i = runs.length - 1; i >= 0; i--) {
        const run = runs[i] as BacktickRun;
        const length = run.end - run.start;
        run.sameNext = latest.get(length) ?? -1;
        latest.set(length, i);
    }
    return runs;
}

/** Half-open ranges of bare URLs (`scheme://…`) in `line`, appended to `out`. */
export function urlRanges(line: string, out: Range[]): void {
    if (line.indexOf('://') === -1) return;
    URL.lastIndex = 0;
    for (let m = URL.exec(line); m !== null; m = URL.exec(line)) out.push([m.index, m.index + m[0].length]);
}

/**
 * Reads the wikilinks and Markdown links of `line` into `sink`, ignoring those that start inside `code`. Appends to
 * `masked` the ranges that are link targets rather than prose (a whole wikilink, a Markdown link's destination), so
 * that `[[#Heading]]` or `[x](#anchor)` are not read as tags while `[a #tag](x)` still is.
 */
export function scanLinks(
    line: string,
    lineNumber: number,
    code: readonly Range[] | null,
    sink: LinkSink,
    masked: Range[],
): void {
    if (line.indexOf('[') === -1) return;
    if (line.indexOf('[[') !== -1) {
        // Matches come left to right, so each cursor walks its ranges once (a long line costs their sum).
        const inCode = new RangeCursor(code);
        for (const link of wikilinks(line)) {
            if (inCode.covers(link.start)) continue;
            masked.push([link.start, link.end]);
            const ref = wikilinkReference(link.inner, line.slice(link.start, link.end), lineNumber);
            (link.embed ? sink.embeds : sink.links).push(ref);
        }
    }
    if (line.indexOf('](') !== -1) {
        // A destination pushed below lies inside its own match, before any later one: what is masked now is enough.
        const inCode = new RangeCursor(code);
        const inLink = new RangeCursor(masked);
        MARKDOWN_LINK.lastIndex = 0;
        for (let m = MARKDOWN_LINK.exec(line); m !== null; m = MARKDOWN_LINK.exec(line)) {
            if (inCode.covers(m.index) || inLink.covers(m.index)) continue;
            const destination = m[3] ?? '';
            const destinationStart = m.index + m[0].lastIndexOf(destination);
            masked.push([destinationStart, destinationStart + destination.length]);
            const ref = markdownReference(destination, m[2] ?? '', m[0], lineNumber);
            if (ref !== null) (m[1] === '!' ? sink.embeds : sink.links).push(ref);
        }
    }
}

/** Splits wikilink text `Note#Heading|alias` the way Obsidian's `parseLinktext` does. */
export function wikilinkReference(inner: string, original: string, line: number): LinkReference {
    let target = inner;
    let displayText: string | undefined;
    const pipe = inner.indexOf('|');
    if (pipe !== -1) {
        displayText = inner.slice(pipe + 1);
        // Inside a table the pipe is escaped as `\|`; the backslash belongs to the syntax, not to the path.
        target = inner.slice(0, inner.charCodeAt(pipe - 1) === 92 ? pipe - 1 : pipe);
    }
    const { link, subpath } = splitSubpath(target);
    const ref: LinkReference = { link: link.trim(), subpath, original, line };
    if (displayText !== undefined) ref.displayText = displayText;
    return ref;
}

/**
 * A Markdown link destination as a vault link (URL-decoded, `<…>` unwrapped), or `null` for links that leave the
 * vault (`https:`, `mailto:`, `obsidian:` and any other scheme, or `//host`).
 */
export function markdownReference(
    destination: string,
    text: string,
    original: string,
    line: number,
): LinkReference | null {
    let target = destination.startsWith('<') ? destination.slice(1, -1).trim() : destination;
    if (target === '' || SCHEME.test(target) || target.startsWith('//')) return null;
    // Split before decoding, so that an encoded `%23` stays part of the path.
    const parts = splitSubpath(target);
    const ref: LinkReference = { link: decodeLink(parts.link), subpath: decodeLink(parts.subpath), original, line };
    if (text !== '') ref.displayText = text;
    return ref;
}

function decodeLink(target: string): string {
    if (target.indexOf('%') === -1) return target;
    try {
        return decodeURIComponent(target);
    } catch {
        return target;
    }
}

/** `Note#Heading` → `{ link: 'Note', subpath: '#Heading' }`; the subpath starts at the first `#`. */
export function splitSubpath(target: string): { link: string; subpath: string } {
    const hash = target.indexOf('#');
    return hash === -1 ? { link: target, subpath: '' } : { link: target.slice(0, hash), subpath: target.slice(hash) };
}
