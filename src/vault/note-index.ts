/**
 * The metadata of every note in a vault folder, and the links between them, kept current as files change. FsVault
 * feeds it. It holds no note text, except the text of a note written since anyone last asked about it: a write is
 * parsed when its metadata is first needed, not at once (the delegate queue rewrites each job note several times per
 * job and nobody reads its metadata in between).
 *
 * Compact by design (issue #22: a vault of 100,000 notes within 600 MB): a parsed note is kept as its metadata in
 * JSON, parsed again when asked (the last few parsed are kept as objects), beside the two things asked of every note
 * at once: its tags (the exclusion gate judges every note of every listing) and the file names its links can lead to.
 * A parsed note as objects costs about three times its JSON.
 *
 * Backlinks are found from those names: a link can only resolve to a file whose `fileNameKey` is the link's
 * `linkNameKey`, so the notes that link to `path` are among those registered under its file name, and only they are
 * resolved (their targets kept until a file of such a name appears or goes, or the note changes). No graph of the
 * whole vault is built, so the first backlinks question costs the notes that could answer it, not every link.
 */
import { frontmatterLinkPaths } from './frontmatter';
import { fileNameKey, linkNameKey, LinkResolver } from './link-resolver';
import { parseNote } from './note-parser';
import { tagMatches } from './tags';
import { isMarkdownPath } from '../kernel/vault-port';
import type { ScannedTags } from '../kernel/text-scan';
import type { FileEntry, LinkReference, NoteMetadata } from '../kernel/vault-port';
import { JsonArena } from './json-arena';
import { addTo, removeFrom, type Sources } from './link-sources';
import { KEY_SEPARATOR, parseStoredMetadata, UNREADABLE, type JsonBytes, type StoredNote } from './stored-note';

/** A note's metadata as a loader gives it: parsed now, or stored (a snapshot row). */
type LoadedMetadata = { metadata: NoteMetadata } | StoredNote;

/** A stored note not taken in yet (a snapshot row); `null` when it does not hold what it should. */
export interface StoredRow {
    stored(): StoredNote | null;
}

/** A waiting note to be read from its file when first touched. */
const UNREAD = 0;

/** What the index keeps of a parsed note. */
interface KeptNote {
    /** The gate's fields, at hand. */
    screen: ScannedTags;
    /**
     * The whole metadata as UTF-8 JSON in `bytes` from `start` to `end`: a snapshot row's (in the file's bytes: no
     * copy, no object per note) or a chunk of the index's arena; `null` when JSON cannot hold it (a YAML alias cycle:
     * then `parsed` holds it).
     */
    bytes: Uint8Array | null;
    start: number;
    end: number;
    parsed: NoteMetadata | null;
}

/** How many notes are kept parsed as objects, most recently parsed first out of the JSON. */
const RECENT_PARSED = 256;

/** Every file of a vault with the metadata of its notes, link resolution and backlinks. */
export class NoteIndex {
    /**
     * `readNow`: the metadata of a note read from its file now, for a note stored unread (`setUnread`) or whose stored
     * metadata turns out damaged; metadata without tags when it cannot be read (the gate then excludes the note).
     */
    constructor(private readonly readNow: (path: string) => NoteMetadata = () => UNREADABLE) {}

    private readonly entries = new Map<string, FileEntry>();
    private readonly kept = new Map<string, KeptNote>();
    /** The JSON of the notes parsed here (outside the JavaScript heap). */
    private readonly arena = new JsonArena();
    /**
     * Texts stored with `parse: 'when-asked'`, rows stored with `setStored` and notes stored with `setUnread`, turned
     * into `kept` notes the first time anything touches them.
     */
    private readonly unparsed = new Map<string, string | StoredRow | typeof UNREAD>();
    /** Metadata parsed from `kept` JSON lately, oldest first. */
    private readonly recent = new Map<string, NoteMetadata>();
    private readonly resolver = new LinkResolver();
    /** Notes by each `linkNameKey` of their links: the only notes a file of that name can have as backlinks. */
    private readonly sourcesByLinkKey = new Map<string, Sources>();
    /** The keys each note is registered under in `sourcesByLinkKey`, joined by `KEY_SEPARATOR`. */
    private readonly linkNames = new Map<string, string>();
    /** Where each note's links resolved to, for notes resolved since they or a file of a linked name last changed. */
    private readonly targets = new Map<string, string[]>();
    /** Backlinks answered since the last change that could alter any (the gate asks them for every attachment check). */
    private readonly answered = new Map<string, readonly string[]>();
    /** Notes waiting to be parsed, whose links are registered once they are (before backlinks are answered). */
    private readonly dirty = new Set<string>();

    /** True when `path` is indexed with exactly this mtime and size (so it need not be re-read). */
    isFresh(path: string, entry: FileEntry): boolean {
        const known = this.entries.get(path);
        if (known === undefined || known.mtime !== entry.mtime || known.size !== entry.size) return false;
        // A note stored without its text has no metadata yet, so it must be read again.
        return !isMarkdownPath(path) || this.kept.has(path) || this.unparsed.has(path);
    }

    /**
     * Stores a file's entry and, for a note, its metadata: parsed from `text` now, or (`'when-asked'`) the first time
     * anything asks. Registers any file (attachments too) for link resolution.
     */
    set(entry: FileEntry, text: string | null, parse: 'now' | 'when-asked' = 'now'): void {
        const path = entry.path;
        const isNew = !this.entries.has(path);
        this.entries.set(path, { ...entry });
        this.forgetNote(path);
        if (text !== null && isMarkdownPath(path)) {
            if (parse === 'now') this.keep(path, { metadata: parseNote(text) });
            else this.wait(path, text);
        }
        if (isNew) {
            this.resolver.add(path);
            this.invalidateLinksTo(path);
        }
    }

    /** Stores a note's entry, its metadata to be taken from `row` the first time anything touches it (or read now). */
    setStored(entry: FileEntry, row: StoredRow): void {
        this.set(entry, null);
        this.wait(entry.path, row);
    }

    /**
     * Stores a note's entry, its metadata to be read from its file the first time anything touches it (or `settle`
     * runs): the vault's opening scan lists every note without reading it, and a call judges only the notes it touches.
     */
    setUnread(entry: FileEntry): void {
        this.set(entry, null);
        this.wait(entry.path, UNREAD);
    }

    /** The notes that still wait for their metadata, in the order they were stored. */
    waiting(): string[] {
        return Array.from(this.unparsed.keys());
    }

    /** Forgets a file; links to it become unresolved (or resolve to another file of the same name). */
    delete(path: string): void {
        if (!this.entries.delete(path)) return;
        this.forgetNote(path);
        this.resolver.remove(path);
        this.invalidateLinksTo(path);
    }

    /** All paths known to the index. */
    paths(): string[] {
        return Array.from(this.entries.keys());
    }

    /** The metadata of a note, or `undefined` when it is not an indexed note. */
    metadata(path: string): NoteMetadata | undefined {
        const note = this.note(path);
        if (note === undefined) return undefined;
        if (note.parsed !== null) return note.parsed;
        const recent = this.recent.get(path);
        if (recent !== undefined) return recent;
        const parsed = parseStoredMetadata(jsonOf(note));
        if (parsed !== null) return this.remember(path, parsed);
        // Damaged: read from the note itself.
        const metadata = this.readNow(path);
        this.forgetNote(path);
        this.keep(path, { metadata });
        return metadata;
    }

    /**
     * The tags of a note and whether its frontmatter could be read (what the exclusion gate judges), without the rest
     * of its metadata; `undefined` when it is not an indexed note.
     */
    tags(path: string): ScannedTags | undefined {
        return this.note(path)?.screen;
    }

    /** A note as the index snapshot stores it, or `undefined` when it is not an indexed note JSON can hold. */
    stored(path: string): StoredNote | undefined {
        const note = this.note(path);
        if (note === undefined || note.parsed !== null) return undefined;
        const keys = this.linkNames.get(path);
        return {
            screen: note.screen,
            linkKeys: keys === undefined ? [] : keys.split(KEY_SEPARATOR),
            json: jsonOf(note),
        };
    }

    /** The path `linkpath` points to from `sourcePath` (see `link-resolver.ts`), or `null`. */
    resolveLink(linkpath: string, sourcePath: string): string | null {
        return this.resolver.resolve(linkpath, sourcePath);
    }

    /** Paths of the notes that link to or embed `path` (the note itself excluded), sorted; not to be modified. */
    backlinks(path: string): readonly string[] {
        this.registerDirty();
        const known = this.answered.get(path);
        if (known !== undefined) return known;
        const out = Object.freeze(this.linkingNotes(path));
        this.answered.set(path, out);
        return out;
    }

    /**
     * The notes known so far to link to or embed `path`, sorted: those of `backlinks(path)` whose links are registered
     * now, without taking in the notes that still wait (on a vault just opened, most of them). A note that changed is
     * registered again only once it is parsed, so nothing here comes from links a note no longer has.
     */
    knownBacklinks(path: string): readonly string[] {
        return this.dirty.size === 0 ? this.backlinks(path) : this.linkingNotes(path);
    }

    /** The registered notes whose links resolve to `path`, sorted. */
    private linkingNotes(path: string): string[] {
        const sources = this.sourcesByLinkKey.get(fileNameKey(path));
        const out: string[] = [];
        if (sources === undefined) return out;
        // A copy: a note whose stored metadata turns out damaged is read again and registered anew meanwhile.
        for (const source of [...sources]) {
            if (source !== path && this.targetsOf(source).includes(path)) out.push(source);
        }
        return out.sort();
    }

    /**
     * Paths of notes carrying `tag` (case-insensitive; `#a` also matches `#a/b`), sorted. Notes whose tags are unknown
     * (unreadable frontmatter) are not listed: callers that exclude must check `metadata(path).tags === undefined`.
     */
    notesWithTag(tag: string): string[] {
        for (const path of [...this.unparsed.keys()]) this.note(path);
        const out: string[] = [];
        for (const [path, note] of this.kept) {
            if (note.screen.tags?.some((t) => tagMatches(t, tag)) === true) out.push(path);
        }
        return out.sort();
    }

    /** The kept note of `path`, parsing it first when it waits. */
    private note(path: string): KeptNote | undefined {
        // The gate asks this for every note of every listing: the common case (nothing unparsed) costs one lookup.
        const waiting = this.unparsed.size === 0 ? undefined : this.unparsed.get(path);
        if (waiting !== undefined) {
            this.unparsed.delete(path);
            if (typeof waiting === 'string') return this.keep(path, { metadata: parseNote(waiting) });
            const stored = waiting === UNREAD ? null : waiting.stored();
            return this.keep(path, stored ?? { metadata: this.readNow(path) });
        }
        return this.kept.get(path);
    }

    private keep(path: string, loaded: LoadedMetadata): KeptNote {
        if (!('metadata' in loaded)) {
            const json = typeof loaded.json === 'string' ? this.arena.put(loaded.json) : loaded.json;
            const note: KeptNote = { screen: loaded.screen, ...json, parsed: null };
            this.kept.set(path, note);
            this.register(path, loaded.linkKeys);
            return note;
        }
        const { metadata } = loaded;
        const screen: ScannedTags =
            metadata.frontmatterError === undefined
                ? { tags: metadata.tags }
                : { tags: metadata.tags, frontmatterError: metadata.frontmatterError };
        let json: JsonBytes | null = null;
        try {
            json = this.arena.put(JSON.stringify(metadata));
        } catch {
            // A frontmatter JSON cannot hold (a YAML alias cycle): kept as parsed.
        }
        const note: KeptNote =
            json === null
                ? { screen, bytes: null, start: 0, end: 0, parsed: metadata }
                : { screen, ...json, parsed: null };
        this.kept.set(path, note);
        if (json !== null) this.remember(path, metadata);
        const keys = new Set<string>();
        for (const ref of linkRefs(metadata)) keys.add(linkNameKey(ref.link));
        this.register(path, [...keys]);
        return note;
    }

    private wait(path: string, source: string | StoredRow | typeof UNREAD): void {
        this.unparsed.set(path, source);
        this.dirty.add(path);
    }

    /** Drops what the index knew of a note's metadata and links (its file entry stays). */
    private forgetNote(path: string): void {
        this.answered.clear();
        const note = this.kept.get(path);
        if (note !== undefined) {
            this.kept.delete(path);
            this.release(note);
        }
        this.recent.delete(path);
        this.unparsed.delete(path);
        this.dirty.delete(path);
        this.targets.delete(path);
        const old = this.linkNames.get(path);
        if (old === undefined) return;
        for (const key of old.split(KEY_SEPARATOR)) removeFrom(this.sourcesByLinkKey, key, path);
        this.linkNames.delete(path);
    }

    /** Frees a forgotten note's place in the arena, and re-packs the arena when most of it is freed space. */
    private release(note: KeptNote): void {
        if (note.bytes === null) return;
        const json = jsonOf(note);
        if (!this.arena.holds(json)) return;
        this.arena.release(json);
        if (!this.arena.wasteful()) return;
        for (const kept of this.kept.values()) {
            if (kept.bytes === null) continue;
            const old = jsonOf(kept);
            if (this.arena.holds(old)) Object.assign(kept, this.arena.move(old));
        }
    }

    /** Registers a just-parsed note under the names of the files its links can lead to. */
    private register(path: string, keys: readonly string[]): void {
        this.answered.clear();
        this.dirty.delete(path);
        if (keys.length === 0) return;
        for (const key of keys) addTo(this.sourcesByLinkKey, key, path);
        this.linkNames.set(path, keys.join(KEY_SEPARATOR));
    }

    private remember(path: string, metadata: NoteMetadata): NoteMetadata {
        this.recent.delete(path);
        this.recent.set(path, metadata);
        if (this.recent.size > RECENT_PARSED) this.recent.delete(this.recent.keys().next().value as string);
        return metadata;
    }

    /** Forgets where the links of every note that could link to a file named like `path` resolved. */
    private invalidateLinksTo(path: string): void {
        this.answered.clear();
        const sources = this.sourcesByLinkKey.get(fileNameKey(path));
        if (sources !== undefined) for (const source of sources) this.targets.delete(source);
    }

    /** Parses every note still waiting, so each is registered under its link names. */
    private registerDirty(): void {
        if (this.dirty.size === 0) return;
        for (const path of [...this.dirty]) this.note(path);
        this.dirty.clear();
    }

    /** Where the links of `source` resolve to now (itself left out). */
    private targetsOf(source: string): string[] {
        const known = this.targets.get(source);
        if (known !== undefined) return known;
        const metadata = this.metadata(source);
        const found = new Set<string>();
        for (const ref of metadata === undefined ? [] : linkRefs(metadata)) {
            const target = this.resolver.resolve(ref.link, source);
            if (target !== null && target !== source) found.add(target);
        }
        const targets = [...found];
        this.targets.set(source, targets);
        return targets;
    }
}

/** Where a kept note's JSON lies (only for notes whose `bytes` are set). */
function jsonOf(note: KeptNote): JsonBytes {
    return { bytes: note.bytes as Uint8Array, start: note.start, end: note.end };
}

/**
 * Every link, embed and property link of a note with a link path (`[[#Heading]]` has none): what it can resolve.
 * Properties link too (`cover: "[[photo.png]]"`), as in Obsidian's resolved links: the gate counts a note whose property
 * names an image among the image's users.
 */
function linkRefs(metadata: NoteMetadata): Pick<LinkReference, 'link'>[] {
    const refs: Pick<LinkReference, 'link'>[] = [];
    for (const ref of metadata.links) if (ref.link !== '') refs.push(ref);
    for (const ref of metadata.embeds) if (ref.link !== '') refs.push(ref);
    for (const link of frontmatterLinkPaths(metadata.frontmatter)) if (link !== '') refs.push({ link });
    return refs;
}
