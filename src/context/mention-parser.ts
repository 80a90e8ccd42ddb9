/**
 * Reads @-mentions out of what the person typed. Pure: no vault, no gate.
 *
 * Syntax (decided here, shown in the chat's help):
 * - `@[[Note]]`, `@[[Note#Heading]]`, `@[[Note#^block]]` (also `@[[Note^block]]`), `@[[Note|alias]]`: a note or a part
 *   of it, resolved like a wikilink, aliases included.
 * - `@Folder/` or `@Folder/Sub/`: the notes in a folder whose path has no spaces; `@[[Folder with spaces/]]` for any
 *   folder (a wikilink target ending in `/` is a folder, since a note link never ends in one).
 * - `@#tag` (also `@#parent/child`): the notes carrying a tag, nested tags included.
 * An `@` glued to a preceding word (`me@example.com`) is not a mention.
 */
import { wikilinkReference } from '../vault/links';

/** Where a mention sits in the prompt: half-open UTF-16 offsets. */
export interface TextRange {
    /** Offset of the `@`. */
    start: number;
    /** Offset just after the mention. */
    end: number;
}

/** A mention of a note or part of one. */
export interface NoteMention {
    /** Discriminant. */
    kind: 'note';
    /** The link path as typed (`Note`, `Folder/Note`), without subpath or alias. */
    link: string;
    /** `''`, `#Heading` or `#^block`. */
    subpath: string;
    /** The alias after `|`, when typed. */
    display?: string;
    /** The mention's text exactly as typed. */
    raw: string;
    /** Where it is in the prompt. */
    range: TextRange;
}

/** A mention of a folder's notes. */
export interface FolderMention {
    /** Discriminant. */
    kind: 'folder';
    /** Vault-relative folder path without trailing slash (`''` is the vault root). */
    folder: string;
    /** The mention's text exactly as typed. */
    raw: string;
    /** Where it is in the prompt. */
    range: TextRange;
}

/** A mention of the notes with a tag. */
export interface TagMention {
    /** Discriminant. */
    kind: 'tag';
    /** The tag without `#`, as typed. */
    tag: string;
    /** The mention's text exactly as typed. */
    raw: string;
    /** Where it is in the prompt. */
    range: TextRange;
}

/** Any mention. */
export type Mention = NoteMention | FolderMention | TagMention;

// A mention counts only with its `@` at the start or after something that is not part of a word (so e-mail addresses
// are not mentions). That is checked in code (`gluedToWord`), not with a lookbehind: iOS before 16.4 cannot load one.
const MENTION = new RegExp(
    [
        String.raw`@(?:`,
        String.raw`\[\[([^\]\n]+?)\]\]`,
        String.raw`|#([\p{L}\p{N}_/-]*[\p{L}\p{N}_-])`,
        String.raw`|((?:[^\s@#[\]|/]+\/)+)(?=$|[\s,;:!?)]|\.(?:\s|$))`,
        ')',
    ].join(''),
    'gu',
);

/** Every mention in `text`, in order. */
export function parseMentions(text: string): Mention[] {
    const mentions: Mention[] = [];
    MENTION.lastIndex = 0;
    for (let m = MENTION.exec(text); m !== null; m = MENTION.exec(text)) {
        if (gluedToWord(text, m.index)) {
            // Not a mention; look again from just after this `@`, as a search refusing this position would.
            MENTION.lastIndex = m.index + 1;
            continue;
        }
        const range = { start: m.index, end: m.index + m[0].length };
        const raw = m[0];
        if (m[1] !== undefined) {
            mentions.push(wikiMention(m[1], raw, range));
        } else if (m[2] !== undefined) {
            mentions.push({ kind: 'tag', tag: m[2].replace(/\/+$/, ''), raw, range });
        } else if (m[3] !== undefined) {
            mentions.push({ kind: 'folder', folder: trimFolder(m[3]), raw, range });
        }
    }
    return mentions;
}

/** Ends with a letter, digit, `_`, `.` or `@` (a whole code point, so a letter outside the BMP counts). */
const WORD_END = /[\p{L}\p{N}_.@]$/u;

/** Whether the `@` at `at` follows a letter, digit, `_`, `.` or `@`. */
function gluedToWord(text: string, at: number): boolean {
    // Two UTF-16 units hold the whole code point before `at`, a surrogate pair included.
    return WORD_END.test(text.slice(Math.max(0, at - 2), at));
}

function wikiMention(inner: string, raw: string, range: TextRange): Mention {
    const ref = wikilinkReference(inner, raw, 0);
    if (ref.subpath === '' && ref.link.endsWith('/'))
        return { kind: 'folder', folder: trimFolder(ref.link), raw, range };
    let link = ref.link;
    let subpath = ref.subpath;
    // `Note^block` is how people often type a block mention; Obsidian writes `Note#^block`.
    const caret = link.indexOf('^');
    if (subpath === '' && caret > 0) {
        subpath = `#${link.slice(caret)}`;
        link = link.slice(0, caret).trim();
    }
    const mention: NoteMention = { kind: 'note', link, subpath, raw, range };
    if (ref.displayText !== undefined) mention.display = ref.displayText;
    return mention;
}

function trimFolder(folder: string): string {
    return folder
        .trim()
        .replace(/\\/g, '/')
        .replace(/^\/+|\/+$/g, '')
        .normalize('NFC');
}
