/**
 * The stub's vault side: events, files, an in-memory vault, the metadata cache, the file manager, the workspace and
 * secret storage. Re-exported by `obsidian-stub.ts`; no Node APIs.
 */

/** An event handler; `never[]` so handlers with typed parameters fit, as in Obsidian's overloads. */
type Handler = (...data: never[]) => unknown;

/** Handle returned by `Events.on`; like Obsidian's, it knows its owner so `registerEvent` can detach it. */
export interface EventRef {
    /** The event name. */
    name: string;
    /** The callback. */
    callback: Handler;
    /** The object the handler is registered on. */
    owner: Events;
}

/** Named events, like Obsidian's `Events`. */
export class Events {
    private refs: EventRef[] = [];
    on(name: string, callback: Handler): EventRef {
        const ref = { name, callback, owner: this };
        this.refs.push(ref);
        return ref;
    }
    off(name: string, callback: Handler): void {
        this.refs = this.refs.filter((r) => r.name !== name || r.callback !== callback);
    }
    offref(ref: EventRef): void {
        this.refs = this.refs.filter((r) => r !== ref);
    }
    trigger(name: string, ...data: unknown[]): void {
        for (const ref of this.refs.filter((r) => r.name === name))
            (ref.callback as (...d: unknown[]) => unknown)(...data);
    }
    /** How many handlers are subscribed to `name` (test helper). */
    listenerCount(name: string): number {
        return this.refs.filter((r) => r.name === name).length;
    }
}

/** A file or folder. */
export abstract class TAbstractFile {
    name = '';
    parent: TFolder | null = null;
    constructor(
        public vault: Vault,
        public path: string,
    ) {
        this.setPath(path);
    }
    /** Keeps `name` in step with `path` (the real classes do this on rename). */
    setPath(path: string): void {
        this.path = path;
        this.name = path.split('/').pop() ?? path;
    }
}

/** A file; `stat` is kept current by the stub vault. */
export class TFile extends TAbstractFile {
    stat = { ctime: 0, mtime: 0, size: 0 };
    get basename(): string {
        return this.name.includes('.') ? this.name.slice(0, this.name.lastIndexOf('.')) : this.name;
    }
    get extension(): string {
        return this.name.includes('.') ? this.name.slice(this.name.lastIndexOf('.') + 1) : '';
    }
}

/** A folder. */
export class TFolder extends TAbstractFile {
    children: TAbstractFile[] = [];
    isRoot(): boolean {
        return this.path === '/';
    }
}

/**
 * Where a vault's files live when they are not kept in memory: a real folder, as on the desktop app (see
 * `obsidian-stub-disk.ts`, which holds the Node side). Every call follows symbolic links, as Obsidian's desktop
 * adapter does; throws as the file system does.
 */
export interface VaultBacking {
    read(path: string): string;
    write(path: string, data: string): void;
    mkdir(path: string): void;
    rename(from: string, to: string): void;
    remove(path: string): void;
}

const parentOf = (path: string): string => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '/');

/** An in-memory vault. `calls` records every read or listing so tests can prove what was (not) scanned. */
export class Vault extends Events {
    /** Names of the reading/listing methods called, in order (test helper). */
    calls: string[] = [];
    /**
     * The file-system adapter, as far as the plugin's own settings file: `exists` answers for
     * `<configDir>/plugins/<id>/data.json` (the `App` wires it to `pluginData`), `false` for anything else.
     */
    adapter: { exists(path: string): Promise<boolean> } = { exists: () => Promise.resolve(false) };
    /** The folder the files live in, when on disk (test helper: set by `obsidian-stub-disk.ts`); else memory. */
    backing: VaultBacking | null = null;
    private entries = new Map<string, TAbstractFile>();
    private contents = new Map<string, string>();
    private clock = 1_700_000_000_000;

    constructor(public configDir = '.obsidian') {
        super();
        const root = new TFolder(this, '/');
        root.name = '';
        this.entries.set('/', root);
    }
    getName(): string {
        return 'Test vault';
    }
    getRoot(): TFolder {
        const root = this.entries.get('/');
        if (!(root instanceof TFolder)) throw new Error('The vault has no root folder');
        return root;
    }
    getAbstractFileByPath(path: string): TAbstractFile | null {
        return this.entries.get(path) ?? null;
    }
    getFileByPath(path: string): TFile | null {
        const found = this.entries.get(path);
        return found instanceof TFile ? found : null;
    }
    getFolderByPath(path: string): TFolder | null {
        const found = this.entries.get(path);
        return found instanceof TFolder ? found : null;
    }
    getFiles(): TFile[] {
        this.calls.push('getFiles');
        return [...this.entries.values()].filter((f): f is TFile => f instanceof TFile);
    }
    getMarkdownFiles(): TFile[] {
        this.calls.push('getMarkdownFiles');
        return this.getFiles().filter((f) => f.extension === 'md');
    }
    getAllLoadedFiles(): TAbstractFile[] {
        this.calls.push('getAllLoadedFiles');
        return [...this.entries.values()];
    }
    async read(file: TFile): Promise<string> {
        this.calls.push('read');
        return this.contentOf(file);
    }
    async cachedRead(file: TFile): Promise<string> {
        this.calls.push('cachedRead');
        return this.contentOf(file);
    }
    async createFolder(path: string): Promise<TFolder> {
        if (this.entries.has(path)) throw new Error('Folder already exists.');
        this.backing?.mkdir(path);
        return this.attach(new TFolder(this, path), 'create');
    }
    /** Like Obsidian: fails when the path is taken or the parent folder is missing. */
    async create(path: string, data: string): Promise<TFile> {
        if (this.entries.has(path)) throw new Error('File already exists.');
        const file = this.attach(new TFile(this, path), null);
        this.write(file, data);
        this.trigger('create', file);
        return file;
    }
    async modify(file: TFile, data: string): Promise<void> {
        this.contentOf(file);
        this.write(file, data);
        this.trigger('modify', file);
    }
    async process(file: TFile, fn: (data: string) => string): Promise<string> {
        const next = fn(this.contentOf(file));
        await this.modify(file, next);
        return next;
    }
    async rename(file: TAbstractFile, newPath: string): Promise<void> {
        if (this.entries.has(newPath)) throw new Error('Destination file already exists!');
        const oldPath = file.path;
        this.backing?.rename(oldPath, newPath);
        this.detach(file);
        const text = this.contents.get(oldPath);
        this.contents.delete(oldPath);
        file.setPath(newPath);
        this.attach(file, null);
        if (text !== undefined) this.contents.set(newPath, text);
        this.trigger('rename', file, oldPath);
    }
    async delete(file: TAbstractFile): Promise<void> {
        this.backing?.remove(file.path);
        this.detach(file);
        this.contents.delete(file.path);
        this.trigger('delete', file);
    }
    /**
     * Lists a file or folder found on disk, without writing or firing an event, as Obsidian's index holds what it found
     * at start (test helper for `obsidian-stub-disk.ts`; the parent folder must be listed first).
     */
    index(path: string, kind: 'file' | 'folder', stat?: { ctime: number; mtime: number; size: number }): void {
        if (kind === 'folder') this.attach(new TFolder(this, path), null);
        else this.attach(new TFile(this, path), null).stat = stat ?? { ctime: 0, mtime: 0, size: 0 };
    }
    private contentOf(file: TFile): string {
        if (this.backing) return this.backing.read(file.path);
        const text = this.contents.get(file.path);
        if (text === undefined) throw new Error(`ENOENT: no such file, open '${file.path}'`);
        return text;
    }
    private write(file: TFile, data: string): void {
        if (this.backing) this.backing.write(file.path, data);
        else this.contents.set(file.path, data);
        this.clock += 1000;
        file.stat = {
            ctime: file.stat.ctime || this.clock,
            mtime: this.clock,
            size: new TextEncoder().encode(data).length,
        };
    }
    private attach<T extends TAbstractFile>(file: T, event: 'create' | null): T {
        const parent = this.getFolderByPath(parentOf(file.path));
        if (!parent) throw new Error(`ENOENT: no such file or directory, open '${file.path}'`);
        file.parent = parent;
        parent.children.push(file);
        this.entries.set(file.path, file);
        if (event) this.trigger(event, file);
        return file;
    }
    private detach(file: TAbstractFile): void {
        if (file.parent) file.parent.children = file.parent.children.filter((c) => c !== file);
        this.entries.delete(file.path);
    }
}

/** The subset of `CachedMetadata` tests build by hand; see obsidian.d.ts for the full shape. */
export type CachedMetadata = Record<string, unknown>;

/** Per-file caches set by tests (`setCache`), link resolution by Obsidian's rules, `resolvedLinks`. */
export class MetadataCache extends Events {
    resolvedLinks: Record<string, Record<string, number>> = {};
    unresolvedLinks: Record<string, Record<string, number>> = {};
    private caches = new Map<string, CachedMetadata>();

    constructor(private vault: Vault) {
        super();
        vault.on('rename', (file: TAbstractFile, oldPath: string) => this.move(oldPath, file.path));
        vault.on('delete', (file: TAbstractFile) => this.caches.delete(file.path));
    }
    /** Stores the cache of `path` as if Obsidian had just indexed it (test helper). */
    setCache(path: string, cache: CachedMetadata): void {
        this.caches.set(path, cache);
        const file = this.vault.getFileByPath(path);
        if (file) this.trigger('changed', file, '', cache);
    }
    getFileCache(file: TFile): CachedMetadata | null {
        return this.caches.get(file.path) ?? null;
    }
    getCache(path: string): CachedMetadata | null {
        return this.caches.get(path) ?? null;
    }
    /** Exact path, then path + `.md`, then the file with that name closest to the root. */
    getFirstLinkpathDest(linkpath: string, _sourcePath: string): TFile | null {
        const direct = this.vault.getFileByPath(linkpath) ?? this.vault.getFileByPath(`${linkpath}.md`);
        if (direct) return direct;
        const wanted = linkpath.toLowerCase();
        const named = [...(this.vault.getAllLoadedFiles() as TFile[])].filter(
            (f) => f instanceof TFile && [f.name.toLowerCase(), f.basename.toLowerCase()].includes(wanted),
        );
        return named.sort((a, b) => a.path.split('/').length - b.path.split('/').length)[0] ?? null;
    }
    private move(oldPath: string, newPath: string): void {
        const cache = this.caches.get(oldPath);
        this.caches.delete(oldPath);
        if (cache) this.caches.set(newPath, cache);
    }
}

/** Renames (links are the real app's business) and trashes; `trashed` records what went to the trash. */
export class FileManager {
    /** Paths trashed, in order (test helper). */
    trashed: string[] = [];
    /** Renames as `[from, to]` (test helper). */
    renamed: [string, string][] = [];
    constructor(private vault: Vault) {}
    async renameFile(file: TAbstractFile, newPath: string): Promise<void> {
        const from = file.path;
        await this.vault.rename(file, newPath);
        this.renamed.push([from, newPath]);
    }
    async trashFile(file: TAbstractFile): Promise<void> {
        this.trashed.push(file.path);
        await this.vault.delete(file);
    }
}

/** Keeps `onLayoutReady` callbacks until a test fires them with `fireLayoutReady`. */
export class Workspace extends Events {
    layoutReady = false;
    private pending: (() => unknown)[] = [];
    onLayoutReady(callback: () => unknown): void {
        if (this.layoutReady) callback();
        else this.pending.push(callback);
    }
    /** Marks the layout ready and runs the waiting callbacks (test helper). */
    fireLayoutReady(): void {
        this.layoutReady = true;
        this.pending.splice(0).forEach((cb) => cb());
    }
}

/** Secrets on this device, with Obsidian's id rule. */
export class SecretStorage extends Events {
    private secrets = new Map<string, string>();
    setSecret(id: string, secret: string): void {
        if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new Error(`Invalid secret id: ${id}`);
        this.secrets.set(id, secret);
    }
    getSecret(id: string): string | null {
        return this.secrets.get(id) ?? null;
    }
    listSecrets(): string[] {
        return [...this.secrets.keys()];
    }
}
