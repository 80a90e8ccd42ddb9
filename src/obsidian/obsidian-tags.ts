/**
 * The tags the exclusion gate judges a note by, inside Obsidian: Obsidian's own (its metadata cache) joined with our
 * reading of the note's text (`ExclusionScreen`, decision 0004). Obsidian's cache shows no tag in `🔒#private`,
 * `(#private)` or a tag in a comment, each of which excludes a note; judged by the cache alone, such a note was named
 * in listings, search candidates and suggestions, though its text was refused when read.
 *
 * Every note is read once when watching starts, and again after each change Obsidian reports; a note not read at its
 * current version has no tags (the gate excludes it as not indexed yet) until it is. With a memory (IndexedDB on this
 * device, decision 0035), the readings of the last session come back at start and only the notes changed since are
 * read.
 */
import { TFile } from 'obsidian';
import type { App, CachedMetadata, EventRef, TAbstractFile } from 'obsidian';
import type { ScannedTags } from '../kernel/text-scan';
import { VaultError } from '../kernel/vault-port';
import { ExclusionScreen, type ScreenFile, type ScreenMemory } from '../vault/exclusion-screen';

/** The exclusion gate's tags for the notes of one vault. */
export class ObsidianTags {
    private readonly screen: ExclusionScreen;
    /** The tags last given per note, so an unchanged note gives the same object (the gate keeps verdicts per object). */
    private readonly joined = new Map<string, { own: ScannedTags; cache: CachedMetadata | null; tags: ScannedTags }>();
    private readonly listeners = new Set<(path: string) => void>();
    /** True until the first reading of every note is done: listings are built after it, not note by note during it. */
    private first = true;

    constructor(
        private readonly app: App,
        /** Obsidian's cache as the port has it (tags unknown when the frontmatter could not be parsed). */
        private readonly fromCache: (cache: CachedMetadata) => ScannedTags,
        /** Where the readings are kept between sessions; without it every note is read at each start. */
        memory?: ScreenMemory,
    ) {
        this.screen = new ExclusionScreen({
            read: (path) => {
                const file = this.app.vault.getFileByPath(path);
                if (file === null) return Promise.reject(new VaultError('not-found', `No note "${path}".`, path));
                return this.app.vault.cachedRead(file);
            },
            onKnown: (path) => {
                if (this.first) return;
                for (const listener of this.listeners) listener(path);
            },
            ...(memory !== undefined ? { memory } : {}),
        });
    }

    /** Reads every note now, then each one Obsidian reports changed; `registerEvent` drops the handlers on unload. */
    watch(registerEvent: (ref: EventRef) => void): void {
        const screen = this.screen;
        const changed = (file: TAbstractFile): void => {
            if (file instanceof TFile && file.extension.toLowerCase() === 'md') screen.changed(screenFile(file));
        };
        const gone = (path: string): void => {
            screen.forget(path);
            this.joined.delete(path);
        };
        registerEvent(this.app.vault.on('create', changed));
        registerEvent(this.app.vault.on('modify', changed));
        registerEvent(this.app.vault.on('delete', (file: TAbstractFile) => gone(file.path)));
        registerEvent(
            this.app.vault.on('rename', (file: TAbstractFile, oldPath: string) => {
                gone(oldPath);
                changed(file);
            }),
        );
        screen.start(() => this.app.vault.getMarkdownFiles().map(screenFile));
        void screen.settled().then(() => (this.first = false));
    }

    /** Keeps the readings not kept yet (the plugin unloads). */
    flush(): Promise<void> {
        return this.screen.flush();
    }

    /** The note's tags, both readings joined; `undefined` until its text has been read at its current version. */
    of(file: TFile): ScannedTags | undefined {
        const own = this.screen.tagsOf(screenFile(file));
        if (own === undefined) return undefined;
        const cache = this.app.metadataCache.getFileCache(file);
        const known = this.joined.get(file.path);
        if (known !== undefined && known.own === own && known.cache === cache) return known.tags;
        const tags = joinTags(own, cache === null ? undefined : this.fromCache(cache));
        this.joined.set(file.path, { own, cache, tags });
        return tags;
    }

    /**
     * Hears each note whose tags became known after the first reading of every note (`settled` says when that is done:
     * build listings then); returns the unsubscribe function.
     */
    onKnown(listener: (path: string) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    /** Notes still to be read. */
    pending(): number {
        return this.screen.pending();
    }

    /** Settles once every note known so far has been read. */
    settled(): Promise<void> {
        return this.screen.settled();
    }
}

function screenFile(file: TFile): ScreenFile {
    return { path: file.path, mtime: file.stat.mtime, size: file.stat.size };
}

/**
 * Both readings of a note's tags as one: every tag either found, and unknown (excluded) when either could not read the
 * frontmatter. Obsidian's cache missing (not indexed yet) leaves our own reading, which is the wider one.
 */
function joinTags(own: ScannedTags, obsidian: ScannedTags | undefined): ScannedTags {
    const frontmatterError = own.frontmatterError ?? obsidian?.frontmatterError;
    if (own.tags === undefined || (obsidian !== undefined && obsidian.tags === undefined)) {
        return Object.freeze({ tags: undefined, ...(frontmatterError !== undefined ? { frontmatterError } : {}) });
    }
    const tags = obsidian === undefined ? own.tags : [...new Set([...own.tags, ...(obsidian.tags ?? [])])];
    return Object.freeze({ tags, ...(frontmatterError !== undefined ? { frontmatterError } : {}) });
}
