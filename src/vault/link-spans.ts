/**
 * Where links stand in a line of text, as hidden-link redaction (`src/context/hidden-links.ts`) finds them, and the
 * rest of the line: a search worker counts a line whose match lies outside every link without asking which links
 * lead to excluded notes (decision 0024). The note parser (`links.ts`) and embeds (`context/embeds.ts`) find their
 * wikilinks here too.
 *
 * Every scan here takes time in proportion to the text: a note is anything a person (or another program) saved, and
 * one line of `[[` or of spaces after `[x](` must not hold a search or a read for minutes (decision 0034).
 */

/** One `[[target|alias]]` or `![[target]]`. */
export interface WikilinkMatch {
    /** Where it starts (at the `!` of an embed). */
    start: number;
    /** Just after its `]]`. */
    end: number;
    /** An embed (`![[…]]`). */
    embed: boolean;
    /** The text between the brackets. */
    inner: string;
}

/**
 * The wikilinks and wiki embeds of `text`, left to right: from `[[` (or `![[`) to the first `]` after it, which must be
 * the first of `]]`, with something between and no line break. The same matches as `/(!?)\[\[([^\]\n]+?)\]\]/g`, but
 * each `]` and line break is looked for once, not once per `[[` before it.
 */
export function wikilinks(text: string): WikilinkMatch[] {
    const found: WikilinkMatch[] = [];
    let close = -1;
    let lineEnd = -1;
    for (let open = text.indexOf('[['); open !== -1;) {
        if (close < open + 2) close = text.indexOf(']', open + 2);
        if (close === -1) break;
        if (lineEnd < open) {
            lineEnd = text.indexOf('\n', open);
            if (lineEnd === -1) lineEnd = text.length;
        }
        if (close > open + 2 && close < lineEnd && text.charCodeAt(close + 1) === 93) {
            const embed = open > 0 && text.charCodeAt(open - 1) === 33;
            const start = embed ? open - 1 : open;
            found.push({ start, end: close + 2, embed, inner: text.slice(open + 2, close) });
            open = text.indexOf('[[', close + 2);
        } else {
            open = text.indexOf('[[', open + 1);
        }
    }
    return found;
}

/**
 * Like the parser's Markdown link, on one line, but also with unescaped spaces in the destination (`[t](My note.md)`):
 * reading more candidates can only redact more, and a candidate is redacted only when it resolves to a hidden note.
 * Group 3 is everything between the parentheses (one pair of parentheses inside, as a title, at most);
 * `markdownDestinations` reads the destination from it. No two parts of the pattern can take the same characters, so
 * a failed match costs the length it looked at, once.
 */
export const MARKDOWN_LINK = /(!?)\[([^[\]\n]*)\]\(([^()\n]*(?:\([^()\n]*\)[^()\n]*)?)\)/g;

/** A title after a destination: `"…"`, `'…'` or `(…)`, after whitespace, at the end. */
const TITLE_END: Record<string, string> = { '"': '"', "'": "'", ')': '(' };

/**
 * The destinations `inside` (group 3 of `MARKDOWN_LINK`) can name: the whole of it, trimmed, and, when it ends with a
 * title, what stands before the title. Both are tried, so a link is redacted however its title is read.
 */
export function markdownDestinations(inside: string): string[] {
    const whole = inside.trim();
    const opener = TITLE_END[whole.charAt(whole.length - 1)];
    if (opener === undefined || whole.length < 2) return [whole];
    const at = whole.lastIndexOf(opener, whole.length - 2);
    const before = whole.charCodeAt(at - 1);
    if (at <= 0 || (before !== 32 && before !== 9)) return [whole];
    return [whole, whole.slice(0, at).trim()];
}

/**
 * `line` with every span redaction could ever replace (each wikilink and Markdown link, hidden or not) cut out and a
 * line break put in its place: text found in what is left is in the line however its links are judged. (A line
 * break, because no match of a search spans one.)
 */
export function outsideLinks(line: string): string {
    if (line.indexOf('[') === -1) return line;
    const spans: [number, number][] = [];
    for (const link of wikilinks(line)) spans.push([link.start, link.end]);
    MARKDOWN_LINK.lastIndex = 0;
    for (let m = MARKDOWN_LINK.exec(line); m !== null; m = MARKDOWN_LINK.exec(line))
        spans.push([m.index, m.index + m[0].length]);
    if (spans.length === 0) return line;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let at = 0;
    for (const [start, end] of spans) {
        if (end <= at) continue;
        if (start > at) out += line.slice(at, start);
        out += '\n';
        at = end;
    }
    return out + line.slice(at);
}
