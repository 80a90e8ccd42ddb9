/**
 * Where links stand in a line of text, as hidden-link redaction (`src/context/hidden-links.ts`) finds them, and the
 * rest of the line: a search worker counts a line whose match lies outside every link without asking which links
 * lead to excluded notes (decision 0024).
 */

/** A wikilink or wiki embed: `[[target|alias]]`, `![[target]]`. */
export const WIKILINK = /(!?)\[\[([^\]\n]+?)\]\]/g;

/**
 * Like the parser's Markdown link, on one line, but also with unescaped spaces in the destination (`[t](My note.md)`):
 * reading more candidates can only redact more, and a candidate is redacted only when it resolves to a hidden note.
 */
export const MARKDOWN_LINK =
    /(!?)\[([^[\]\n]*)\]\([ \t]*(<[^>\n]*>|[^()\n]+?)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\)/g;

/**
 * `line` with every span redaction could ever replace (each wikilink and Markdown link, hidden or not) cut out and a
 * line break put in its place: text found in what is left is in the line however its links are judged. (A line
 * break, because no match of a search spans one.)
 */
export function outsideLinks(line: string): string {
    if (line.indexOf('[') === -1) return line;
    const spans: [number, number][] = [];
    for (const pattern of [WIKILINK, MARKDOWN_LINK]) {
        pattern.lastIndex = 0;
        for (let m = pattern.exec(line); m !== null; m = pattern.exec(line))
            spans.push([m.index, m.index + m[0].length]);
    }
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
