/**
 * A note as the relevance index reads it: six fields, each weighted on its own (`FIELD_BOOSTS`). The title is the file
 * name; aliases, headings and tags come from the note's metadata (Obsidian's reading: the shown tags, never the ones
 * read beyond Obsidian only to fail closed); properties are the other frontmatter keys with their values; the body is
 * the text below the frontmatter.
 */
import { parseNote } from '../vault/note-parser';
import type { NoteMetadata } from '../kernel/vault-port';

/** The fields of the index, in the order results list them. */
export const NOTE_FIELDS = ['title', 'aliases', 'headings', 'tags', 'properties', 'body'] as const;

/** One field of the index. */
export type NoteField = (typeof NOTE_FIELDS)[number];

/**
 * How much a match in each field counts against one in the body: the words of a title, an alias or a tag name what
 * the note is about; a heading names a part of it.
 */
export const FIELD_BOOSTS: Readonly<Record<NoteField, number>> = {
    title: 4,
    aliases: 3.5,
    tags: 3,
    headings: 2.5,
    properties: 1.5,
    body: 1,
};

/** One note as indexed: its path (the id) and its fields. */
export interface NoteDocument extends Record<NoteField, string> {
    /** The vault path. */
    id: string;
}

/** Frontmatter keys read into other fields (or not text at all), left out of `properties`. */
const NOT_PROPERTIES: ReadonlySet<string> = new Set([
    'tags',
    'tag',
    'aliases',
    'alias',
    'cssclasses',
    'cssclass',
    'publish',
]);

/**
 * Most characters of a body indexed. Nearly every note is far shorter; the few very long ones (exports, logs) would
 * cost build time and memory out of proportion, and `search_notes` still finds text beyond this.
 */
export const MAX_BODY_CHARS = 20_000;

/** Most characters of `properties` kept per note: a property holding a whole document is body, not a label. */
const MAX_PROPERTIES_CHARS = 2_000;

/** The name of a note: its file name without `.md`. */
export function noteTitle(path: string): string {
    return path.slice(path.lastIndexOf('/') + 1).replace(/\.md$/iu, '');
}

/** The tags of `metadata` as Obsidian shows them, lower-cased, without `#`. */
export function shownTagsOf(metadata: NoteMetadata | undefined): string[] {
    const tags = metadata?.shownTags ?? metadata?.tags ?? [];
    return [...new Set(tags.map((tag) => tag.replace(/^#+/u, '').toLowerCase()))];
}

/** The document of `path` with `text`; `metadata` when the host has it current, else parsed from the text now. */
export function noteDocument(path: string, text: string, metadata?: NoteMetadata): NoteDocument {
    const meta = metadata ?? parseNote(text);
    return {
        id: path,
        title: noteTitle(path),
        aliases: meta.aliases.join('\n'),
        headings: meta.headings.map((heading) => heading.heading).join('\n'),
        // `project/client-work` reads as its words; the tokenizer splits on the slashes and dashes.
        tags: shownTagsOf(meta).join('\n'),
        properties: propertiesText(meta.frontmatter),
        body: bodyOf(text).slice(0, MAX_BODY_CHARS),
    };
}

/** The text below the frontmatter (all of it when there is none). */
export function bodyOf(text: string): string {
    if (!text.startsWith('---')) return text;
    const end = /\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/u.exec(text.slice(3));
    return end === null ? text : text.slice(3 + end.index + end[0].length);
}

/** Where the body starts in `text` (a character offset). */
export function bodyStart(text: string): number {
    return text.length - bodyOf(text).length;
}

/** `key value` lines for the frontmatter properties other than tags and aliases. */
function propertiesText(frontmatter: Record<string, unknown> | null): string {
    if (frontmatter === null) return '';
    const lines: string[] = [];
    let used = 0;
    for (const [key, value] of Object.entries(frontmatter)) {
        if (NOT_PROPERTIES.has(key.toLowerCase())) continue;
        const line = `${key} ${flatten(value)}`;
        used += line.length;
        if (used > MAX_PROPERTIES_CHARS) break;
        lines.push(line);
    }
    return lines.join('\n');
}

/** A property value as words: lists and nested maps spread out, dates as written. */
export function flatten(value: unknown, depth = 0): string {
    if (value === null || value === undefined || depth > 3) return '';
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
    if (Array.isArray(value)) return value.map((item) => flatten(item, depth + 1)).join(' ');
    if (typeof value === 'object') {
        return Object.entries(value as Record<string, unknown>)
            .map(([key, item]) => `${key} ${flatten(item, depth + 1)}`)
            .join(' ');
    }
    return '';
}
