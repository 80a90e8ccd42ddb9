/**
 * Reads a Markdown note the way Obsidian's metadata cache does: frontmatter, tags, aliases, links, embeds, headings
 * and block ids. The exclusion gate decides on these tags, so where Obsidian's behaviour is unclear the parser reads
 * more tags, never fewer (see `tags.ts` for the tag rules).
 *
 * One pass over the lines with precompiled regexes; work beyond a few `indexOf`s happens only on lines that hold a
 * `#`, `[`, `` ` `` or `^`. Line numbers are zero-based lines of the whole file, frontmatter included.
 */
import { frontmatterAliases, readFrontmatter } from './frontmatter';
import { codeSpans, scanLinks, urlRanges } from './links';
import { dedupe, frontmatterTags, rawFrontmatterTags, scanInlineTags } from './tags';
import type { Range } from './tags';
import type { BlockInfo, HeadingInfo, LinkReference, NoteMetadata } from '../kernel/vault-port';

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const BLOCK_ID = /(?:^|\s)\^([A-Za-z0-9-]+)[ \t]*$/;
const NON_BLANK = /\S/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)/;

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
            aliases = frontmatterAliases(block.data);
        }
        rawFrontmatterTags(block.yamlLines, tags);
    }

    let fence: OpenFence | null = null;
    let blockStart = -1;
    let previousBlockStart = -1;
    let previousWasHeading = false;
    for (let i = bodyStart; i < lines.length; i++) {
        const line = lines[i] as string;
        if (fence !== null) {
            if (closesFence(line, fence)) fence = null;
            else if (line.indexOf('#') !== -1) scanInlineTags(line, null, fence.pendingTags);
            continue;
        }
        const opened = openFence(line);
        if (opened !== null) {
            fence = opened;
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = i;
            previousWasHeading = false;
            continue;
        }
        if (!NON_BLANK.test(line)) {
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = -1;
            previousWasHeading = false;
            continue;
        }

        const hasHash = line.indexOf('#') !== -1;
        const heading = hasHash ? HEADING.exec(line) : null;
        if (heading !== null) {
            headings.push({ level: (heading[1] as string).length, heading: (heading[2] ?? '').trim(), line: i });
        }
        if (blockStart === -1 || heading !== null || previousWasHeading || LIST_ITEM.test(line)) {
            if (blockStart !== -1) previousBlockStart = blockStart;
            blockStart = i;
        }
        previousWasHeading = heading !== null;

        const hasBracket = line.indexOf('[') !== -1;
        const hasCaret = line.indexOf('^') !== -1;
        if (!hasHash && !hasBracket && !hasCaret) continue;
        const code = codeSpans(line);
        let masked: Range[] | null = null;
        if (hasBracket) {
            masked = code === null ? [] : code.slice();
            scanLinks(line, i, code, sink, masked);
        }
        if (hasHash) {
            masked ??= code === null ? [] : code.slice();
            urlRanges(line, masked);
            scanInlineTags(line, masked.length === 0 ? null : masked, tags);
        }
        if (hasCaret) readBlockId(line, i, blockStart, previousBlockStart, code, blocks);
    }
    // A fence that never closes hides the rest of the note from Obsidian; we keep its tags (fail closed).
    if (fence !== null) tags.push(...fence.pendingTags);

    for (const ref of links) detachReference(ref);
    for (const ref of embeds) detachReference(ref);
    for (const heading of headings) heading.heading = detach(heading.heading);
    for (const block of blocks) block.id = detach(block.id);
    const metadata: NoteMetadata = {
        frontmatter,
        // Unknown tags (unreadable frontmatter) make the gate exclude the note.
        tags: frontmatterError === undefined ? dedupe(tags).map(detach) : undefined,
        aliases: aliases.map(detach),
        links,
        embeds,
        headings,
        blocks,
    };
    if (frontmatterError !== undefined) metadata.frontmatterError = frontmatterError;
    return metadata;
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

function detachReference(ref: LinkReference): void {
    ref.link = detach(ref.link);
    ref.subpath = detach(ref.subpath);
    ref.original = detach(ref.original);
    if (ref.displayText !== undefined) ref.displayText = detach(ref.displayText);
}
