/**
 * The part of a note a link's subpath names, the way Obsidian cuts it for an embed: `#Heading` is the heading and
 * everything under it up to the next heading of the same or a higher level; `#^id` is the block that carries the id.
 */
import { parseNote } from '../vault/note-parser';

/** A subpath's text, or why it could not be cut. */
export type SubpathText = { found: true; text: string; fromLine: number; toLine: number } | { found: false };

/**
 * Normalises how people write a subpath: `^id` and `#^id` are a block, `#A#B` is heading `B` under `A` (only the
 * last heading counts, as in Obsidian). Returns `''` for no subpath.
 */
export function normaliseSubpath(subpath: string): string {
    const trimmed = subpath.trim();
    if (trimmed === '' || trimmed === '#') return '';
    if (trimmed.startsWith('^')) return `#${trimmed}`;
    return trimmed.startsWith('#') ? trimmed : `#${trimmed}`;
}

/** Headings compare like Obsidian's: case-insensitive, runs of whitespace and link/format characters ignored. */
function headingKey(heading: string): string {
    return heading
        .replace(/[[\]|#^:*_`]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .toLowerCase();
}

/** The lines of `text` that `subpath` names; the whole text for an empty subpath. */
export function subpathText(text: string, subpath: string): SubpathText {
    const normalised = normaliseSubpath(subpath);
    const lines = text.split('\n');
    if (normalised === '') return { found: true, text, fromLine: 0, toLine: Math.max(0, lines.length - 1) };
    const metadata = parseNote(text);
    if (normalised.startsWith('#^')) {
        const id = normalised.slice(2).toLowerCase();
        const block = metadata.blocks.find((b) => b.id.toLowerCase() === id);
        if (block === undefined) return { found: false };
        return slice(lines, block.startLine, block.endLine);
    }
    const parts = normalised.split('#').filter((p) => p.trim() !== '');
    const wanted = headingKey(parts[parts.length - 1] ?? '');
    const at = metadata.headings.findIndex((h) => headingKey(h.heading) === wanted);
    const heading = metadata.headings[at];
    if (heading === undefined) return { found: false };
    const next = metadata.headings.slice(at + 1).find((h) => h.level <= heading.level);
    const end = next === undefined ? lines.length - 1 : next.line - 1;
    return slice(lines, heading.line, trimTrailingBlank(lines, heading.line, end));
}

function slice(lines: readonly string[], from: number, to: number): SubpathText {
    const text = lines
        .slice(from, to + 1)
        .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
        .join('\n');
    return { found: true, text, fromLine: from, toLine: to };
}

function trimTrailingBlank(lines: readonly string[], from: number, to: number): number {
    let end = to;
    while (end > from && (lines[end] ?? '').trim() === '') end--;
    return end;
}
