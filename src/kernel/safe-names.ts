/**
 * Safe names for new notes, and collision keys. Pure, so FsVault and the Obsidian adapter share one rule.
 *
 * The rule for characters Windows or Obsidian links reject: separators (`: | / \`) become ` - ` so "Q3: plan?"
 * reads "Q3 - plan"; brackets become parentheses; `"` becomes `'`; `* ? # ^` and control characters are dropped.
 */

/** The base name of a new note is cut to this many UTF-8 bytes, leaving room for ` 123.md` under the 255-byte limit. */
export const MAX_BASE_NAME_BYTES = 200;

/** The name used when sanitising leaves nothing. */
export const FALLBACK_NOTE_NAME = 'Untitled';

const SEPARATORS = /[:|/\\]/gu;
const DROPPED = /[*?#^\p{Cc}]/gu;
/**
 * Left out with nothing in their place: the explicit bidi embeddings, overrides and isolates, which can make a name
 * read as another (`invoice\u202Efdp.md` shows as `invoicedm.pdf`), and invisible spaces. Joiners (ZWJ in emoji, ZWNJ
 * in Persian) and the plain direction marks stay: text needs them.
 */
const INVISIBLE = /[\u200b\u202a-\u202e\u2066-\u2069\ufeff]/gu;
const NOTE_EXTENSION = /\.md$/iu;
// Windows maps these names to devices whatever the extension; `¹²³` count as digits there too.
const RESERVED = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/iu;
const MAX_SUFFIX = 10_000;

/**
 * Makes `name` safe as the file name of a new note: replaces forbidden characters, trims trailing dots and spaces
 * (and leading dots, which would hide the note), avoids Windows device names, caps the length at grapheme
 * boundaries, NFC. A trailing `.md` is kept as the extension. Never returns an empty name.
 */
export function sanitizeNoteName(name: string): string {
    const nfc = name.normalize('NFC');
    const extension = NOTE_EXTENSION.exec(nfc)?.[0] ?? '';
    let base = nfc
        .slice(0, nfc.length - extension.length)
        .replace(INVISIBLE, '')
        .replace(/[\u00a0\u202f]/gu, ' ')
        .replace(SEPARATORS, ' - ')
        .replace(/"/gu, "'")
        .replace(/[<[]/gu, '(')
        .replace(/[>\]]/gu, ')')
        .replace(DROPPED, ' ')
        .replace(/\s+/gu, ' ')
        .replace(/( - )+/gu, ' - ');
    base = trimEdges(base);
    base = trimEdges(truncateUtf8(base, MAX_BASE_NAME_BYTES));
    if (base === '') base = FALLBACK_NOTE_NAME;
    // Windows judges the part before the first dot, so the suffix goes there: `LPT9.tar` → `LPT9_.tar`.
    if (isReservedWindowsName(base)) base = base.replace(/^[^.]*/u, (stem) => `${stem}_`);
    return base + extension;
}

/** True when Windows would treat this file or folder name as a device (`CON`, `nul.md`, `COM1.txt`, `LPT¹`). */
export function isReservedWindowsName(name: string): boolean {
    const stem = name.split('.')[0] ?? '';
    return RESERVED.test(stem.replace(/[ ]+$/u, ''));
}

/**
 * The key under which two paths are the same file somewhere: case-folded and NFC, so `Notes.md` and `notes.md`, or
 * `Café.md` in NFC and NFD, collide (macOS and Windows would store them as one file; Sync would clash).
 */
export function collisionKey(path: string): string {
    return path.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** Whether a candidate path is already taken; may be async (a disk check) or sync (an in-memory index). */
export type PathTaken = (path: string) => boolean | Promise<boolean>;

/**
 * The first of `desired`, `Name 1.ext`, `Name 2.ext`, … that is not taken: neither `isTaken` says so nor any of
 * `existingPaths` shares its collision key. `isTaken` may be an exact-match check; the keys catch the twins.
 */
export async function uniqueNotePath(
    desired: string,
    isTaken: PathTaken,
    existingPaths: Iterable<string> = [],
): Promise<string> {
    const keys = new Set<string>();
    for (const path of existingPaths) keys.add(collisionKey(path));
    const slash = desired.lastIndexOf('/');
    const folder = desired.slice(0, slash + 1);
    const fileName = desired.slice(slash + 1);
    const dot = fileName.lastIndexOf('.');
    const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
    const extension = dot > 0 ? fileName.slice(dot) : '';
    for (let n = 0; n <= MAX_SUFFIX; n++) {
        const candidate = n === 0 ? desired : `${folder}${stem} ${n}${extension}`;
        if (keys.has(collisionKey(candidate))) continue;
        if (await isTaken(candidate)) continue;
        return candidate;
    }
    throw new Error(`No free name like "${desired}" after ${MAX_SUFFIX} tries.`);
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a grapheme (surrogate pair, combining sequence, ZWJ emoji). */
export function truncateUtf8(text: string, maxBytes: number): string {
    const encoder = new TextEncoder();
    if (encoder.encode(text).length <= maxBytes) return text;
    let out = '';
    let bytes = 0;
    for (const grapheme of graphemes(text)) {
        const size = encoder.encode(grapheme).length;
        if (bytes + size > maxBytes) break;
        out += grapheme;
        bytes += size;
    }
    return out;
}

function graphemes(text: string): string[] {
    if (typeof Intl.Segmenter === 'function') {
        return [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
    }
    // Older WebViews: code points, keeping combining marks and joiners with the character before them.
    return text.match(/\P{M}(?:\p{M}|\u200d|\ufe0f)*|(?:\p{M}|\u200d|\ufe0f)+/gu) ?? [];
}

function trimEdges(base: string): string {
    let trimmed = base.trim();
    let previous = '';
    while (previous !== trimmed) {
        previous = trimmed;
        trimmed = trimmed
            .replace(/^[.\s]+/u, '')
            .replace(/[.\s]+$/u, '')
            .replace(/^-(\s+|$)/u, '')
            .replace(/(^|\s+)-$/u, '');
    }
    return trimmed;
}
