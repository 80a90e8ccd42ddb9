/**
 * The metadata of every note in a vault folder, and the link graph between them, kept current as files change.
 * FsVault feeds it. It holds no note text, except the text of a note written since anyone last asked about it: a
 * write is parsed when its metadata is first needed, not at once (the delegate queue rewrites each job note several
 * times per job and nobody reads its metadata in between).
 *
 * Backlinks are resolved lazily: a change marks the notes whose links it can affect as dirty (the changed note
 * itself, and every note with a link to a file of the same name when a file appears or disappears), and the next
 * `backlinks` call re-resolves only those. So a link to a note that does not exist yet starts counting the moment
 * the note appears, and a vault of 20,000 notes is resolved once, not on every change.
 */
import { frontmatterLinkPaths } from './frontmatter';
import { fileNameKey, linkNameKey, LinkResolver } from './link-resolver';
import { parseNote } from './note-parser';
import { tagMatches } from './tags';
import { isMarkdownPath } from '../kernel/vault-port';
import type { FileEntry, LinkReference, NoteMetadata } from '../kernel/vault-port';

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
    const set = map.get(key);
    if (set === undefined) map.set(key, new Set([value]));
    else set.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
    const set = map.get(key);
    if (set === undefined) return;
    set.delete(value);
    if (set.size === 0) map.delete(key);
}

/** Every file of a vault with the parsed metadata of its notes, link resolution and backlinks. */
export class NoteIndex {
    private readonly entries = new Map<string, FileEntry>();
    private readonly notes = new Map<string, NoteMetadata>();
    /**
     * Texts stored with `parse: 'when-asked'`, and loaders stored with `setLazy`, turned into `notes` the first time
     * anything reads them.
     */
    private readonly unparsed = new Map<string, string | (() => NoteMetadata)>();
    private readonly resolver = new LinkResolver();
    /**
     * Resolved notes by the `linkNameKey` of each of their links: who needs re-resolving when a file of that name
     * appears or goes. Notes not resolved yet are dirty anyway, so they need no entry (which keeps `set` cheap).
     */
    private readonly sourcesByLinkKey = new Map<string, Set<string>>();
    /**
     * What each note was last resolved from: its metadata (whose links give the keys it is registered under in
     * `sourcesByLinkKey`, recomputed rather than kept: a 100,000-note vault has 400,000 of them) and the notes it links
     * to, as a list (a set per note costs several times more).
     */
    private readonly resolvedFrom = new Map<string, { metadata: NoteMetadata; targets: string[] }>();
    private readonly incoming = new Map<string, Set<string>>();
    /** Paths whose outgoing links must be resolved again before backlinks are answered. */
    private readonly dirty = new Set<string>();

    /** True when `path` is indexed with exactly this mtime and size (so it need not be re-read). */
    isFresh(path: string, entry: FileEntry): boolean {
        const known = this.entries.get(path);
        if (known === undefined || known.mtime !== entry.mtime || known.size !== entry.size) return false;
        // A note stored without its text has no metadata yet, so it must be read again.
        return !isMarkdownPath(path) || this.notes.has(path) || this.unparsed.has(path);
    }

    /**
     * Stores a file's entry and, for a note, its metadata: parsed from `text` now, or (`'when-asked'`) the first time
     * anything asks. Registers any file (attachments too) for link resolution.
     */
    set(entry: FileEntry, text: string | null, parse: 'now' | 'when-asked' = 'now'): void {
        const path = entry.path;
        const isNew = !this.entries.has(path);
        this.entries.set(path, { ...entry });
        this.unparsed.delete(path);
        if (text === null || !isMarkdownPath(path)) this.notes.delete(path);
        else if (parse === 'now') this.notes.set(path, parseNote(text));
        else {
            this.notes.delete(path);
            this.unparsed.set(path, text);
        }
        this.dirty.add(path);
        if (isNew) {
            this.resolver.add(path);
            this.invalidateLinksTo(path);
        }
    }

    /** Stores a note's entry with metadata parsed earlier (a validated index snapshot), as `set` would have parsed it. */
    setParsed(entry: FileEntry, metadata: NoteMetadata): void {
        this.set(entry, null);
        this.notes.set(entry.path, metadata);
    }

    /**
     * Stores a note's entry with its metadata to come from `load` the first time anything asks (or `settle` runs): the
     * vault's opening scan lists every note without reading it, and a call judges only the notes it touches.
     */
    setLazy(entry: FileEntry, load: () => NoteMetadata): void {
        this.set(entry, null);
        this.unparsed.set(entry.path, load);
    }

    /** The notes that still wait for their metadata, in the order they were stored. */
    waiting(): string[] {
        return Array.from(this.unparsed.keys());
    }

    /** Forgets a file; links to it become unresolved (or resolve to another file of the same name). */
    delete(path: string): void {
        if (!this.entries.delete(path)) return;
        this.notes.delete(path);
        this.unparsed.delete(path);
        this.resolver.remove(path);
        this.dirty.add(path);
        this.invalidateLinksTo(path);
    }

    /** All paths known to the index. */
    paths(): string[] {
        return Array.from(this.entries.keys());
    }

    /** The parsed metadata of a note, or `undefined` when it is not an indexed note. */
    metadata(path: string): NoteMetadata | undefined {
        // The gate asks this for every note of every listing: the common case (nothing unparsed) costs one lookup.
        const waiting = this.unparsed.size === 0 ? undefined : this.unparsed.get(path);
        if (waiting !== undefined) {
            this.unparsed.delete(path);
            this.notes.set(path, typeof waiting === 'string' ? parseNote(waiting) : waiting());
        }
        return this.notes.get(path);
    }

    /** The path `linkpath` points to from `sourcePath` (see `link-resolver.ts`), or `null`. */
    resolveLink(linkpath: string, sourcePath: string): string | null {
        return this.resolver.resolve(linkpath, sourcePath);
    }

    /** Paths of the notes that link to or embed `path` (the note itself excluded), sorted. */
    backlinks(path: string): string[] {
        this.resolveDirty();
        const sources = this.incoming.get(path);
        return sources === undefined ? [] : Array.from(sources).sort();
    }

    /**
     * Paths of notes carrying `tag` (case-insensitive; `#a` also matches `#a/b`), sorted. Notes whose tags are unknown
     * (unreadable frontmatter) are not listed: callers that exclude must check `metadata(path).tags === undefined`.
     */
    notesWithTag(tag: string): string[] {
        for (const path of [...this.unparsed.keys()]) this.metadata(path);
        const out: string[] = [];
        for (const [path, metadata] of this.notes) {
            if (metadata.tags?.some((t) => tagMatches(t, tag)) === true) out.push(path);
        }
        return out.sort();
    }

    /** Marks dirty every note with a link that could resolve to a file named like `path`. */
    private invalidateLinksTo(path: string): void {
        const sources = this.sourcesByLinkKey.get(fileNameKey(path));
        if (sources !== undefined) for (const source of sources) this.dirty.add(source);
    }

    private resolveDirty(): void {
        for (const source of this.dirty) {
            const old = this.resolvedFrom.get(source);
            if (old !== undefined) {
                for (const target of old.targets) removeFrom(this.incoming, target, source);
                for (const key of linkKeys(old.metadata)) removeFrom(this.sourcesByLinkKey, key, source);
            }
            const metadata = this.metadata(source);
            if (metadata === undefined) {
                this.resolvedFrom.delete(source);
                continue;
            }
            const targets = new Set<string>();
            this.resolveAll(metadata.links, source, targets);
            this.resolveAll(metadata.embeds, source, targets);
            // Properties link too (`cover: "[[photo.png]]"`), as in Obsidian's resolved links: the gate counts a note
            // whose property names an image among the image's users.
            this.resolveAll(
                frontmatterLinkPaths(metadata.frontmatter).map((link) => ({ link })),
                source,
                targets,
            );
            this.resolvedFrom.set(source, { metadata, targets: [...targets] });
            for (const target of targets) addTo(this.incoming, target, source);
            for (const key of linkKeys(metadata)) addTo(this.sourcesByLinkKey, key, source);
        }
        this.dirty.clear();
    }

    private resolveAll(refs: readonly Pick<LinkReference, 'link'>[], source: string, targets: Set<string>): void {
        for (const ref of refs) {
            if (ref.link === '') continue;
            const target = this.resolver.resolve(ref.link, source);
            if (target !== null && target !== source) targets.add(target);
        }
    }
}

/** The `linkNameKey` of every link, embed and property link of a note: the file names it can resolve to. */
function linkKeys(metadata: NoteMetadata): string[] {
    const keys: string[] = [];
    for (const ref of metadata.links) if (ref.link !== '') keys.push(linkNameKey(ref.link));
    for (const ref of metadata.embeds) if (ref.link !== '') keys.push(linkNameKey(ref.link));
    for (const link of frontmatterLinkPaths(metadata.frontmatter)) if (link !== '') keys.push(linkNameKey(link));
    return keys;
}
