/**
 * A note's metadata as the note index keeps it and the index snapshot stores it (decision 0026): the tags and link
 * names asked of every note, and the rest as JSON parsed when asked.
 */
import type { ScannedTags } from '../kernel/text-scan';
import { VaultError, type NoteMetadata } from '../kernel/vault-port';

/**
 * A note as the index keeps it (and the index snapshot stores it): its tags, the names of the files its links can lead
 * to, and its whole metadata as UTF-8 JSON, parsed when asked.
 */
export interface StoredNote {
    screen: ScannedTags;
    linkKeys: string[];
    /** The metadata's JSON: as text, or as UTF-8 in `bytes` from `start` to `end` (a snapshot row, in the file's bytes). */
    json: string | JsonBytes;
}

/** UTF-8 JSON lying in a larger buffer. */
export interface JsonBytes {
    bytes: Uint8Array;
    start: number;
    end: number;
}

/** The metadata of a listed note that could not be read: its tags are unknown, so the gate excludes it. */
export const UNREADABLE: NoteMetadata = Object.freeze({
    frontmatter: null,
    frontmatterError: 'the note could not be read',
    tags: undefined,
    aliases: [],
    links: [],
    embeds: [],
    headings: [],
    blocks: [],
});

/** Separates the link names of one note where they are joined (a link path holds no NUL that matters to resolution). */
export const KEY_SEPARATOR = '\u0000';

const FROM_UTF8 = new TextDecoder();

/** The metadata in `json` (a kept note's), or `null` when it does not parse into metadata of the expected shape. */
export function parseStoredMetadata(json: string | JsonBytes): NoteMetadata | null {
    let metadata: unknown;
    try {
        metadata = JSON.parse(
            typeof json === 'string' ? json : FROM_UTF8.decode(json.bytes.subarray(json.start, json.end)),
        );
    } catch {
        return null;
    }
    return isMetadata(metadata) ? metadata : null;
}

function isMetadata(metadata: unknown): metadata is NoteMetadata {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return false;
    const m = metadata as Record<string, unknown>;
    return (
        (m.tags === undefined || Array.isArray(m.tags)) &&
        Array.isArray(m.links) &&
        Array.isArray(m.embeds) &&
        Array.isArray(m.headings) &&
        Array.isArray(m.blocks) &&
        Array.isArray(m.aliases)
    );
}

/**
 * The largest note read at all from disk (the CLI and the MCP server). A note's text is held whole while it is read and
 * parsed, several times its size: a 400 MB log pasted into the vault took 18 s and 3 GB to open. A larger note is
 * listed, never read: its tags are unknown, so the gate excludes it, and a read of it says why (decision 0041).
 */
export const MAX_NOTE_BYTES = 32 * 1024 * 1024;

/** The metadata of a listed note too large to read (`MAX_NOTE_BYTES`): unknown tags, so the gate excludes it. */
export const TOO_LARGE: NoteMetadata = Object.freeze({
    ...UNREADABLE,
    frontmatterError: `the note is too large to read (over ${MAX_NOTE_BYTES / 1024 / 1024} MB)`,
});

/** Throws when a note of `size` bytes is too large to read (`MAX_NOTE_BYTES`). */
export function assertNoteReadable(size: number, path: string): void {
    if (size <= MAX_NOTE_BYTES) return;
    const mb = (size / 1024 / 1024).toFixed(1);
    throw new VaultError(
        'io',
        `"${path}" is too large to read: ${mb} MB, over the ${MAX_NOTE_BYTES / 1024 / 1024} MB a note may be.`,
        path,
    );
}
