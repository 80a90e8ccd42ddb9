/**
 * `VaultPort` on a real folder, for the CLI, the MCP server, benchmarks and every core test. Node only.
 *
 * Every method runs the path policy before touching the disk, then checks containment on the resolved real path
 * (so a symlink cannot lead out), and writes atomically: a temp file in the same folder, fsync, then a rename
 * (edits) or a hard link (new files and moves, which fails instead of overwriting). Writes go through one queue.
 * File-system calls are plain system calls (`fs-calls-node.ts`); a file already checked is known by its device and
 * inode, and its text is kept while the file is unchanged (see docs/decisions/0012).
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readFile, realpath, rename } from './fs-calls-node';
import nodePath from 'node:path';
import { errorCode, VaultDisk } from './fs-vault-disk-node';
import {
    giveWay,
    readTextOrNull,
    runInSlices,
    runToEnd,
    walkPath,
    walkSteps,
    type Busy,
    type FolderWatch,
    type Found,
} from './fs-vault-walk-node';
import { KnownFiles } from './fs-vault-known-node';
import { removeStaleTemps } from './temp-files-node';
import { NoteIndex } from './note-index';
import { UNREADABLE } from './stored-note';
import { parseNote } from './note-parser';
import { SnapshotBook, type IndexSnapshotFile, type ParsedFacts } from './index-snapshot-node';
import type { TextScanPool } from './text-scan-node';
import type { ScannedTags, TextScanRequest, TextScanResult } from '../kernel/text-scan';
import { checkWritablePath, isProtectedPath, normalizeVaultPath } from '../kernel/path-policy';
import { applyLinkRewrites, planLinkRewrites } from './rename-links';
import { collisionKey, uniqueNotePath } from '../kernel/safe-names';
import { isUnlistedSegment, VAULT_TRASH_FOLDER } from '../kernel/system-folders';
import { isMarkdownPath, VaultError } from '../kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange, VaultPort } from '../kernel/vault-port';
import { FileListing } from './file-listing';

/** How many files a step of `absorbSteps` takes in between two chances to pause. */
const FILES_PER_STEP = 128;

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

/** What one scan did, so the benchmark can tell a cold scan from a warm one. */
export interface ScanStats {
    /** Files found. */
    files: number;
    /** Files indexed because they were new or changed (read, or taken from the index snapshot). */
    parsed: number;
    /** Notes read from disk for it (the rest of `parsed` came from the index snapshot). */
    read: number;
    /** Wall time in milliseconds. */
    ms: number;
}

/** `process` found the file changed on disk after `fn` saw it; nothing was written. */
export class StaleWriteError extends VaultError {
    /** Always true: tells a stale write from other I/O failures. */
    readonly stale = true;
    constructor(path: string) {
        super('io', `"${path}" changed on disk while it was being edited; nothing was written. Read it again.`, path);
    }
}

/** A vault on a real folder. */
export class FsVault implements VaultPort {
    private readonly files = new FileListing();
    /** NFC vault path → on-disk relative path, where they differ (NFD names written by macOS or by hand). */
    private readonly diskNames = new Map<string, string>();
    /** Identities of checked files and the texts read from them, for reads without a second real-path check. */
    private readonly known: KnownFiles;
    /**
     * The change time (ctime) of each file when its text last went into the index. Size and modification time alone
     * miss an edit that keeps the size and restores the old mtime, and the gate must judge the tags the text has now.
     */
    private readonly indexedChange = new Map<string, number>();
    /**
     * Vault path → the vault path of the file it really is, for paths that lead through a symbolic link (found by the
     * scan, or by the read that followed the link last). The exclusion gate judges both (see `realPathOf`).
     */
    private readonly linkTargets = new Map<string, string>();
    private readonly listeners = new Set<(event: VaultChange) => void>();
    private readonly disk: VaultDisk;
    /** The last queued write per file (by collision key, so case and NFC twins queue together). */
    private readonly writeTails = new Map<string, Promise<unknown>>();
    /** The last write that needed the whole vault to itself (a rename rewrites links in other notes). */
    private exclusiveTail: Promise<unknown> = Promise.resolve();
    private scanned = false;
    private scans = 0;
    private lastScan: ScanStats = { files: 0, parsed: 0, read: 0, ms: 0 };
    /** Notes read from disk by the running scan. */
    private reads = 0;
    /** The index snapshot: what the open may take from it, and what may go into it (decision 0022). */
    private readonly snapshot: SnapshotBook;
    /** Worker threads for `scanTexts` (decision 0024); `null` = searches read on the caller's thread. */
    private textScan: TextScanPool | null = null;
    /** Told of each folder before a walk lists it (see `FsVaultOptions.folders`). */
    private folders: FolderWatch | null = null;

    /** Every note's metadata and the links between them. */
    private readonly index = new NoteIndex((path) => this.readNow(path));

    private constructor(
        private readonly options: { root: string; configDir: string },
        snapshot?: FsVaultOptions['snapshot'],
    ) {
        this.snapshot = new SnapshotBook(snapshot?.({ root: options.root, configDir: options.configDir }) ?? null);
        this.disk = new VaultDisk({ root: options.root, configDir: options.configDir, diskNames: this.diskNames });
        this.known = new KnownFiles(this.disk);
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
            beforeAbsorb: () => vault.snapshot.load(),
        });
        vault.snapshot.loaded();
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
        this.reads = 0;
        const sliceMs = options.sliceMs;
        const run = <T>(steps: Generator<void, T, void>): T | Promise<T> =>
            sliceMs === undefined ? runToEnd(steps) : runInSlices(steps, sliceMs, options.busy);
        await run(walkSteps(this.disk, this.configDir, found, '', temps, this.folders));
        // Temp files a killed writer left next to notes (hidden, so Obsidian never shows them) go on open.
        if (temps !== undefined) removeStaleTemps(temps);
        if (sliceMs !== undefined) await giveWay(options.busy);
        options.beforeAbsorb?.();
        if (sliceMs !== undefined) await giveWay(options.busy);
        this.diskNames.clear();
        this.known.clear();
        this.linkTargets.clear();
        const events = await run(this.absorbSteps(found, () => true, options.lazy === true));
        this.scans++;
        if (this.scanned) for (const event of events) this.emit(event);
        this.scanned = true;
        await Promise.resolve();
        this.lastScan = {
            files: found.size,
            parsed: events.filter((e) => e.type !== 'delete').length,
            read: this.reads,
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
        if (readRest) for (const path of this.index.waiting()) this.index.tags(path);
        return this.snapshot.save(
            keep,
            (path) => this.indexedChange.get(path),
            (path) => this.index.stored(path),
        );
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
        this.reads = 0;
        const roots = new Set<string>();
        for (const disk of diskPaths) roots.add(disk);
        const found: Found = new Map();
        const scopes: string[] = [];
        for (const disk of roots) {
            walkPath(this.disk, this.configDir, found, disk, this.folders);
            scopes.push(disk.normalize('NFC'));
        }
        const inScope = (path: string): boolean =>
            scopes.some((scope) => path === scope || path.startsWith(`${scope}/`));
        const events = this.absorb(found, inScope);
        // A symlink to a file that changed now leads to other text: look at it again (once, not transitively).
        const changed = new Set(events.map((event) => event.path));
        const links = [...this.linkTargets].filter(([link, target]) => changed.has(target) && !changed.has(link));
        if (links.length > 0) {
            const more: Found = new Map();
            for (const [link] of links) walkPath(this.disk, this.configDir, more, this.diskNames.get(link) ?? link);
            const linkSet = new Set(links.map(([link]) => link));
            events.push(...this.absorb(more, (path) => linkSet.has(path)));
        }
        for (const event of events) this.emit(event);
        await Promise.resolve();
        return {
            files: found.size,
            parsed: events.filter((e) => e.type !== 'delete').length,
            read: this.reads,
            ms: performance.now() - started,
        };
    }

    /**
     * Takes what a walk found into the listing and the index: new and changed files are read and indexed, files the
     * vault knew within `inScope` that the walk did not find are forgotten. Returns what changed, in order.
     */
    private absorb(found: Found, inScope: (path: string) => boolean): VaultChange[] {
        return runToEnd(this.absorbSteps(found, inScope, false));
    }

    /** `absorb` in steps (see `walkSteps`); `lazy` lists new notes unread (the opening scan). */
    private *absorbSteps(
        found: Found,
        inScope: (path: string) => boolean,
        lazy: boolean,
    ): Generator<void, VaultChange[], void> {
        const events: VaultChange[] = [];
        let seen = 0;
        for (const [path, { disk, stats, linked }] of found) {
            if (++seen % FILES_PER_STEP === 0) yield;
            const entry = toEntry(path, stats);
            if (this.isIndexed(path, stats)) continue;
            const markdown = isMarkdownPath(path);
            // A link's text is always read: the gate judges it by its target as it is now.
            const seeded = markdown && !linked ? this.snapshot.take(path, stats) : null;
            if (seeded !== null) {
                // Taken from the snapshot when first touched; a row that does not parse is read from the note.
                this.index.setStored(entry, seeded);
            } else if (lazy && markdown) {
                // The opening scan lists the note; its text is read and judged when first asked (or by `settle`).
                this.reads++;
                this.index.setUnread(entry);
                if (linked) this.snapshot.forget(path);
            } else {
                const readAt = Date.now();
                const text = markdown ? readTextOrNull(this.disk.abs(disk)) : null;
                if (markdown && text === null) continue;
                if (markdown) this.reads++;
                this.index.set(entry, text);
                if (markdown && !linked) this.snapshot.read(path, stats, readAt);
                else this.snapshot.forget(path);
            }
            this.indexedChange.set(path, stats.ctimeMs);
            events.push({ type: this.files.has(path) ? 'modify' : 'create', path });
            this.files.set(path, entry);
        }
        for (const path of [...this.files.keys()].filter((known) => inScope(known) && !found.has(known))) {
            this.forget(path);
            events.push({ type: 'delete', path });
        }
        for (const [path, { disk, stats, linked, target }] of found) {
            if (++seen % FILES_PER_STEP === 0) yield;
            if (disk !== path) this.diskNames.set(path, disk);
            else this.diskNames.delete(path);
            if (!linked) {
                this.known.trust(path, stats);
                this.linkTargets.delete(path);
            } else if (target !== undefined) {
                this.known.forget(path);
                this.linkTargets.set(path, target);
            }
        }
        return events;
    }

    /**
     * The metadata of a note read from its file now: one the opening scan listed without reading, or one whose stored
     * metadata turned out damaged. The text is at least as new as the facts the vault holds (the watcher reports anything
     * later); a note that cannot be read has unknown tags, so the gate excludes it. It may go into the snapshot (when it
     * is no symlink) unless modified within the racy window.
     */
    private readNow(path: string): NoteMetadata {
        const readAt = Date.now();
        const text = readTextOrNull(this.disk.abs(this.diskNames.get(path) ?? path));
        const facts = this.linkTargets.has(path) ? null : this.factsOf(path);
        if (text === null || facts === null) this.snapshot.forget(path);
        if (text === null) return { ...UNREADABLE };
        if (facts !== null) this.snapshot.read(path, facts, readAt);
        return parseNote(text);
    }

    /** The facts of the file the vault lists at `path`, as its walk saw them; `null` when not all are known. */
    private factsOf(path: string): ParsedFacts | null {
        const identity = this.known.identity(path);
        const entry = this.files.get(path);
        const ctimeMs = this.indexedChange.get(path);
        if (identity === undefined || entry === undefined || ctimeMs === undefined) return null;
        return { dev: identity.dev, ino: identity.ino, size: entry.size, mtimeMs: entry.mtime, ctimeMs };
    }

    /**
     * Reads and parses, in the background, the notes the opening scan listed without reading, a slice per turn of the
     * event loop so calls keep being answered, and none while `busy` says calls are being answered (a call touches the
     * notes it needs itself); resolves when none is left, or when `stop` is aborted.
     */
    async settle(stop?: AbortSignal, busy: () => boolean = () => false, sliceMs = 5): Promise<void> {
        const index = this.index;
        const paths = index.waiting();
        let next = 0;
        while (next < paths.length && stop?.aborted !== true) {
            if (busy()) {
                await new Promise((resolve) => setTimeout(resolve, 2));
                continue;
            }
            const started = performance.now();
            // Notes indexed otherwise meanwhile (a call asked, a write) answer from the index at once.
            while (next < paths.length && performance.now() - started < sliceMs) index.tags(paths[next++] as string);
            if (next < paths.length) await new Promise((resolve) => setImmediate(resolve));
        }
    }

    async list(): Promise<FileEntry[]> {
        return this.files.sorted();
    }

    async listUnder(prefix: string): Promise<FileEntry[]> {
        return this.files.under(prefix);
    }

    async stat(path: string): Promise<FileEntry | null> {
        const vaultPath = this.readablePath(path);
        const real = await this.disk.locate(vaultPath);
        const stats = real === null ? null : await lstat(real).catch(() => null);
        return stats?.isFile() ? toEntry(vaultPath, stats) : null;
    }

    async read(path: string): Promise<string> {
        // A path the vault lists is already in normal form (normalizing is idempotent), so it needs no second look.
        const vaultPath = this.files.has(path) ? path : this.readablePath(path);
        const known = this.readKnownFile(vaultPath);
        if (known !== null) return known;
        const real = await this.disk.locateFile(vaultPath);
        const handle = await open(real, 'r').catch((e: unknown) => this.disk.fail(e, vaultPath));
        try {
            const stats = await handle.stat();
            const text = await handle.readFile('utf8');
            this.noteTarget(vaultPath, this.disk.abs((await this.disk.findOnDisk(vaultPath)) ?? vaultPath), real);
            this.indexRead(vaultPath, stats, text);
            return text;
        } finally {
            await handle.close();
        }
    }

    /** The bytes of a file (an attachment), read through the same path checks as `read`. */
    async readBinary(path: string): Promise<Uint8Array> {
        const vaultPath = this.files.has(path) ? path : this.readablePath(path);
        const real = await this.disk.locateFile(vaultPath);
        const bytes = await readFile(real).catch((e: unknown) => this.disk.fail(e, vaultPath));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }

    async create(path: string, content: string): Promise<void> {
        const vaultPath = this.writablePath(path);
        await this.serial([vaultPath], async () => {
            const target = await this.disk.locateNew(vaultPath);
            if (!target.dirExists) await this.disk.makeFolder(target.dir, vaultPath);
            await this.disk.placeTemp(target.dir, Buffer.from(content, 'utf8'), 0o666, async (tmp) => {
                await this.disk.moveNoOverwrite(tmp, target.abs, vaultPath, true);
            });
            await this.refresh(vaultPath, target.abs, content);
            this.emit({ type: 'create', path: vaultPath });
        });
    }

    async process(path: string, fn: (current: string) => string): Promise<string> {
        const vaultPath = this.writablePath(path);
        return this.serial([vaultPath], () => this.processNow(vaultPath, fn));
    }

    async rename(from: string, to: string): Promise<void> {
        const source = this.writablePath(from);
        const destination = this.writablePath(to);
        if (source === destination) return;
        await this.serial(null, async () => {
            const entry = await this.disk.locateEntry(source);
            const target = await this.disk.locateNew(destination, entry);
            const plan = planLinkRewrites(this.index, source, destination);
            if (!target.dirExists) await this.disk.makeFolder(target.dir, destination);
            if (target.isSelf) await rename(entry, target.abs);
            else await this.disk.moveNoOverwrite(entry, target.abs, destination, false);
            this.forget(source);
            await this.refresh(destination, target.abs, null);
            this.emit({ type: 'rename', path: destination, oldPath: source });
            const failed: string[] = [];
            for (const [note, rewrites] of plan) {
                const notePath = note === source ? destination : note;
                await this.processNow(notePath, (text) => applyLinkRewrites(text, rewrites)).catch(() => {
                    failed.push(notePath);
                });
            }
            if (failed.length > 0) {
                const names = failed.map((note) => `"${note}"`).join(', ');
                throw new VaultError(
                    'io',
                    `Renamed "${source}" to "${destination}", but links in ${names} were not updated.`,
                );
            }
        });
    }

    async trash(path: string): Promise<void> {
        const vaultPath = this.writablePath(path);
        // Trashes also queue behind each other: two notes with one name pick their free names in the same folder.
        await this.serial([vaultPath, VAULT_TRASH_FOLDER], async () => {
            const entry = await this.disk.locateEntry(vaultPath);
            const trashDir = await this.disk.makeFolder(
                nodePath.join(this.options.root, VAULT_TRASH_FOLDER),
                vaultPath,
            );
            const name = nodePath.basename(entry).normalize('NFC');
            const free = await uniqueNotePath(name, () => false, await readdir(trashDir));
            await this.disk.moveNoOverwrite(entry, nodePath.join(trashDir, free), vaultPath, false);
            this.forget(vaultPath);
            this.emit({ type: 'delete', path: vaultPath });
        });
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
        const segments = path.split('/');
        for (let n = segments.length; n >= 0; n--) {
            let real: string;
            try {
                real = realpathSync.native(this.disk.abs(segments.slice(0, n).join('/')));
            } catch (e) {
                const code = errorCode(e);
                if (code === 'ENOENT' || code === 'ENOTDIR') continue;
                return null;
            }
            if (!this.disk.isInside(real)) return null;
            const base = this.disk.vaultPathOf(real);
            return [base, ...segments.slice(n)].filter((segment) => segment !== '').join('/');
        }
        return null;
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
            const abs = this.disk.abs(this.diskNames.get(path) ?? path);
            const now = this.lookAgain(abs);
            if (now === null) {
                this.forget(path);
                this.emit({ type: 'delete', path });
                continue;
            }
            // What reads trust by identity needs no change: every read compares the file's identity and stats anew.
            this.noteTarget(path, abs, now.real);
            if (this.isIndexed(path, now.stats)) continue;
            const text = isMarkdownPath(path) ? readTextOrNull(now.real) : null;
            if (isMarkdownPath(path) && text === null) {
                this.forget(path);
                this.emit({ type: 'delete', path });
                continue;
            }
            this.remember(toEntry(path, now.stats), text);
            this.indexedChange.set(path, now.stats.ctimeMs);
            this.emit({ type: 'modify', path });
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
        const targets = request.paths.map((path) => {
            const identity = this.linkTargets.has(path) ? undefined : this.known.identity(path);
            if (identity === undefined || !this.files.has(path)) return null;
            return { abs: this.disk.abs(this.diskNames.get(path) ?? path), dev: identity.dev, ino: identity.ino };
        });
        return this.textScan.scan(targets, request);
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

    onChange(listener: (event: VaultChange) => void): () => void {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
    }

    private async processNow(vaultPath: string, fn: (current: string) => string): Promise<string> {
        const real = await this.disk.locateWritableFile(vaultPath);
        const before = await readFile(real).catch((e: unknown) => this.disk.fail(e, vaultPath));
        const current = before.toString('utf8');
        if (!Buffer.from(current, 'utf8').equals(before)) {
            throw new VaultError('io', `"${vaultPath}" is not valid UTF-8 text; editing it would alter its bytes.`);
        }
        const next = fn(current);
        if (next === current) return current;
        const { mode } = await lstat(real);
        await this.disk.placeTemp(nodePath.dirname(real), Buffer.from(next, 'utf8'), mode, async (tmp) => {
            // The stale check: only replace the bytes `fn` saw. The window left is the rename itself.
            const onDisk = await readFile(real).catch(() => null);
            if (onDisk === null || !onDisk.equals(before)) throw new StaleWriteError(vaultPath);
            await rename(tmp, real);
        });
        await this.refresh(vaultPath, real, next);
        this.emit({ type: 'modify', path: vaultPath });
        return next;
    }

    private readablePath(path: string): string {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) throw new VaultError('invalid-path', checked.reason, path);
        return checked.path;
    }

    private writablePath(path: string): string {
        // As in `read`: a listed path is already in normal form.
        const vaultPath = this.files.has(path) ? path : this.readablePath(path);
        const checked = checkWritablePath(vaultPath, this.configDir);
        if (checked.ok) return checked.path;
        throw new VaultError(
            isProtectedPath(vaultPath, this.configDir) ? 'protected' : 'invalid-path',
            checked.reason,
            vaultPath,
        );
    }

    /**
     * Reads a file the last scan found, with plain system calls and without a second real-path check when it is the
     * very file checked before (see `fs-vault-known-node.ts`). `null` sends the caller down the slow path (unknown file,
     * a twin spelling, anything unexpected), which decides and explains.
     */
    private readKnownFile(vaultPath: string): string | null {
        if (!this.files.has(vaultPath)) return null;
        const abs = this.disk.abs(this.diskNames.get(vaultPath) ?? vaultPath);
        const read = this.known.read(vaultPath, abs);
        if (read === null) return null;
        this.noteTarget(vaultPath, abs, read.real ?? abs);
        if (read.stats !== null) this.indexRead(vaultPath, read.stats, read.text);
        return read.text;
    }

    /** Remembers where `vaultPath` (at `abs`) led when it was last read or looked at: `real`, checked inside. */
    private noteTarget(vaultPath: string, abs: string, real: string): void {
        if (real === abs) this.linkTargets.delete(vaultPath);
        else this.linkTargets.set(vaultPath, this.disk.vaultPathOf(real));
    }

    /**
     * The file at `abs` now (its real path and stats), or `null` when it is gone, not a file, or leads outside. The real
     * path is resolved whole: a folder on the way may have been swapped for a link since the scan.
     */
    private lookAgain(abs: string): { real: string; stats: Stats } | null {
        try {
            const real = realpathSync.native(abs);
            if (!this.disk.isInside(real)) return null;
            const stats = statSync(real);
            return stats.isFile() ? { real, stats } : null;
        } catch {
            return null;
        }
    }

    /** Whether the index holds the text of the file as `stats` describe it (same size, mtime and change time). */
    private isIndexed(vaultPath: string, stats: Stats): boolean {
        return (
            this.index.isFresh(vaultPath, toEntry(vaultPath, stats)) &&
            this.indexedChange.get(vaultPath) === stats.ctimeMs
        );
    }

    /** Indexes exactly what was read, so the exclusion gate judges this text and not an older one. */
    private indexRead(vaultPath: string, stats: Stats, text: string): void {
        if (this.isIndexed(vaultPath, stats)) return;
        this.remember(toEntry(vaultPath, stats), text);
        this.indexedChange.set(vaultPath, stats.ctimeMs);
    }

    /** Obsidian ignores hidden files and folders (which covers `.git`, `.trash`, temp files); the config folder too. */
    private isListed(path: string): boolean {
        const segments = path.split('/');
        if (segments.some(isUnlistedSegment)) return false;
        return !isProtectedPath(path, this.configDir);
    }

    private async refresh(vaultPath: string, abs: string, text: string | null): Promise<void> {
        const stats = await lstat(abs);
        // `abs` was located and checked just now; a symlink (a renamed one) is checked again on its next read.
        this.known.trust(vaultPath, stats);
        this.remember(
            toEntry(vaultPath, stats),
            isMarkdownPath(vaultPath) ? (text ?? (await readFile(abs, 'utf8'))) : null,
        );
        this.indexedChange.set(vaultPath, stats.ctimeMs);
        // A moved symlink stays one: the gate keeps judging it by where it leads.
        if (stats.isSymbolicLink()) this.noteTarget(vaultPath, abs, await realpath(abs));
        else this.linkTargets.delete(vaultPath);
        const disk = nodePath.relative(this.options.root, abs).split(nodePath.sep).join('/');
        if (disk !== vaultPath) this.diskNames.set(vaultPath, disk);
        else this.diskNames.delete(vaultPath);
    }

    private remember(entry: FileEntry, text: string | null): void {
        if (!this.isListed(entry.path)) return;
        // Indexed from a write or a read, not a scan: it goes into a snapshot after the next scan has looked at it.
        this.snapshot.forget(entry.path);
        // Parsed when first asked: a job note is rewritten several times per job and nobody reads it in between.
        this.index.set(entry, isMarkdownPath(entry.path) ? text : null, 'when-asked');
        this.files.set(entry.path, entry);
    }

    private forget(vaultPath: string): void {
        this.snapshot.forget(vaultPath);
        this.linkTargets.delete(vaultPath);
        this.index.delete(vaultPath);
        this.files.delete(vaultPath);
        this.diskNames.delete(vaultPath);
        this.known.forget(vaultPath);
        this.indexedChange.delete(vaultPath);
    }

    /**
     * Queues a write behind earlier writes to the same files, so writes to different notes run side by side (the
     * queue runs many jobs at once) while two writes to one note never interleave. `null` waits for every write and
     * holds the whole vault: a rename also rewrites links in other notes.
     */
    private serial<T>(paths: string[] | null, task: () => Promise<T>): Promise<T> {
        const keys = paths?.map(collisionKey) ?? [];
        const prior = paths === null ? [this.exclusiveTail, ...this.writeTails.values()] : [this.exclusiveTail];
        for (const key of keys) prior.push(this.writeTails.get(key) ?? Promise.resolve());
        const run = Promise.allSettled(prior).then(task);
        const done = run.catch(() => undefined);
        if (paths === null) {
            this.exclusiveTail = done;
            this.writeTails.clear();
            return run;
        }
        for (const key of keys) this.writeTails.set(key, done);
        void done.then(() => {
            for (const key of keys) if (this.writeTails.get(key) === done) this.writeTails.delete(key);
        });
        return run;
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

function toEntry(path: string, stats: Stats): FileEntry {
    const ctime = stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.mtimeMs;
    return { path, size: stats.size, mtime: stats.mtimeMs, ctime };
}
