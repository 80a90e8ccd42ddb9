/**
 * What FsVault knows of its folder, and how a walk, a read or a write goes into it. Node only.
 *
 * The catalogue holds the listing of files, the note index, the index snapshot book, the on-disk names that differ
 * from vault paths, where symbolic links lead, the identities of checked files and the texts read from them
 * (`fs-vault-known-node.ts`), and the change time at which each file's text went into the index. It takes what a walk
 * found into all of them (`absorbSteps`, `absorbPaths`), looks at a listed file again (`recheck`), reads the notes the
 * opening scan listed unread (`readNow`, `settle`), and keeps them up to date after a read or a write (`readKnown`,
 * `indexRead`, `refresh`, `forget`). It emits nothing: it returns what changed, and FsVault tells its listeners.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { lstat, readFile, realpath } from './fs-calls-node';
import nodePath from 'node:path';
import { VaultDisk } from './fs-vault-disk-node';
import { runToEnd, walkPath, type FolderWatch, type Found } from './fs-vault-walk-node';
import { HELD, IndexReads } from './quiet-read-node';
import { KnownFiles } from './fs-vault-known-node';
import { NoteIndex } from './note-index';
import { MAX_NOTE_BYTES, TOO_LARGE, UNREADABLE } from './stored-note';
import { parseNote } from './note-parser';
import { SnapshotBook, type IndexSnapshotFile, type ParsedFacts } from './index-snapshot-node';
import { isProtectedPath, normalizeVaultPath } from '../kernel/path-policy';
import { isUnlistedSegment } from '../kernel/system-folders';
import { isMarkdownPath, VaultError } from '../kernel/vault-port';
import type { FileEntry, NoteMetadata, VaultChange } from '../kernel/vault-port';
import { FileListing } from './file-listing';
import { HardLinks } from './hard-links';
import type { ScanTarget } from './text-scan-file-node';

/** How many files a step of `absorbSteps` takes in between two chances to pause. */
const FILES_PER_STEP = 128;

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

/** What a vault on a real folder knows of its files, kept up to date by its walks, reads and writes. */
export class VaultCatalogue {
    /** Every listed file, by vault path, with its sorted listing. */
    readonly files = new FileListing();
    /** NFC vault path → on-disk relative path, where they differ (NFD names written by macOS or by hand). */
    readonly diskNames = new Map<string, string>();
    /** Where vault paths live on disk (it reads `diskNames`). */
    readonly disk: VaultDisk;
    /** Identities of checked files and the texts read from them, for reads without a second real-path check. */
    readonly known: KnownFiles;
    /**
     * The change time (ctime) of each file when its text last went into the index. Size and modification time alone
     * miss an edit that keeps the size and restores the old mtime, and the gate must judge the tags the text has now.
     */
    readonly indexedChange = new Map<string, number>();
    /**
     * Vault path → the vault path of the file it really is, for paths that lead through a symbolic link (found by the
     * scan, or by the read that followed the link last). The exclusion gate judges both (see `FsVault.realPathOf`).
     */
    readonly linkTargets = new Map<string, string>();
    /** The names of files that have more than one (hard links), for the gate (`FsVault.otherNamesOf`). */
    readonly hardLinks = new HardLinks();
    /** The index snapshot: what the open may take from it, and what may go into it (decision 0022). */
    readonly snapshot: SnapshotBook;
    /** Every note's metadata and the links between them. */
    readonly index = new NoteIndex((path) => this.readNow(path));
    /** Notes read from disk by the running scan (the scan sets it to 0 when it starts). */
    reads = 0;
    /** Notes read for the index while their file was not quiet, and those held back (decision 0036). */
    private readonly quiet = new IndexReads();

    constructor(
        private readonly options: { root: string; configDir: string },
        snapshot: IndexSnapshotFile | null,
    ) {
        this.snapshot = new SnapshotBook(snapshot);
        this.disk = new VaultDisk({ root: options.root, configDir: options.configDir, diskNames: this.diskNames });
        this.known = new KnownFiles(this.disk);
    }

    /** Forgets on-disk names, checked identities and link targets, before a full scan finds them all again. */
    clearLocations(): void {
        this.diskNames.clear();
        this.known.clear();
        this.linkTargets.clear();
        this.hardLinks.clear();
    }

    /**
     * Takes what a walk found into the listing and the index: new and changed files are read and indexed, files the
     * vault knew within `inScope` that the walk did not find are forgotten. Returns what changed, in order.
     */
    private absorb(found: Found, inScope: (path: string) => boolean): VaultChange[] {
        return runToEnd(this.absorbSteps(found, inScope, false));
    }

    /**
     * Walks each of `diskPaths` (on-disk relative paths; `folders` is told of each folder before it is listed) and takes
     * what it found in (`absorb`, within those paths), then looks again at the symlinks that lead to a file that changed,
     * so the gate judges them by their target's text as it is now. Returns how many files the walks found and what
     * changed, in order.
     */
    absorbPaths(diskPaths: Iterable<string>, folders: FolderWatch | null): { found: number; events: VaultChange[] } {
        const configDir = this.options.configDir;
        const roots = new Set<string>();
        for (const disk of diskPaths) roots.add(disk);
        const found: Found = new Map();
        const scopes: string[] = [];
        for (const disk of roots) {
            walkPath(this.disk, configDir, found, disk, folders);
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
            for (const [link] of links) walkPath(this.disk, configDir, more, this.diskNames.get(link) ?? link);
            const linkSet = new Set(links.map(([link]) => link));
            events.push(...this.absorb(more, (path) => linkSet.has(path)));
        }
        return { found: found.size, events };
    }

    /** `absorb` in steps (see `walkSteps`); `lazy` lists new notes unread (the opening scan). */
    *absorbSteps(
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
            let held = false;
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
                const read = markdown ? this.quiet.read(disk, this.disk.abs(disk)) : null;
                if (markdown && read === null) continue;
                if (markdown) this.reads++;
                const text = read === HELD ? null : read;
                this.index.set(entry, text);
                if (markdown && !linked && text !== null) this.snapshot.read(path, stats, readAt);
                else this.snapshot.forget(path);
                held = read === HELD;
            }
            if (!held) this.quiet.release(path);
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
                this.hardLinks.note(path, stats);
            } else {
                this.hardLinks.forget(path);
                if (target !== undefined) {
                    this.known.forget(path);
                    this.linkTargets.set(path, target);
                }
            }
        }
        return events;
    }

    /**
     * Looks at the listed file at `path` again now (one `realpath` and `stat`) and re-reads it when it changed. Returns
     * `'delete'` when it was forgotten (gone, not a file, leading outside, unreadable), `'modify'` when it was re-read,
     * `null` when the index already held it as it is.
     */
    recheck(path: string): 'delete' | 'modify' | null {
        const abs = this.disk.abs(this.diskNames.get(path) ?? path);
        const now = this.lookAgain(abs);
        if (now === null) {
            this.forget(path);
            return 'delete';
        }
        // What reads trust by identity needs no change: every read compares the file's identity and stats anew.
        this.noteTarget(path, abs, now.real);
        if (now.real === abs) this.hardLinks.note(path, now.stats);
        else this.hardLinks.forget(path);
        if (this.isIndexed(path, now.stats)) return null;
        const read = isMarkdownPath(path) ? this.quiet.read(this.diskNames.get(path) ?? path, now.real) : null;
        if (isMarkdownPath(path) && read === null) {
            this.forget(path);
            return 'delete';
        }
        this.remember(toEntry(path, now.stats), read === HELD ? null : read, read === HELD);
        this.indexedChange.set(path, now.stats.ctimeMs);
        return 'modify';
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

    /**
     * The metadata of a note read from its file now: one the opening scan listed without reading, or one whose stored
     * metadata turned out damaged. The text is at least as new as the facts the vault holds (the watcher reports anything
     * later); a note that cannot be read has unknown tags, so the gate excludes it. It may go into the snapshot (when it
     * is no symlink) unless modified within the racy window.
     */
    private readNow(path: string): NoteMetadata {
        const readAt = Date.now();
        if ((this.files.get(path)?.size ?? 0) > MAX_NOTE_BYTES) {
            this.snapshot.forget(path);
            return { ...TOO_LARGE };
        }
        const disk = this.diskNames.get(path) ?? path;
        const read = this.quiet.read(disk, this.disk.abs(disk));
        const text = read === HELD ? null : read;
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

    /**
     * Writes the index snapshot (when the vault was opened with one and it would read differently): every note parsed
     * from a settled file, except those `keep` refuses (the exclusion gate: nothing excluded is written). Returns how
     * many notes were written, or `null` when nothing was. Notes the opening scan left to read when first needed are
     * read first, unless `readRest` is false (a process about to end writes what it has).
     */
    saveSnapshot(keep: (path: string) => boolean, readRest: boolean): number | null {
        if (readRest) for (const path of this.index.waiting()) this.index.tags(path);
        return this.snapshot.save(
            keep,
            (path) => this.indexedChange.get(path),
            (path) => this.index.stored(path),
        );
    }

    /**
     * Where a worker may open each of `paths` to search its text (`FsVault.scanTexts`): a listed note the walk or a read
     * checked, by its device and inode; `null` for any other (a symbolic link, a file not checked yet).
     */
    scanTargets(paths: readonly string[]): (ScanTarget | null)[] {
        return paths.map((path) => {
            const identity = this.linkTargets.has(path) ? undefined : this.known.identity(path);
            if (identity === undefined || !this.files.has(path)) return null;
            return { abs: this.disk.abs(this.diskNames.get(path) ?? path), dev: identity.dev, ino: identity.ino };
        });
    }

    /**
     * Reads a file the last scan found, with plain system calls and without a second real-path check when it is the
     * very file checked before (see `fs-vault-known-node.ts`). `null` sends the caller down the slow path (unknown file,
     * a twin spelling, anything unexpected), which decides and explains.
     */
    readKnown(vaultPath: string): { text: string; stats: Stats | null; file: string } | null {
        if (!this.files.has(vaultPath)) return null;
        const abs = this.disk.abs(this.diskNames.get(vaultPath) ?? vaultPath);
        const read = this.known.read(vaultPath, abs);
        if (read === null) return null;
        this.noteTarget(vaultPath, abs, read.real ?? abs);
        return { text: read.text, stats: read.stats, file: read.real ?? abs };
    }

    /** Whether `stats` describe the version of `vaultPath` this process wrote itself (whole when it landed). */
    wroteThis(vaultPath: string, stats: Stats): boolean {
        return this.known.wroteThis(vaultPath, stats);
    }

    /**
     * Holds back the note at `disk` (on-disk relative path), read while its file was not quiet, and still changing when
     * the watcher stopped waiting for it: its metadata, taken from a text that may have been half written, is dropped,
     * so the gate excludes it (a `#private` may not have been written yet), until it is read again. It is noted again
     * as unsettled from `settledAt`.
     */
    holdBack(disk: string, settledAt: number): void {
        const path = this.quiet.hold(disk, settledAt);
        const entry = this.files.get(path);
        if (entry === undefined || !isMarkdownPath(path)) return this.quiet.release(path);
        this.index.set(entry, null);
        this.snapshot.forget(path);
    }

    /** The notes indexed from a text that may not have been whole (see `IndexReads`), taken: on-disk path → when. */
    takeUnsettled(): Map<string, number> {
        return this.quiet.take();
    }

    /** Remembers where `vaultPath` (at `abs`) led when it was last read or looked at: `real`, checked inside. */
    noteTarget(vaultPath: string, abs: string, real: string): void {
        if (real === abs) this.linkTargets.delete(vaultPath);
        else this.linkTargets.set(vaultPath, this.disk.vaultPathOf(real));
    }

    /** Whether the index holds the text of the file as `stats` describe it (same size, mtime and change time). */
    private isIndexed(vaultPath: string, stats: Stats): boolean {
        return (
            !this.quiet.isHeld(vaultPath) &&
            this.index.isFresh(vaultPath, toEntry(vaultPath, stats)) &&
            this.indexedChange.get(vaultPath) === stats.ctimeMs
        );
    }

    /** Indexes exactly what was read, so the exclusion gate judges this text and not an older one. */
    indexRead(vaultPath: string, stats: Stats, text: string): void {
        if (this.isIndexed(vaultPath, stats)) return;
        this.remember(toEntry(vaultPath, stats), text);
        this.indexedChange.set(vaultPath, stats.ctimeMs);
    }

    /** Obsidian ignores hidden files and folders (which covers `.git`, `.trash`, temp files); the config folder too. */
    private isListed(path: string): boolean {
        const segments = path.split('/');
        if (segments.some(isUnlistedSegment)) return false;
        return !isProtectedPath(path, this.options.configDir);
    }

    /** Learns the file just written at `abs` for `vaultPath` (with `text`, or read now when `null`): checked, listed. */
    async refresh(vaultPath: string, abs: string, text: string | null): Promise<void> {
        const stats = await lstat(abs);
        // `abs` was located and checked just now; a symlink (a renamed one) is checked again on its next read.
        this.known.trust(vaultPath, stats);
        // Written here (not moved): its text is whole.
        if (text !== null) this.known.wrote(vaultPath, stats);
        this.remember(
            toEntry(vaultPath, stats),
            isMarkdownPath(vaultPath) ? (text ?? (await readFile(abs, 'utf8'))) : null,
        );
        this.indexedChange.set(vaultPath, stats.ctimeMs);
        // A moved symlink stays one: the gate keeps judging it by where it leads.
        if (stats.isSymbolicLink()) {
            this.noteTarget(vaultPath, abs, await realpath(abs));
            this.hardLinks.forget(vaultPath);
        } else {
            this.linkTargets.delete(vaultPath);
            this.hardLinks.note(vaultPath, stats);
        }
        const disk = nodePath.relative(this.options.root, abs).split(nodePath.sep).join('/');
        if (disk !== vaultPath) this.diskNames.set(vaultPath, disk);
        else this.diskNames.delete(vaultPath);
    }

    /** Lists and indexes `entry` with `text`, from a write or a read (a listed path only). */
    private remember(entry: FileEntry, text: string | null, held = false): void {
        if (!this.isListed(entry.path)) return;
        if (!held) this.quiet.release(entry.path);
        // Indexed from a write or a read, not a scan: it goes into a snapshot after the next scan has looked at it.
        this.snapshot.forget(entry.path);
        // Parsed when first asked: a job note is rewritten several times per job and nobody reads it in between.
        this.index.set(entry, isMarkdownPath(entry.path) ? text : null, 'when-asked');
        this.files.set(entry.path, entry);
    }

    /** Forgets everything known of `vaultPath` (deleted, moved away, gone). */
    forget(vaultPath: string): void {
        this.quiet.release(vaultPath);
        this.hardLinks.forget(vaultPath);
        this.snapshot.forget(vaultPath);
        this.linkTargets.delete(vaultPath);
        this.index.delete(vaultPath);
        this.files.delete(vaultPath);
        this.diskNames.delete(vaultPath);
        this.known.forget(vaultPath);
        this.indexedChange.delete(vaultPath);
    }
}

/** `path` in normal form, as the path policy reads it; throws `invalid-path` when it is not a vault path. */
export function readablePath(path: string): string {
    const checked = normalizeVaultPath(path);
    if (!checked.ok) throw new VaultError('invalid-path', checked.reason, path);
    return checked.path;
}

/** The listing entry of the file at `path` that `stats` describe. */
export function toEntry(path: string, stats: Stats): FileEntry {
    const ctime = stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.mtimeMs;
    return { path, size: stats.size, mtime: stats.mtimeMs, ctime };
}
