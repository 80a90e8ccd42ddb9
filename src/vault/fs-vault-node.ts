/**
 * `VaultPort` on a real folder, for the CLI, the MCP server, benchmarks and every core test. Node only.
 *
 * Every method runs the path policy before touching the disk, then checks containment on the resolved real path
 * (so a symlink cannot lead out). `FsVault` holds the port's surface, the scans and the change events, and wires the
 * parts: what the vault knows of its files and how a walk goes into it (`fs-vault-catalogue-node.ts`), the writes,
 * atomic and queued (`fs-vault-writes-node.ts`), where paths live on disk (`fs-vault-disk-node.ts`) and the walk
 * (`fs-vault-walk-node.ts`). File-system calls are plain system calls (`fs-calls-node.ts`); a file already checked is
 * known by its device and inode, and its text is kept while the file is unchanged (see docs/decisions/0012).
 */
import type { Stats } from 'node:fs';
import { lstat, open, readFile, realpath } from './fs-calls-node';
import nodePath from 'node:path';
import type { VaultDisk } from './fs-vault-disk-node';
import {
    giveWay,
    runInSlices,
    runToEnd,
    walkSteps,
    type Busy,
    type FolderWatch,
    type Found,
} from './fs-vault-walk-node';
import { readablePath, toEntry, VaultCatalogue, type ScanStats } from './fs-vault-catalogue-node';
import { VaultWrites } from './fs-vault-writes-node';
import { removeStaleTemps } from './temp-files-node';
import type { NoteIndex } from './note-index';
import type { IndexSnapshotFile } from './index-snapshot-node';
import type { TextScanPool } from './text-scan-node';
import type { ScannedTags, TextScanRequest, TextScanResult } from '../kernel/text-scan';
import { normalizeVaultPath } from '../kernel/path-policy';
import { VaultError } from '../kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../kernel/vault-port';
import type { FileListing } from './file-listing';
import { readWhole, type OneRead } from './quiet-read-node';
import { sameFile } from './text-cache';
import { assertNoteReadable } from './stored-note';

export { StaleWriteError } from './fs-vault-writes-node';
export type { ScanStats } from './fs-vault-catalogue-node';

/** Options for `FsVault.open`. */
export interface FsVaultOptions {
    /** The vault's configuration folder (Obsidian's `Vault.configDir`), which the caller must know. */
    configDir: string;
    /**
     * Where the note index is kept between runs (the CLI's state folder): notes whose files are unchanged are taken
     * from it at open instead of being read and parsed again. Absent = every note is read.
     */
    snapshot?: (owner: { root: string; configDir: string }) => IndexSnapshotFile;
    /**
     * Told of every folder before a scan (the one at open included) or a sync lists it, so a file-system watcher can
     * watch each folder before it is read (`VaultWatcher.open`) and no second scan is needed to cover the gap.
     */
    folders?: FolderWatch;
    /**
     * The opening scan gives the event loop a turn each time it has run this long (ms), so input that arrives while it
     * runs is read and can be answered by what does not need the whole vault (the MCP server's `read_note`). Absent =
     * the scan runs in one go.
     */
    sliceMs?: number;
    /** With `sliceMs`: the opening scan pauses while calls are being answered (see `Busy`). */
    busy?: Busy;
}

/** A vault on a real folder. */
export class FsVault implements VaultPort {
    /** What the vault knows of its files: the listing, the index, the snapshot, where each file is on disk. */
    private readonly catalogue: VaultCatalogue;
    /** The catalogue's listing, index and disk, held here too so calls reach them in one step. */
    private readonly files: FileListing;
    private readonly index: NoteIndex;
    private readonly disk: VaultDisk;
    /** Where symlinked paths lead (see `VaultCatalogue.linkTargets`; the gate asks `realPathOf` on every check). */
    private readonly linkTargets: Map<string, string>;
    /** `create`, `process`, `rename` and `trash`, with their queue. */
    private readonly writes: VaultWrites;
    private readonly listeners = new Set<(event: VaultChange) => void>();
    private scanned = false;
    private scans = 0;
    private lastScan: ScanStats = { files: 0, parsed: 0, read: 0, ms: 0 };
    /** Worker threads for `scanTexts` (decision 0024); `null` = searches read on the caller's thread. */
    private textScan: TextScanPool | null = null;
    /** Told of each folder before a walk lists it (see `FsVaultOptions.folders`). */
    private folders: FolderWatch | null = null;

    private constructor(
        private readonly options: { root: string; configDir: string },
        snapshot?: FsVaultOptions['snapshot'],
    ) {
        this.catalogue = new VaultCatalogue(
            options,
            snapshot?.({ root: options.root, configDir: options.configDir }) ?? null,
        );
        this.files = this.catalogue.files;
        this.index = this.catalogue.index;
        this.disk = this.catalogue.disk;
        this.linkTargets = this.catalogue.linkTargets;
        this.writes = new VaultWrites(this.catalogue, options.configDir, (event) => this.emit(event));
    }

    /**
     * What `open` checks before it scans: the config folder's name, and that `root` is a folder. Resolves to the real
     * path of `root` and the config folder as the vault knows it; rejects as `open` does.
     */
    static async locate(root: string, configDir: string): Promise<{ root: string; configDir: string }> {
        // Outside Obsidian there is no Vault#configDir to ask, and guessing would be a hard-coded folder name: the
        // caller (the CLI's --config-dir, a test) always names it.
        const config = normalizeVaultPath(configDir);
        if (!config.ok) throw new VaultError('invalid-path', `Config folder: ${config.reason}`);
        const realRoot = await realpath(root).catch(() => null);
        if (realRoot === null || !(await lstat(realRoot)).isDirectory()) {
            throw new VaultError('not-found', 'The vault folder does not exist.');
        }
        return { root: realRoot, configDir: config.path };
    }

    /** Opens the folder at `root` (by its real path) and scans it. */
    static async open(root: string, options: FsVaultOptions): Promise<FsVault> {
        const located = await FsVault.locate(root, options.configDir);
        const vault = new FsVault(located, options.snapshot);
        vault.folders = options.folders ?? null;
        // The snapshot is read once the walk is done: nothing in the walk needs it, and a call that comes meanwhile
        // does not wait for it.
        await vault.scan({
            clearStaleTemps: true,
            lazy: true,
            sliceMs: options.sliceMs,
            busy: options.busy,
            beforeAbsorb: () => vault.catalogue.snapshot.load(),
        });
        vault.catalogue.snapshot.loaded();
        return vault;
    }

    /** The vault folder's real path. */
    get root(): string {
        return this.options.root;
    }

    /** From now on, tells `folders` of each folder before a scan or a sync lists it (`null`: nobody). */
    watchFolders(folders: FolderWatch | null): void {
        this.folders = folders;
    }

    /** The configuration folder, as given to `open`. */
    get configDir(): string {
        return this.options.configDir;
    }

    /**
     * Walks the folder, re-reads only files whose mtime or size changed, drops deleted ones, emits what changed.
     *
     * The walk and the reads are synchronous on purpose: tens of thousands of small stat and read calls cost several
     * times more as promises (one thread-pool round trip each) than as plain system calls. A scan is one batch that
     * runs at start and on refresh, in the CLI and tests; Obsidian itself uses ObsidianVault, not this.
     */
    async scan(
        options: {
            clearStaleTemps?: boolean;
            lazy?: boolean;
            sliceMs?: number;
            busy?: Busy;
            beforeAbsorb?: () => void;
        } = {},
    ): Promise<ScanStats> {
        const started = performance.now();
        const found: Found = new Map();
        const temps: { abs: string; name: string; stats: Stats }[] | undefined = options.clearStaleTemps
            ? []
            : undefined;
        this.catalogue.reads = 0;
        const sliceMs = options.sliceMs;
        const run = <T>(steps: Generator<void, T, void>): T | Promise<T> =>
            sliceMs === undefined ? runToEnd(steps) : runInSlices(steps, sliceMs, options.busy);
        await run(walkSteps(this.disk, this.configDir, found, '', temps, this.folders));
        // Temp files a killed writer left next to notes (hidden, so Obsidian never shows them) go on open.
        if (temps !== undefined) removeStaleTemps(temps);
        if (sliceMs !== undefined) await giveWay(options.busy);
        options.beforeAbsorb?.();
        if (sliceMs !== undefined) await giveWay(options.busy);
        this.catalogue.clearLocations();
        const events = await run(this.catalogue.absorbSteps(found, () => true, options.lazy === true));
        this.scans++;
        if (this.scanned) for (const event of events) this.emit(event);
        this.scanned = true;
        await Promise.resolve();
        this.lastScan = {
            files: found.size,
            parsed: events.filter((e) => e.type !== 'delete').length,
            read: this.catalogue.reads,
            ms: performance.now() - started,
        };
        return this.lastScan;
    }

    /** What the latest full scan did (the one at `open` until another runs). */
    get lastScanStats(): ScanStats {
        return { ...this.lastScan };
    }

    /**
     * Writes the index snapshot (when the vault was opened with one and it would read differently): every note parsed
     * from a settled file, except those `keep` refuses (the exclusion gate: nothing excluded is written). Returns how
     * many notes were written, or `null` when nothing was. Notes the opening scan left to read when first needed are
     * read first, unless `readRest` is false (a process about to end writes what it has).
     */
    saveSnapshot(keep: (path: string) => boolean, readRest = true): number | null {
        return this.catalogue.saveSnapshot(keep, readRest);
    }

    /** How many full scans ran (the first at `open` included): a watcher must not make calls pay for one. */
    get scanCount(): number {
        return this.scans;
    }

    /**
     * Brings what the vault knows at each of `diskPaths` (on-disk relative paths a file-system watcher reported) up to
     * date without a full scan: a folder is walked (its files added, changed or dropped), a file is looked at again and
     * re-read when it changed, a path that is gone is dropped with everything the vault knew under it. Symlinks that
     * lead to a file that changed are looked at again too, so the gate judges them by their target's text as it is now.
     */
    async syncPaths(diskPaths: Iterable<string>): Promise<ScanStats> {
        const started = performance.now();
        this.catalogue.reads = 0;
        const { found, events } = this.catalogue.absorbPaths(diskPaths, this.folders);
        for (const event of events) this.emit(event);
        await Promise.resolve();
        return {
            files: found,
            parsed: events.filter((e) => e.type !== 'delete').length,
            read: this.catalogue.reads,
            ms: performance.now() - started,
        };
    }

    /**
     * The notes indexed from a text that may have been half written, since the last call (on-disk path → the time from
     * which they can be read whole); `syncPaths` on them then reads each again (see `quiet-files.ts`).
     */
    takeUnsettled(): Map<string, number> {
        return this.catalogue.takeUnsettled();
    }

    /**
     * Excludes a note taken from `takeUnsettled` that is still being written, until it is read again whole, and gives it
     * back as unsettled (see `VaultCatalogue.holdBack`).
     */
    holdBack(disk: string, settledAt: number): void {
        this.catalogue.holdBack(disk, settledAt);
    }

    /**
     * Reads and parses, in the background, the notes the opening scan listed without reading, a slice per turn of the
     * event loop so calls keep being answered, and none while `busy` says calls are being answered (a call touches the
     * notes it needs itself); resolves when none is left, or when `stop` is aborted.
     */
    settle(stop?: AbortSignal, busy: () => boolean = () => false, sliceMs = 5): Promise<void> {
        return this.catalogue.settle(stop, busy, sliceMs);
    }

    async list(): Promise<FileEntry[]> {
        return this.files.sorted();
    }

    async listUnder(prefix: string): Promise<FileEntry[]> {
        return this.files.under(prefix);
    }

    async stat(path: string): Promise<FileEntry | null> {
        const vaultPath = readablePath(path);
        const real = await this.disk.locate(vaultPath);
        const stats = real === null ? null : await lstat(real).catch(() => null);
        return stats?.isFile() ? toEntry(vaultPath, stats) : null;
    }

    /** The note's text, whole (`quiet-read-node.ts`, decision 0036). */
    async read(path: string): Promise<string> {
        // A path the vault lists is already in normal form (normalizing is idempotent), so it needs no second look.
        const vaultPath = this.files.has(path) ? path : readablePath(path);
        const read = await readWhole(
            vaultPath,
            () => this.readOnce(vaultPath),
            (stats) => this.catalogue.wroteThis(vaultPath, stats),
        );
        // The index (and so the gate's judgement by path) takes exactly the text returned, and only a whole one.
        if (read.stats !== null) this.catalogue.indexRead(vaultPath, read.stats, read.text);
        return read.text;
    }

    /** One read of the note (see `OneRead`). */
    private async readOnce(vaultPath: string): Promise<OneRead> {
        const known = this.catalogue.readKnown(vaultPath);
        if (known !== null) return { ...known, changed: false };
        const real = await this.disk.locateFile(vaultPath);
        const handle = await open(real, 'r').catch((e: unknown) => this.disk.fail(e, vaultPath));
        try {
            const stats = await handle.stat();
            assertNoteReadable(stats.size, vaultPath);
            const text = await handle.readFile('utf8');
            const after = await handle.stat();
            if (!sameFile(stats, after)) return { text, stats: after, file: real, changed: true };
            const abs = this.disk.abs((await this.disk.findOnDisk(vaultPath)) ?? vaultPath);
            this.catalogue.noteTarget(vaultPath, abs, real);
            return { text, stats, file: real, changed: false };
        } finally {
            await handle.close();
        }
    }

    /** The bytes of a file (an attachment), read through the same path checks as `read`. */
    async readBinary(path: string): Promise<Uint8Array> {
        const vaultPath = this.files.has(path) ? path : readablePath(path);
        const real = await this.disk.locateFile(vaultPath);
        const bytes = await readFile(real).catch((e: unknown) => this.disk.fail(e, vaultPath));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    create(path: string, content: string): Promise<void> {
        return this.writes.create(path, content);
    }

    process(path: string, fn: (current: string) => string): Promise<string> {
        return this.writes.process(path, fn);
    }

    rename(from: string, to: string): Promise<void> {
        return this.writes.rename(from, to);
    }

    trash(path: string): Promise<void> {
        return this.writes.trash(path);
    }

    /**
     * The vault path of the file `path` really is: `path` itself when nothing on the way is a symbolic link, else where
     * the links lead (for a path that does not exist yet, where its deepest existing folder really is, plus the rest).
     * `null` when it leads outside the vault or cannot be resolved. Listed paths answer from what the scan and the last
     * read found, without a system call; others are resolved now.
     */
    realPathOf(path: string): string | null {
        // Most vaults hold no links: then a known file leads to itself, with one lookup (the gate asks on every check).
        if (this.linkTargets.size > 0) {
            const target = this.linkTargets.get(path);
            if (target !== undefined) return target;
        }
        if (this.files.has(path)) return path;
        return this.disk.realVaultPath(path);
    }

    /** The other names the vault found for the file at `path`, when it has more than one (see `hard-links.ts`). */
    otherNamesOf(path: string): readonly string[] {
        return this.catalogue.hardLinks.othersOf(path);
    }

    /**
     * Brings what the vault knows of `paths` up to date with the disk now, without a scan: each listed path is looked
     * at again (one `lstat`, a `realpath` for a link) and re-read when it changed, so the gate judges the text and the
     * link target as they are now. A path that is gone, or now leads outside the vault, is forgotten (and so excluded);
     * one not listed yet that is there now is listed and indexed.
     */
    async revalidate(paths: Iterable<string>): Promise<void> {
        for (const path of new Set(paths)) {
            if (!this.files.has(path)) {
                // Not listed yet (created a moment ago, its report still on the way): looked at and indexed now, when
                // it lies in a real folder of the vault. The walk never follows a symlinked folder, so neither does
                // this: a path through one is left to the checks of the read itself, which judge where it leads.
                const abs = this.disk.abs(path);
                const folder = nodePath.dirname(abs);
                if ((await realpath(folder).catch(() => null)) !== folder) continue;
                const there = await lstat(abs).then(
                    () => true,
                    () => false,
                );
                if (there) await this.syncPaths([path]);
                continue;
            }
            const change = this.catalogue.recheck(path);
            if (change !== null) this.emit({ type: change, path });
        }
        await Promise.resolve();
    }

    /**
     * Lets `scanTexts` search in `pool`'s worker threads (the CLI and the MCP server; decision 0024); `warm` starts
     * them now, else the first search does.
     */
    useTextScan(pool: TextScanPool | null, warm = true): void {
        this.textScan = pool;
        if (warm) pool?.warm();
    }

    /** Starts the worker threads of `useTextScan` now, if they are not running yet, so the first search finds them ready. */
    warmTextScan(): void {
        this.textScan?.warm();
    }

    /**
     * Searches notes' texts in the worker threads of `useTextScan`; `null` without them. A worker opens only a note the
     * walk or a read checked, by its device and inode; any other (a symbolic link, a file not checked yet) is left to
     * the caller, who reads it with every check (`'read-here'`).
     */
    async scanTexts(request: TextScanRequest): Promise<TextScanResult | null> {
        if (this.textScan === null) return null;
        return this.textScan.scan(this.catalogue.scanTargets(request.paths), request);
    }

    metadata(path: string): NoteMetadata | undefined {
        return this.index.metadata(path);
    }

    tagsOf(path: string): ScannedTags | undefined {
        return this.index.tags(path);
    }

    resolveLink(linkpath: string, sourcePath: string): string | null {
        return this.index.resolveLink(linkpath, sourcePath);
    }

    backlinks(path: string): readonly string[] {
        return this.index.backlinks(path);
    }

    knownBacklinks(path: string): readonly string[] {
        return this.index.knownBacklinks(path);
    }

    onChange(listener: (event: VaultChange) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    private emit(event: VaultChange): void {
        for (const listener of this.listeners) {
            try {
                listener(event);
            } catch {
                // A listener's failure must not turn a write that already happened into an error.
            }
        }
    }
}
