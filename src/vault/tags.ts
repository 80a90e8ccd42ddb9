/**
 * Tags as Obsidian reads them, and the small helpers the exclusion gate and the index match them with.
 *
 * Inline rules (as Obsidian 1.13.7's metadata cache reads them, per published side-by-side comparisons):
 * - a tag is `#` followed by one or more tag characters: anything but whitespace, ASCII punctuation other than
 *   `_`, `-` and `/`, and the Unicode punctuation blocks U+2000–U+206F and U+2E00–U+2E7F. So letters and digits of
 *   any script, emoji, `_`, `-` and `/` (nesting) are in; `#private.` is the tag `#private`;
 * - a body of ASCII digits only is not a tag (`#123` is not, `#123a` and `#2024/q1` are);
 * - Obsidian starts a tag only at the start of a line, after whitespace (NBSP and U+3000 included), after `|` in a
 *   table row, right where another tag ends (`#a#b` is two tags), or right after a piece of Markdown it reads as a node:
 *   a code span, a wikilink, a comment, an HTML tag, math, an escaped character, a quote marker at the start of a line
 *   or an emphasis mark with a partner (`tag-starts.ts` has the list).
 *
 * Where we deliberately read MORE than Obsidian (fail closed: a tag we miss is a private note leaked, a tag we read
 * too many only hides a note): a `#` after any bracket, a quote, an emphasis or highlight marker, `>`, `,`, `;`, `:`,
 * `.`, `!`, `?`, `%` (as in `%%#private%%`), a backtick, `$` or another `#` also starts a tag, so `(#private)`,
 * `"#private"`, `Tags:#private` and `$#private$` exclude a note, as does a `#` after an invisible format character
 * such as a zero-width space, after an emoji (`🔒#private`), or after any ASCII control character (a lone `\r` ends a line in CommonMark). A `#` after a letter, digit, `/`, `&` or `-` never
 * does (`C#`, `page#anchor`, `&#x27;`), nor one a backslash escapes (`\#escaped`; `\\#x` is an escaped backslash,
 * then a tag), and URLs are masked by the parser before tags are read.
 * Likewise tags inside `%% … %%`, `<!-- … -->`, math and HTML blocks are read (Obsidian hides some of them), while
 * fenced code, inline code and link targets are not. That over-reading is for the exclusion gate only: the same scan
 * also reports the tags Obsidian shows (`shownTags`, see `note-parser.ts` and decision 0004), which start only where
 * Obsidian starts a tag and lie outside comments, HTML and math too; every tag it shows is one the gate reads.
 */

import { RangeCursor } from './range-cursor';
import { escaped, isAsciiPunctuation } from './escapes';
import { ShownTagStarts } from './shown-reading';

/** Characters that end a tag body, as Obsidian defines them. */
const TAG_BODY = /[^\s\u2000-\u206F\u2E00-\u2E7F'!"#$%&()*+,.:;<=>?@^`{|}~[\]\\]+/y;
const ALL_DIGITS = /^[0-9]+$/;
const WHITESPACE_CHAR = /\s/;
const NON_ASCII = /[\u0080-\uffff]/;
/**
 * Invisible format characters (zero-width space and joiners, word joiner, bidi marks, soft hyphen). Obsidian starts no
 * tag after them as far as we know, but a note can look like it holds a tag at a line's start (some editors write
 * `\u200B#tag` to keep a tag from reading as a heading), so the exclusion reading starts one there (fail closed).
 */
const FORMAT_CHAR = /\p{Cf}/u;
/**
 * An emoji, or the parts that end one (a skin tone, a keycap, a variation selector): Obsidian starts no tag right after
 * one, but `🔒#private` is written on purpose as a lock and a tag, so the exclusion reading starts one (fail closed).
 */
const EMOJI_CHAR = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u20e3\ufe00-\ufe0f]/u;

/** ASCII characters after which a `#` may start a tag (whitespace is handled separately). */
const BOUNDARY_CODES = new Set(Array.from('_|([{"\'*~=>,;:.!?%#])}`$', (c) => c.charCodeAt(0)));

/** A half-open `[start, end)` range of a line that must not be read for tags (code spans, links, URLs). */
export type Range = readonly [number, number];

/** True when `tag` (with or without `#`) is `query` or nested under it, case-insensitively: `#a` covers `#A/b`. */
export function tagMatches(tag: string, query: string): boolean {
    const t = foldTag(tag);
    const q = foldTag(query);
    if (q === '') return false;
    return t === q || (t.length > q.length && t.startsWith(q) && (q.endsWith('/') || t.charCodeAt(q.length) === 47));
}

/** `tag` without `#`s, lowercased, and composed as NFC when it has accents (`é` typed either way is one letter). */
function foldTag(tag: string): string {
    const lower = stripHashes(tag).toLowerCase();
    return NON_ASCII.test(lower) ? lower.normalize('NFC') : lower;
}

/** `tag` with its leading `#`s removed. */
export function stripHashes(tag: string): string {
    let i = 0;
    while (i < tag.length && tag.charCodeAt(i) === 35) i++;
    return i === 0 ? tag : tag.slice(i);
}

/** The character (a whole code point: an emoji is two UTF-16 units) before `index` of `line`. */
function charBefore(line: string, index: number): string {
    const code = line.charCodeAt(index - 1);
    return code >= 0xdc00 && code <= 0xdfff && index >= 2 ? line.slice(index - 2, index) : line.charAt(index - 1);
}

/** True when a `#` right after `prev` (one character, or '' at line start) may start a tag. */
function isBoundary(prev: string): boolean {
    if (prev === '') return true;
    const code = prev.charCodeAt(0);
    // Any ASCII whitespace or control character: `\v`, `\f` and a lone `\r` (a line ending in CommonMark) too.
    if (code < 128) return code <= 32 || BOUNDARY_CODES.has(code);
    return WHITESPACE_CHAR.test(prev) || FORMAT_CHAR.test(prev) || EMOJI_CHAR.test(prev);
}

/**
 * `_#private_` is the tag `#private` in emphasis to Obsidian, yet `_` is a tag character: keep both readings so the
 * note is excluded whether the person meant `private` or `private_`.
 */
function pushWithoutEmphasis(body: string, out: string[]): void {
    if (body.charCodeAt(body.length - 1) !== 95) return;
    let end = body.length - 1;
    while (end > 0 && body.charCodeAt(end - 1) === 95) end--;
    const bare = body.slice(0, end);
    if (bare !== '' && !ALL_DIGITS.test(bare)) out.push('#' + bare);
}

/** Where a scan also collects the tags Obsidian shows: their list, and what hides tags from it besides `masked`. */
export interface ShownTags {
    out: string[];
    /** Comments, HTML tags, math: ranges whose tags are read for exclusion but not shown. */
    hidden: readonly Range[] | null;
    /** Whether the line is a row of a table, where a `|` starts a shown tag. */
    tableRow?: boolean;
}

/**
 * Appends every inline tag of `line` to `out` (as written, with `#`), skipping `#`s inside `masked` ranges. With
 * `shown`, also appends to `shown.out` the tags Obsidian shows: outside `shown.hidden` too, and only where Obsidian
 * starts a tag (`shown-reading.ts`). Allocation-free when the line has no
 * `#`.
 */
export function scanInlineTags(line: string, masked: readonly Range[] | null, out: string[], shown?: ShownTags): void {
    let hash = line.indexOf('#');
    if (hash === -1) return;
    // `#`s come left to right: each cursor walks its ranges once, so a long line costs their sum, not their product.
    const hidden = masked === null ? null : new RangeCursor(masked);
    const notShown = shown === undefined || shown.hidden === null ? null : new RangeCursor(shown.hidden);
    let starts: ShownTagStarts | null = null;
    let lastTagEnd = -1;
    let lastShownEnd = -1;
    while (hash !== -1) {
        let next = hash + 1;
        const prev = hash === 0 ? '' : charBefore(line, hash);
        // The exclusion reading needs only the line: every place Obsidian starts a tag follows whitespace, one of the
        // boundary characters, or an escaped mark, so every tag it shows is read here too (whatever `starts` knows).
        const afterEscape = hash > 0 && isAsciiPunctuation(line.charCodeAt(hash - 1)) && escaped(line, hash - 1);
        if ((hash === lastTagEnd || isBoundary(prev) || afterEscape) && !(hidden?.covers(hash) ?? false)) {
            TAG_BODY.lastIndex = hash + 1;
            const body = TAG_BODY.exec(line);
            if (body !== null) {
                next = hash + 1 + body[0].length;
                if (!ALL_DIGITS.test(body[0])) {
                    out.push('#' + body[0]);
                    lastTagEnd = next;
                    pushWithoutEmphasis(body[0], out);
                    if (
                        shown !== undefined &&
                        (hash === lastShownEnd ||
                            (starts ??= new ShownTagStarts(line, joinRanges(masked, shown.hidden), shown.tableRow)).at(
                                hash,
                            )) &&
                        !(notShown?.covers(hash) ?? false)
                    ) {
                        shown.out.push('#' + body[0]);
                        lastShownEnd = next;
                        pushWithoutEmphasis(body[0], shown.out);
                    }
                }
            }
        }
        hash = line.indexOf('#', next);
    }
}

function joinRanges(a: readonly Range[] | null, b: readonly Range[] | null): readonly Range[] | null {
    return a === null ? b : b === null ? a : [...a, ...b];
}

/**
 * Tags from a parsed frontmatter object: every key matching `tags`/`tag` in any case, each value a list (nested
 * lists flattened), a string split on commas and whitespace, with or without `#`. Numbers, booleans and dates are
 * kept as tags too (Obsidian rejects `#2024` inline, but a frontmatter `tags: 2024` was written as a tag on purpose,
 * and keeping it can only exclude more). Mappings contribute their keys and values, for the same reason.
 * Returns `false` when the value is too deep or too large to read in full (the tags are then unknown).
 */
export function frontmatterTags(frontmatter: Record<string, unknown>, out: string[]): boolean {
    const budget = { left: MAX_TAG_VALUES };
    for (const key of Object.keys(frontmatter)) {
        if (isTagKey(key)) collectTagValues(frontmatter[key], out, 0, budget);
    }
    return budget.left >= 0;
}

/** True for the frontmatter keys Obsidian reads tags from (`tags`, `tag`, any case; surrounding spaces ignored). */
export function isTagKey(key: string): boolean {
    return /^\s*tags?\s*$/i.test(key);
}

const MAX_DEPTH = 16;
// YAML anchors can make a small block expand to billions of values; past this many, the tags count as unknown.
const MAX_TAG_VALUES = 10_000;

function collectTagValues(value: unknown, out: string[], depth: number, budget: { left: number }): void {
    if (value === null || value === undefined || budget.left < 0) return;
    if (--budget.left < 0 || depth > MAX_DEPTH) {
        budget.left = -1;
        return;
    }
    if (typeof value === 'string') {
        for (const part of value.split(/[,\s]+/)) {
            const name = stripHashes(part);
            if (name !== '') out.push('#' + name);
        }
    } else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
        out.push('#' + String(value));
    } else if (value instanceof Date) {
        out.push('#' + (Number.isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 10)));
    } else if (Array.isArray(value)) {
        for (const item of value) collectTagValues(item, out, depth + 1, budget);
    } else if (typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) {
            collectTagValues(key, out, depth + 1, budget);
            collectTagValues(item, out, depth + 1, budget);
        }
    }
}

/**
 * Tags written in the raw text of the `tags:` entry of a frontmatter block, including YAML comments: `tags: #private`
 * and `- #private` are comments to YAML (so Obsidian shows no tag), but a person who wrote them meant a tag.
 * `lines` are the frontmatter lines between the delimiters.
 */
export function rawFrontmatterTags(lines: readonly string[], out: string[]): void {
    let inTagEntry = false;
    for (const line of lines) {
        const entry = /^(["']?)(tags?)\1\s*:(.*)$/i.exec(line);
        if (entry !== null) {
            inTagEntry = true;
            scanInlineTags(' ' + (entry[3] ?? ''), null, out);
        } else if (inTagEntry && (line.trim() === '' || /^[\s-]/.test(line))) {
            scanInlineTags(line, null, out);
        } else {
            inTagEntry = false;
        }
    }
}

/** Removes exact duplicates, keeping the first occurrence and the order. */
export function dedupe(values: string[]): string[] {
    return values.length < 2 ? values : Array.from(new Set(values));
}
