/**
 * Reads a Markdown note the way Obsidian's metadata cache does: frontmatter, tags, aliases, links, embeds, headings
 * and block ids. The exclusion gate decides on `tags`, so where Obsidian's behaviour is unclear the parser reads
 * more tags, never fewer (see `tags.ts` for the tag rules, and decision 0004).
 *
 * Links, embeds, headings, block ids and `shownTags` follow Obsidian's reading: nothing inside HTML comments
 * (`<!-- … -->`), `%% … %%` comments (`note-comments.ts`), fenced code (in callouts, quotes and list items too, found by
 * `markdown-code.ts`), indented code (`indented-code.ts`) or inline code; `shownTags` also nothing in HTML
 * (`html-in-markdown.ts`). `tags` keeps reading comments, indented code, HTML and code in callouts and lists (fail
 * closed).
 *
 * One pass over the lines with precompiled regexes; work beyond a few `indexOf`s happens only on lines that hold a
 * `#`, `[`, `` ` `` or `^`. Line numbers are zero-based lines of the whole file, frontmatter included.
 */
import { frontmatterAliases, readFrontmatter } from './frontmatter';
import { codeSpans, scanLinks, urlRanges } from './links';
import { IndentedCode, mayHaveIndentedCode } from './indented-code';
import { HtmlBlocks, htmlTagRanges, MathSpans, TableRows } from './shown-reading';
import { NoteComments } from './note-comments';
import { fenceAt, splitLines, type TextLine } from './markdown-code';
import { dedupe, frontmatterTags, rawFrontmatterTags, scanInlineTags } from './tags';
import type { Range } from './tags';
import type { BlockInfo, HeadingInfo, LinkReference, NoteMetadata } from '../kernel/vault-port';

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
/** An ATX heading's opening: up to three spaces, one to six `#`, then whitespace or the end of the line. */
const HEADING_START = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
const BLOCK_ID = /(?:^|\s)\^([A-Za-z0-9-]+)[ \t]*$/;
const NON_BLANK = /\S/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)/;
/** What may stand before a fence marker inside a container: quote and list marks, or an indent of 4 or more. */
const NESTED_FENCE_PREFIX = /^(?:[ \t]*(?:>|[-*+]|\d{1,9}[.)]))+[ \t]*$|^(?: {4,}|\t)[ \t]*$/;

/** An open fenced code block: its marker character, length, and the tags read inside it in case it never closes. */
interface OpenFence {
    /** `` ` `` or `~`. */
    char: string;
    /** How many of them opened the fence; a closing fence needs at least as many. */
    length: number;
    /** Tags written inside, counted only if the fence never closes. */
    pendingTags: string[];
}

/** Parses `text` into the metadata Obsidian would report for it. Pure; never throws on any input. */
export function parseNote(text: string): NoteMetadata {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (line.endsWith('\r')) lines[i] = line.slice(0, -1);
    }
    if (lines[0]?.charCodeAt(0) === 0xfeff) lines[0] = lines[0].slice(1);

    const tags: string[] = [];
    const shownTags: string[] = [];
    const links: LinkReference[] = [];
    const embeds: LinkReference[] = [];
    const headings: HeadingInfo[] = [];
    const blocks: BlockInfo[] = [];
    const sink = { links, embeds };

    let frontmatter: Record<string, unknown> | null = null;
    let frontmatterError: string | undefined;
    let aliases: string[] = [];
    let bodyStart = 0;
    // Only a note that starts with `---` can have frontmatter; the rest skip YAML entirely.
    if (lines[0]?.startsWith('---') === true) {
        const block = readFrontmatter(lines);
        bodyStart = block.bodyStart;
        frontmatter = block.data;
        frontmatterError = block.error;
        if (block.data !== null) {
            if (!frontmatterTags(block.data, tags)) frontmatterError = 'The frontmatter tags are too large to read';
            shownTags.push(...tags);
            aliases = frontmatterAliases(block.data);
        }
        rawFrontmatterTags(block.yamlLines, tags);
    }
    // Lines of fenced code as Obsidian sees it (also in callouts, quotes and list items): no links, headings, block
    // ids or shown tags there. The exclusion tags below keep their own, narrower reading of fences.
    const codeLines = hasNestedFence(text) ? fencedLines(lines, bodyStart) : null;
    // Indented code (four columns past its container's text, not continuing a paragraph) is code to Obsidian too.
    const indented = mayHaveIndentedCode(text) ? new IndentedCode() : null;
    // HTML is not Markdown: a `#` in an HTML tag or block is no tag Obsidian shows (the exclusion tags still read it).
    const html = text.indexOf('<') !== -1 ? new HtmlBlocks() : null;
    // Math is a formula, not Markdown: no tag Obsidian shows inside `$…$`, `$$…$$` or a display block.
    const math = text.indexOf('$') !== -1 ? new MathSpans(lines) : null;
    // A `|` starts a shown tag in a table row only (`|#x|`), not in prose (`a |#x`).
    const tables = text.indexOf('|') !== -1 ? new TableRows(lines, bodyStart) : null;
    const comments = new NoteComments(lines);
    const mayComment = text.indexOf('%%') !== -1 || text.indexOf('<!--') !== -1;

    let fence: OpenFence | null = null;
    let blockStart = -1;
    let previousBlockStart = -1;
    let previousWasHeading = false;
    for (let i = bodyStart; i < lines.length; i++) {
        const line = lines[i] as string;
        if (fence !== null) {
            if (closesFence(line, fence)) fence = null;
            else if (line.indexOf('#') !== -1) scanInlineTags(line, null, fence.pendingTags);
            indented?.other();
            html?.other();
            continue;
        }
        const opened = openFence(line);
        if (opened !== null) {
            indented?.other();
            html?.other();
            fence = opened;
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = i;
            previousWasHeading = false;
            continue;
        }
        const inFence = codeLines !== null && codeLines.has(i);
        let inIndented = false;
        if (indented !== null) {
            // Inside a comment a deep indent is the comment's text, not code (as in an HTML block).
            if (inFence || comments.html || comments.percent) indented.other();
            else inIndented = indented.isCode(line);
        }
        let inHtml = false;
        if (html !== null) {
            if (inFence || inIndented) html.other();
            else inHtml = html.inBlock(line, blockStart === -1);
        }
        if (!NON_BLANK.test(line)) {
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = -1;
            previousWasHeading = false;
            continue;
        }

        const hasHash = line.indexOf('#') !== -1;
        const inCode = inFence || inIndented;
        let code: Range[] | null | undefined;
        const hidden = inCode || !mayComment ? null : comments.ranges(line, i, (code = codeSpans(line)));
        let formulas: Range[] | null = null;
        if (math !== null && !inCode && math.touches(line)) {
            if (code === undefined) code = codeSpans(line);
            formulas = math.ranges(line, i, joined(code, hidden));
        }
        // Whole line in code or a comment: Obsidian reads nothing here (exclusion tags are still read below).
        const unseen = inCode || (hidden !== null && hidden.some(([start, end]) => start === 0 && end >= line.length));
        const heading = hasHash ? atxHeading(line) : null;
        if (heading !== null && !unseen && !startsInside(line, hidden)) {
            headings.push({ level: heading.level, heading: heading.text, line: i });
        }
        if (blockStart === -1 || heading !== null || previousWasHeading || LIST_ITEM.test(line)) {
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = i;
        }
        previousWasHeading = heading !== null;

        const hasBracket = line.indexOf('[') !== -1;
        const hasCaret = line.indexOf('^') !== -1;
        if (!hasHash && !hasBracket && !hasCaret) continue;
        if (code === undefined) code = codeSpans(line);
        // Code spans and comments hide links; links hide tags. A link left unread (in a comment or fenced code) hides
        // nothing, so the exclusion tags read there are never fewer than before links were left out.
        const unread = unseen ? null : hidden === null ? code : code === null ? hidden : [...code, ...hidden];
        let masked: Range[] | null = null;
        if (hasBracket && !unseen) {
            masked = code === null ? [] : code.slice();
            scanLinks(line, i, unread, sink, masked);
        }
        if (hasHash) {
            masked ??= code === null ? [] : code.slice();
            urlRanges(line, masked);
            // One scan reads the exclusion tags and the tags Obsidian shows: none in code, comments or HTML.
            const shown =
                unseen || inHtml
                    ? undefined
                    : {
                          out: shownTags,
                          hidden: joined(joined(hidden, html === null ? null : htmlTagRanges(line)), formulas),
                          tableRow: tables?.has(i) ?? false,
                      };
            scanInlineTags(line, masked.length === 0 ? null : masked, tags, shown);
        }
        if (hasCaret && !unseen) readBlockId(line, i, blockStart, previousBlockStart, unread, blocks);
    }
    // A fence that never closes hides the rest of the note from Obsidian; we keep its tags (fail closed).
    if (fence !== null) tags.push(...fence.pendingTags);

    for (const ref of links) detachReference(ref);
    for (const ref of embeds) detachReference(ref);
    for (const heading of headings) heading.heading = detach(heading.heading);
    for (const block of blocks) block.id = detach(block.id);
    // Unknown tags (unreadable frontmatter) make the gate exclude the note.
    const noteTags = frontmatterError === undefined ? dedupe(tags).map(detach) : undefined;
    const shown = dedupe(shownTags).map(detach);
    // Kept for every note of the vault, so nothing in it holds on to the note's text, and empty lists are shared.
    const metadata: NoteMetadata = {
        frontmatter: frontmatter === null ? null : (detachAll(frontmatter) as Record<string, unknown>),
        tags: noteTags,
        shownTags: noteTags !== undefined && sameList(noteTags, shown) ? noteTags : orNone(shown),
        aliases: orNone(aliases.map(detach)),
        links: orNone(links),
        embeds: orNone(embeds),
        headings: orNone(headings),
        blocks: orNone(blocks),
    };
    if (frontmatterError !== undefined) metadata.frontmatterError = frontmatterError;
    return metadata;
}

/**
 * The ATX heading `line` holds (its level, and its text without the closing `#`s), or `null`. Read by hand, not by
 * one pattern: a pattern with an optional closing sequence between runs of whitespace tried every split of a long run
 * of spaces, which took seconds on one line of them.
 */
function atxHeading(line: string): { level: number; text: string } | null {
    const start = HEADING_START.exec(line);
    if (start === null) return null;
    let end = trimmedEnd(line, line.length);
    let hashes = end;
    while (hashes > start[0].length && line.charCodeAt(hashes - 1) === 35) hashes--;
    // A closing run of `#`s counts after whitespace, or when it is all there is.
    const before = line.charCodeAt(hashes - 1);
    if (hashes < end && (hashes === start[0].length || before === 32 || before === 9)) end = trimmedEnd(line, hashes);
    return {
        level: (start[1] as string).length,
        text: end <= start[0].length ? '' : line.slice(start[0].length, end).trim(),
    };
}

/** Where `line` ends before `end` once trailing spaces and tabs are left out. */
function trimmedEnd(line: string, end: number): number {
    let at = end;
    while (at > 0 && (line.charCodeAt(at - 1) === 32 || line.charCodeAt(at - 1) === 9)) at--;
    return at;
}

/** Both lists of ranges as one, or `null` when both are `null`. */
function joined(a: Range[] | null, b: Range[] | null): Range[] | null {
    return a === null ? b : b === null ? a : [...a, ...b];
}

/** True when the first non-blank character of `line` lies inside one of `ranges`. */
function startsInside(line: string, ranges: readonly Range[] | null): boolean {
    if (ranges === null) return false;
    const first = line.search(NON_BLANK);
    return ranges.some(([start, end]) => first >= start && first < end);
}

/**
 * Whether `text` has a fence marker after a container prefix (quote, callout, list item) or a deeper indent: fences
 * at the top level are skipped by the parser's own loop already, so only these need `fencedLines`. Looks only at the
 * few places a marker occurs.
 */
function hasNestedFence(text: string): boolean {
    for (const marker of ['```', '~~~']) {
        // The start of each marker's line, found going forward: each line break is looked at once, however many
        // markers one long line holds.
        let lineStart = 0;
        let nextBreak = text.indexOf('\n');
        for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + 3)) {
            while (nextBreak !== -1 && nextBreak < at) {
                lineStart = nextBreak + 1;
                nextBreak = text.indexOf('\n', lineStart);
            }
            const prefix = text.slice(lineStart, at);
            if (prefix !== '' && NESTED_FENCE_PREFIX.test(prefix)) return true;
        }
    }
    return false;
}

/**
 * The line numbers (of the whole note) of fenced code blocks after `bodyStart`, found by `markdown-code.ts` (fences in
 * quotes, callouts and list items too: opener, body and closer), or `null` when the body has no fence at all. A fence
 * marker four columns or more past its container's text (indented code, or a paragraph going on) opens nothing.
 */
function fencedLines(lines: readonly string[], bodyStart: number): Set<number> | null {
    const code = new Set<number>();
    // A lone carriage return inside a line would be a line break to `splitLines`: keep the line numbers aligned.
    const body = lines.slice(bodyStart).join('\n');
    const bodyLines = splitLines(body.indexOf('\r') === -1 ? body : body.replace(/\r/g, ' '));
    const indented = new IndentedCode();
    for (let k = 0; k < bodyLines.length; k++) {
        const line = (bodyLines[k] as TextLine).text;
        if (indented.isCode(line) || indented.continuedDeep) continue;
        const fence = fenceAt(bodyLines, k);
        if (fence === null) continue;
        for (let n = 0; n < fence.lines.length; n++) code.add(bodyStart + k + n);
        indented.other();
        k += fence.lines.length - 1;
    }
    return code;
}

function openFence(line: string): OpenFence | null {
    if (line.indexOf('```') === -1 && line.indexOf('~~~') === -1) return null;
    const m = FENCE_OPEN.exec(line);
    if (m === null) return null;
    const marker = m[1] as string;
    // A backtick fence's info string may not contain a backtick (CommonMark); then it is inline code, not a fence.
    if (marker.charCodeAt(0) === 96 && (m[2] ?? '').indexOf('`') !== -1) return null;
    return { char: marker.charAt(0), length: marker.length, pendingTags: [] };
}

/** A closing fence: up to 3 spaces, the same character at least as many times, nothing else but whitespace. */
function closesFence(line: string, fence: OpenFence): boolean {
    let i = 0;
    while (i < 3 && line.charCodeAt(i) === 32) i++;
    let run = 0;
    while (line.charAt(i + run) === fence.char) run++;
    return run >= fence.length && line.slice(i + run).trim() === '';
}

/**
 * Records a `^id` at the end of `line`. A line holding only the id names the block before it (Obsidian's syntax for
 * tables, quotes and lists); otherwise it names the paragraph or list item it ends.
 */
function readBlockId(
    line: string,
    lineNumber: number,
    blockStart: number,
    previousBlockStart: number,
    code: readonly Range[] | null,
    blocks: BlockInfo[],
): void {
    const m = BLOCK_ID.exec(line);
    if (m === null) return;
    const caret = line.lastIndexOf('^');
    if (code !== null && code.some(([start, end]) => caret >= start && caret < end)) return;
    const alone = line.trim().length === (m[1] as string).length + 1;
    let startLine = blockStart === -1 ? lineNumber : blockStart;
    if (alone && startLine === lineNumber && previousBlockStart !== -1) startLine = previousBlockStart;
    blocks.push({ id: m[1] as string, startLine, endLine: lineNumber });
}

/**
 * A copy of `value` that does not point into the note's text. V8 represents substrings of 13+ characters as views
 * of their parent string, so without this every stored link or heading would keep the whole note in memory.
 * Concatenating and slicing makes V8 copy the characters into a new string first.
 */
function detach(value: string): string {
    return value.length < 13 ? value : (' ' + value).slice(1);
}

/** The one empty list every note without links, headings… shares (frozen: metadata is never changed in place). */
const NONE: never[] = Object.freeze([]) as unknown as never[];

function orNone<T>(list: T[]): T[] {
    return list.length === 0 ? NONE : list;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
    return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** `value` (parsed YAML) with every string detached from the note's text. */
function detachAll(value: unknown): unknown {
    if (typeof value === 'string') return detach(value);
    if (Array.isArray(value)) return value.map(detachAll);
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        // `fromEntries` defines each key as data, so a key named `__proto__` stays a plain key.
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [detach(key), detachAll(item)]));
    }
    return value;
}

function detachReference(ref: LinkReference): void {
    ref.link = detach(ref.link);
    ref.subpath = detach(ref.subpath);
    ref.original = detach(ref.original);
    if (ref.displayText !== undefined) ref.displayText = detach(ref.displayText);
}
