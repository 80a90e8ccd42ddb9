/**
 * `VaultPort` over Obsidian's `Vault`, `FileManager` and `MetadataCache`: the host side of the one door to notes.
 *
 * Decisions:
 * - `read` uses `Vault.read` (from disk), never `cachedRead`: what the core reads becomes the base of an edit, and a
 *   cached copy that lags behind the disk would make a correct stale check report a false conflict (or hide a real
 *   one). The extra disk read is cheap next to a model call.
 * - Every path goes through the path policy before any call; writes to protected paths are refused here as well as
 *   in the tools, because the port is the last line.
 * - Backlinks come from `metadataCache.resolvedLinks`, inverted once and kept until Obsidian reports that links were
 *   resolved again or files moved. The inversion is only cached while `watch` is active (after the layout is ready),
 *   since without the events a cached copy could go stale.
 * - Symbolic links (desktop only): Obsidian follows them itself and lists a linked file at the link's path, so
 *   `realPathOf` says where a path really leads on disk (`DiskLinks`), and the exclusion gate judges that too. No write
 *   (create, edit, rename, trash) goes through a link: `invalid-path`, as in `FsVault`. On mobile there are no links to
 *   follow, and every path leads to itself.
 * - The exclusion gate's tags join Obsidian's with our own reading of each note's text (`ObsidianTags`).
 */
import { TFile, TFolder, normalizePath } from 'obsidian';
import type { App, EventRef, TAbstractFile } from 'obsidian';
import { isProtectedPath, normalizeVaultPath, parentOf } from '../kernel/path-policy';
import { collisionKey } from '../kernel/safe-names';
import { SYSTEM_FOLDERS_TEXT } from '../kernel/system-folders';
import { nodeDiskCalls } from './disk-calls-node';
import { DiskLinks, type DiskCalls } from './disk-links';
import { VaultError } from '../kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../kernel/vault-port';
import type { ScannedTags } from '../kernel/text-scan';
import { toNoteMetadata } from './obsidian-metadata';
import { ObsidianTags } from './obsidian-tags';
import type { ScreenMemory } from '../vault/exclusion-screen';

/** What the adapter needs from the host. */
export interface ObsidianVaultOptions {
    /** The running app: its vault, file manager and metadata cache. */
    app: App;
    /**
     * `Platform.isDesktop`. With a file-system adapter that knows its folder (`getBasePath`), symbolic links on disk
     * are resolved (Node is loaded on first use) and never written through.
     */
    isDesktop?: boolean;
    /** The Node calls for links; Node's own by default (tests may pass others). Desktop only. */
    diskCalls?: () => DiskCalls;
    /** Where the exclusion reading of each note is kept between sessions (decision 0035); read afresh without it. */
    readings?: ScreenMemory;
}

/** The vault as Obsidian sees it, behind `VaultPort`. */
export class ObsidianVault implements VaultPort {
    private readonly app: App;
    /** target path → paths of notes linking to it; `null` until built or after links changed. */
    private backlinkIndex: Map<string, string[]> | null = null;
    private watching = false;
    /** Set once Obsidian reported links resolved (or every note was indexed): `backlinks` is then complete. */
    private linksResolved = false;
    /** Where paths really lead on disk; `null` on mobile (no links there). */
    private readonly links: DiskLinks | null;
    private readonly protectedPaths = new Map<string, boolean>();
    private protectedFor = '';
    /** Each note's tags for the exclusion gate, Obsidian's and our own reading of its text (read once watching). */
    private readonly tags: ObsidianTags;

    constructor(options: ObsidianVaultOptions) {
        this.app = options.app;
        const adapter = this.app.vault.adapter as { getBasePath?: () => string };
        this.links =
            options.isDesktop === true && typeof adapter.getBasePath === 'function'
                ? new DiskLinks({ basePath: adapter.getBasePath(), calls: options.diskCalls ?? nodeDiskCalls })
                : null;
        this.tags = new ObsidianTags(this.app, toNoteMetadata, options.readings);
    }

    /** The vault's config folder, as the person configured it. */
    get configDir(): string {
        return this.app.vault.configDir;
    }

    /**
     * Starts tracking link changes so the backlink index can be cached. Call from `workspace.onLayoutReady` (the vault
     * fires a `create` for every file while it loads) and pass `plugin.registerEvent` so the handlers go on unload.
     */
    watch(registerEvent: (ref: EventRef) => void): void {
        const invalidate = (): void => {
            this.backlinkIndex = null;
        };
        registerEvent(
            this.app.metadataCache.on('resolved', () => {
                this.linksResolved = true;
                invalidate();
            }),
        );
        registerEvent(this.app.metadataCache.on('deleted', invalidate));
        registerEvent(this.app.vault.on('rename', invalidate));
        registerEvent(this.app.vault.on('delete', invalidate));
        const links = this.links;
        if (links !== null) {
            // Answers about links are also checked against the disk (lstat) on every use; the events drop them sooner.
            const forget = (file: TAbstractFile): void => links.forget(file.path);
            const named = (file: TAbstractFile): void => {
                links.forget(file.path);
                links.namesChanged();
            };
            registerEvent(this.app.vault.on('create', named));
            registerEvent(this.app.vault.on('modify', forget));
            registerEvent(this.app.vault.on('delete', named));
            registerEvent(
                this.app.vault.on('rename', (file: TAbstractFile, oldPath: string) => {
                    links.forget(oldPath);
                    links.forget(file.path);
                    links.namesChanged();
                }),
            );
        }
        this.tags.watch(registerEvent);
        this.watching = true;
        this.backlinkIndex = null;
    }

    /**
     * A note's tags for the exclusion gate (`ObsidianTags`): once watching, `undefined` until its text has been read at
     * its current version; before that, Obsidian's alone (nothing runs before the layout is ready).
     */
    tagsOf(path: string): ScannedTags | undefined {
        if (!this.watching) return this.metadata(path);
        const checked = normalizeVaultPath(path);
        if (!checked.ok) return undefined;
        const file = this.app.vault.getFileByPath(checked.path);
        return file && file.extension.toLowerCase() === 'md' ? this.tags.of(file) : undefined;
    }

    /** Hears each note whose tags became known (see `VaultPort.onTagsKnown`); returns the unsubscribe function. */
    onTagsKnown(listener: (path: string) => void): () => void {
        return this.tags.onKnown(listener);
    }

    /** Notes whose tags are still to be read for the exclusion gate (they are excluded until then). */
    tagsPending(): number {
        return this.tags.pending();
    }

    /** Settles once every note known so far has had its tags read (tests). */
    tagsSettled(): Promise<void> {
        return this.tags.settled();
    }

    /** Keeps the tag readings not kept yet (the plugin unloads). */
    keepTagReadings(): Promise<void> {
        return this.tags.flush();
    }

    async list(): Promise<FileEntry[]> {
        return this.app.vault
            .getFiles()
            .filter((file) => !this.isProtected(file.path))
            .map(entryOf);
    }

    async listUnder(prefix: string): Promise<FileEntry[]> {
        return this.app.vault
            .getFiles()
            .filter((file) => file.path.startsWith(prefix) && !this.isProtected(file.path))
            .map(entryOf);
    }

    /**
     * `isProtectedPath`, remembered per path: a listing asks it of every file, and at 20,000 notes that took 0.4 s a
     * listing (a path's answer never changes while the config folder stays the same).
     */
    private isProtected(path: string): boolean {
        const configDir = this.configDir;
        if (configDir !== this.protectedFor) {
            this.protectedPaths.clear();
            this.protectedFor = configDir;
        }
        let known = this.protectedPaths.get(path);
        if (known === undefined) {
            known = isProtectedPath(path, configDir);
            this.protectedPaths.set(path, known);
        }
        return known;
    }

    async stat(path: string): Promise<FileEntry | null> {
        const file = this.app.vault.getFileByPath(this.checkPath(path));
        return file ? entryOf(file) : null;
    }

    async read(path: string): Promise<string> {
        const file = this.existingFile(this.checkPath(path));
        return this.host(path, () => this.app.vault.read(file));
    }

    /** The bytes of an attachment, through Obsidian's `Vault.readBinary`. */
    async readBinary(path: string): Promise<Uint8Array> {
        const file = this.existingFile(this.checkPath(path));
        return new Uint8Array(await this.host(path, () => this.app.vault.readBinary(file)));
    }

    /**
     * Whether the backlinks are complete: once watching, after Obsidian resolved links at least once or every note has
     * its metadata cached. Before that, an attachment's users are unknown and the gate excludes it.
     */
    linksReady(): boolean {
        if (this.linksResolved) return true;
        if (!this.watching) return false;
        const cache = this.app.metadataCache;
        this.linksResolved = this.app.vault.getMarkdownFiles().every((file) => cache.getFileCache(file) !== null);
        return this.linksResolved;
    }

    async create(path: string, content: string): Promise<void> {
        const target = this.checkWritable(path);
        this.links?.refuseLinks(target, { self: true });
        this.refuseTaken(target);
        await this.ensureFolder(parentOf(target));
        await this.host(target, () => this.app.vault.create(target, content));
    }

    async process(path: string, fn: (current: string) => string): Promise<string> {
        const file = this.existingFile(this.checkWritable(path));
        this.links?.refuseLinks(file.path, { self: true });
        return this.host(path, () => this.app.vault.process(file, fn));
    }

    async rename(from: string, to: string): Promise<void> {
        const file = this.existingFile(this.checkWritable(from));
        const target = this.checkWritable(to);
        // A linked note moves as the link itself (Obsidian renames the entry), but never through a linked folder.
        this.links?.refuseLinks(file.path, { self: false });
        this.links?.refuseLinks(target, { self: true });
        this.refuseTaken(target, file);
        await this.ensureFolder(parentOf(target));
        // FileManager (not Vault.rename) so links to the note are updated as the person's settings say.
        await this.host(from, () => this.app.fileManager.renameFile(file, target));
    }

    async trash(path: string): Promise<void> {
        const file = this.existingFile(this.checkWritable(path));
        // Through a linked folder the trash would take the linked folder's real note, not an entry of this vault.
        this.links?.refuseLinks(file.path, { self: false });
        // FileManager respects the person's choice of system trash or the vault's `.trash` folder.
        await this.host(path, () => this.app.fileManager.trashFile(file));
    }

    metadata(path: string): NoteMetadata | undefined {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) return undefined;
        const file = this.app.vault.getFileByPath(checked.path);
        if (!file || file.extension.toLowerCase() !== 'md') return undefined;
        const cache = this.app.metadataCache.getFileCache(file);
        return cache ? toNoteMetadata(cache) : undefined;
    }

    resolveLink(linkpath: string, sourcePath: string): string | null {
        const target = linkpath.split('#')[0] ?? '';
        if (target === '') return null;
        return this.app.metadataCache.getFirstLinkpathDest(target, sourcePath)?.path ?? null;
    }

    backlinks(path: string): readonly string[] {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) return [];
        const index = this.backlinkIndex ?? invert(this.app.metadataCache.resolvedLinks);
        if (this.watching) this.backlinkIndex = index;
        return [...(index.get(checked.path) ?? [])];
    }

    /**
     * Where `path` really leads on disk, as a vault path (see `VaultPort.realPathOf`): on desktop, resolved through
     * symbolic links (`null` when it leads outside the vault or nowhere); on mobile, `path` itself.
     */
    realPathOf(path: string): string | null {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) return null;
        return this.links === null ? checked.path : this.links.realPathOf(checked.path);
    }

    /**
     * The other vault paths of the file at `path` when it has more than one name on disk (see `VaultPort.otherNamesOf`):
     * on desktop, found among the vault's files by their identity on disk; on mobile, none.
     */
    otherNamesOf(path: string): readonly string[] {
        const checked = normalizeVaultPath(path);
        if (!checked.ok || this.links === null) return [];
        return this.links.otherNamesOf(checked.path, () => this.app.vault.getFiles().map((file) => file.path));
    }

    /**
     * Obsidian keeps its metadata current by itself; what may lag is where a link leads, so the answers cached for
     * `paths` are dropped and the next check resolves them on disk again.
     */
    async revalidate(paths: Iterable<string>): Promise<void> {
        if (this.links === null) return;
        for (const path of paths) this.links.forget(path);
        await Promise.resolve();
    }

    /**
     * Throws `VaultError('invalid-path')` when writing `path` would go through a symbolic link on disk (the note itself
     * or a folder on the way); for writers that do not go through this port, such as an open note's editor.
     */
    refuseLinkedWrite(path: string): void {
        this.links?.refuseLinks(this.checkPath(path), { self: true });
    }

    onChange(listener: (event: VaultChange) => void): () => void {
        const vault = this.app.vault;
        const forFiles =
            (type: 'create' | 'modify' | 'delete') =>
            (file: TAbstractFile): void => {
                if (file instanceof TFile) listener({ type, path: file.path });
            };
        const refs = [
            vault.on('create', forFiles('create')),
            vault.on('modify', forFiles('modify')),
            vault.on('delete', forFiles('delete')),
            vault.on('rename', (file: TAbstractFile, oldPath: string) => {
                if (file instanceof TFile) listener({ type: 'rename', path: file.path, oldPath });
            }),
        ];
        return () => refs.forEach((ref) => vault.offref(ref));
    }

    private checkPath(path: string): string {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) throw new VaultError('invalid-path', checked.reason, path);
        return normalizePath(checked.path);
    }

    private checkWritable(path: string): string {
        const normal = this.checkPath(path);
        if (isProtectedPath(normal, this.configDir)) {
            throw new VaultError(
                'protected',
                `"${normal}" is inside a protected folder (the config folder, ${SYSTEM_FOLDERS_TEXT}) and is never written to.`,
                normal,
            );
        }
        return normal;
    }

    private existingFile(path: string): TFile {
        const file = this.app.vault.getFileByPath(path);
        if (!file) throw new VaultError('not-found', `There is no file "${path}".`, path);
        return file;
    }

    /** Refuses a target that exists, or whose case-folded/NFC twin does (other than `self`, for a case-only rename). */
    private refuseTaken(target: string, self?: TFile): void {
        const existing = this.app.vault.getAbstractFileByPath(target);
        const key = collisionKey(target);
        const twin =
            existing && existing !== self
                ? existing
                : this.app.vault.getAllLoadedFiles().find((f) => f !== self && collisionKey(f.path) === key);
        if (twin) {
            const same = twin.path === target ? '' : ` ("${twin.path}" differs only in case or accents)`;
            throw new VaultError('exists', `"${target}" already exists${same}; nothing was overwritten.`, target);
        }
    }

    private async ensureFolder(folder: string): Promise<void> {
        if (folder === '') return;
        const found = this.app.vault.getAbstractFileByPath(folder);
        if (found instanceof TFolder) return;
        if (found) throw new VaultError('exists', `"${folder}" is a file, so it cannot hold notes.`, folder);
        await this.ensureFolder(parentOf(folder));
        await this.host(folder, () => this.app.vault.createFolder(folder));
    }

    /** Runs a host call and turns what it throws into a `VaultError` a person or model can read. */
    private async host<T>(path: string, call: () => Promise<T>): Promise<T> {
        try {
            return await call();
        } catch (error) {
            if (error instanceof VaultError) throw error;
            const message = error instanceof Error ? error.message : String(error);
            if (/already exists/i.test(message)) {
                throw new VaultError('exists', `"${path}" already exists; nothing was overwritten.`, path);
            }
            throw new VaultError('io', `Obsidian could not complete the change to "${path}": ${message}`, path);
        }
    }
}

function entryOf(file: TFile): FileEntry {
    return { path: file.path, size: file.stat.size, mtime: file.stat.mtime, ctime: file.stat.ctime || file.stat.mtime };
}

function invert(resolvedLinks: Record<string, Record<string, number>>): Map<string, string[]> {
    const index = new Map<string, string[]>();
    for (const [source, targets] of Object.entries(resolvedLinks)) {
        for (const target of Object.keys(targets)) {
            const sources = index.get(target);
            if (sources) sources.push(source);
            else index.set(target, [source]);
        }
    }
    return index;
}
