/**
 * Keeps an FsVault up to date from file-system events, so the CLI and the MCP server never walk the whole vault to
 * answer a call. Node only.
 *
 * Only folders are watched, one `fs.watch` per folder (not per file: tens of thousands of file watches cost seconds
 * and hundreds of MB to set up); a folder's watch reports each name in it that was created, changed, removed or
 * renamed, and that name is looked at again (`FsVault.syncPaths`: a file is re-read when it changed, a folder is
 * walked, a name that is gone is dropped with everything under it). Reports are collected and applied together after
 * a short quiet spell, and always before a call is answered (`fresh`).
 *
 * Each folder's watch is put in place by the vault's own walk, just before the walk lists that folder
 * (`FsVault`'s `folders` option): whatever changes after that is reported, whatever changed before is in the listing,
 * so the scan that opens the vault is the only one, with no gap between it and the watches (decision 0025). A folder
 * that appears later is watched by the walk that finds it, before it is listed; a folder that goes away has its watch
 * closed. A full scan runs again only after a watch failed (too many watches, a watch that errs): then every call
 * rescans until a scan put every watch back.
 *
 * Nothing here decides what a call may show: a note the watcher has not reported yet is judged when a call names it
 * (reads and searches judge the text they return).
 */
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import nodePath from 'node:path';
import { FsVault, type FsVaultOptions, type ScanStats } from './fs-vault-node';
import type { FolderWatch } from './fs-vault-walk-node';
import { settleUnsettled } from './quiet-read-node';
import { isProtectedPath } from '../kernel/path-policy';

/** Why a full scan ran (besides the one that opened the vault). */
export type FullScanReason = 'watcher starting' | 'watcher lost track';

/** Options of a `VaultWatcher`. */
export interface VaultWatcherOptions {
    /** Quiet time after the last report before a burst is applied (ms). */
    debounceMs?: number;
    /** Longest a report waits while reports keep coming (ms). */
    maxWaitMs?: number;
    /** Wait before watching again after a failure (ms); doubled after each failure in a row, up to a minute. */
    restartMs?: number;
    /** Told about every full scan (for a debug log and tests). */
    onFullScan?: (reason: FullScanReason, stats: ScanStats) => void;
    /** Told when the watcher fails (a sentence, no stack). */
    onError?: (message: string) => void;
}

type State = 'starting' | 'watching' | 'lost' | 'closed';

/** Failures that mean the folder is not there (or not listable) any more: the walk skips it too, nothing is lost. */
const GONE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

/** Longest wait before watching again after failures in a row (ms). */
const MAX_RESTART_MS = 60_000;

/** Watches an FsVault's folders and applies what changed. */
export class VaultWatcher implements FolderWatch {
    private vault: FsVault | null;
    /** The vault's real path, once known (for messages that must not carry it). */
    private root: string | null;
    private state: State = 'starting';
    /** Watches by on-disk folder path relative to the root (`''` is the root), with the folder they follow. */
    private readonly watches = new Map<string, { watcher: FSWatcher; dev: number; ino: number }>();
    private readonly pending = new Set<string>();
    /** Notes not waited for again until the time given (see `settleUnsettled` in `quiet-read-node.ts`). */
    private readonly restless = new Map<string, number>();
    private timer: ReturnType<typeof setTimeout> | null = null;
    private firstPendingAt = 0;
    private restartTimer: ReturnType<typeof setTimeout> | null = null;
    /** The vault folder itself as it was opened, to tell when it is gone or another folder took its place. */
    private rootFolder: { dev: number; ino: number } | null = null;
    /** Failures so far: a scan puts the watcher back to watching only when none happened while it ran. */
    private failures = 0;
    /** Failures since the watcher last watched, for the restart's backoff. */
    private failuresInRow = 0;
    /** Every update runs after the one before (full scans and event batches never interleave). */
    private tail: Promise<unknown> = Promise.resolve();

    /** Watches `vault` once `start` is called; `null` only from `open`, which gives it the vault it opens. */
    constructor(
        vault: FsVault | null,
        private readonly options: VaultWatcherOptions = {},
    ) {
        this.vault = vault;
        this.root = vault?.root ?? null;
        this.noteRootFolder();
    }

    /** Remembers which folder the vault is (once its real path is known). */
    private noteRootFolder(): void {
        if (this.root === null || this.rootFolder !== null) return;
        try {
            const folder = lstatSync(this.root);
            this.rootFolder = { dev: folder.dev, ino: folder.ino };
        } catch {
            // Not there even now: `vaultGone` says so.
            this.rootFolder = { dev: -1, ino: -1 };
        }
    }

    /**
     * Why the vault folder is no longer the one opened, in words for the person, or `null` while it is. A vault moved,
     * deleted or unmounted while a long-running command serves it shows as empty to every later look; the command says
     * this instead (one `lstat` of the root).
     */
    vaultGone(): string | null {
        const root = this.root;
        const was = this.rootFolder;
        if (root === null || was === null) return null;
        const name = nodePath.basename(root);
        let now;
        try {
            now = lstatSync(root);
        } catch {
            return `the vault folder "${name}" was moved, renamed, deleted or unmounted`;
        }
        if (!now.isDirectory() || now.dev !== was.dev || now.ino !== was.ino) {
            return `another folder took the place of the vault folder "${name}"`;
        }
        return null;
    }

    /**
     * Opens the vault at `root` with every folder watched before its scan lists it, so the watcher is watching from
     * the first answer on, with one scan in all (see the file's note). Rejects as `FsVault.open` does.
     */
    static async open(
        root: string,
        vaultOptions: Omit<FsVaultOptions, 'folders'>,
        options: VaultWatcherOptions = {},
    ): Promise<{ vault: FsVault; watcher: VaultWatcher }> {
        const watcher = new VaultWatcher(null, options);
        let vault: FsVault;
        try {
            vault = await FsVault.open(root, { ...vaultOptions, folders: watcher });
        } catch (error) {
            await watcher.close();
            throw error;
        }
        watcher.vault = vault;
        watcher.root = vault.root;
        watcher.noteRootFolder();
        if (watcher.state === 'starting' && watcher.failures === 0) watcher.state = 'watching';
        if (watcher.pending.size > 0) watcher.schedule();
        return { vault, watcher };
    }

    /**
     * Starts watching a vault opened without watches: one full scan puts a watch on each folder before listing it.
     * Until it is done, `fresh` waits for it.
     */
    start(): void {
        const vault = this.vault;
        if (this.state === 'closed' || vault === null) return;
        this.state = 'starting';
        vault.watchFolders(this);
        void this.enqueue(() => this.fullScan('watcher starting'));
    }

    /** Whether calls are answered from reported changes (not from full scans). */
    get watching(): boolean {
        return this.state === 'watching';
    }

    /** How many folders are watched. */
    get folderCount(): number {
        return this.watches.size;
    }

    /**
     * Makes the vault's listing and index current before a call: applies every reported change now, or runs a full scan
     * when the watcher cannot vouch for the listing (it lost track).
     */
    fresh(): Promise<void> {
        return this.enqueue(async () => {
            if (this.state === 'watching') await this.flushNow();
            else if (this.state === 'lost') await this.fullScan('watcher lost track');
            await this.settleUnsettled();
        });
    }

    /** See `settleUnsettled` in `quiet-read-node.ts`: this watcher's calls share one memory of restless notes. */
    private async settleUnsettled(): Promise<void> {
        if (this.vault !== null) await settleUnsettled(this.vault, this.restless);
    }

    /** Stops watching. */
    async close(): Promise<void> {
        this.state = 'closed';
        if (this.timer !== null) clearTimeout(this.timer);
        if (this.restartTimer !== null) clearTimeout(this.restartTimer);
        this.timer = null;
        this.restartTimer = null;
        this.closeWatches(() => true);
        await this.tail.catch(() => undefined);
    }

    /** Puts a watch on the folder at `abs` (`disk` relative to the root), unless it has one (see `FolderWatch`). */
    watchFolder(abs: string, disk: string): void {
        if (disk === '') this.root ??= abs;
        if (this.state === 'closed' || this.state === 'lost' || this.watches.has(disk)) return;
        let watcher: FSWatcher;
        let folder: { dev: number; ino: number };
        try {
            // The folder as it is before the watch: if another is swapped in meanwhile, the next report of it finds
            // a different folder there and watches that one instead (see `folderChanged`).
            folder = lstatSync(abs);
            watcher = watch(abs, { persistent: false, encoding: 'utf8' }, (_event, name) => {
                if (this.watches.get(disk)?.watcher !== watcher) return;
                if (name === null || name === '') this.report(disk, true);
                else this.report(disk === '' ? name : `${disk}/${name}`, false);
            });
        } catch (error) {
            // A folder that vanished or cannot be listed is skipped by the walk too; its parent reports when it returns.
            if (!GONE.has(errorCode(error))) this.lose(error);
            return;
        }
        watcher.on('error', (error: unknown) => {
            if (this.watches.get(disk)?.watcher !== watcher) return;
            if (this.folderChanged(disk)) {
                this.closeWatches((name) => name === disk);
                this.report(disk, false);
            } else this.lose(error);
        });
        this.watches.set(disk, { watcher, dev: folder.dev, ino: folder.ino });
    }

    /** A report of `disk` (relative, on-disk spelling); `itself` when a watch named no file (its folder changed). */
    private report(disk: string, itself: boolean): void {
        if (this.state === 'closed') return;
        if (disk === '') {
            // The root itself: nothing names what changed in it, so trust nothing.
            if (itself && this.state === 'watching') this.lose(new Error('the vault folder itself changed'));
            return;
        }
        const segments = disk.split('/');
        if (segments.some((s) => s.startsWith('.') || s === 'node_modules')) return;
        const configDir = this.vault?.configDir;
        if (configDir !== undefined && isProtectedPath(disk.normalize('NFC'), configDir)) return;
        if (this.pending.size === 0) this.firstPendingAt = Date.now();
        this.pending.add(disk);
        if (this.vault !== null) this.schedule();
    }

    private schedule(): void {
        if (this.timer !== null) clearTimeout(this.timer);
        const debounce = this.options.debounceMs ?? 50;
        const waited = Date.now() - this.firstPendingAt;
        const delay = Math.max(0, Math.min(debounce, (this.options.maxWaitMs ?? 500) - waited));
        this.timer = setTimeout(() => {
            this.timer = null;
            if (this.state === 'watching') void this.enqueue(() => this.flushNow());
        }, delay);
    }

    private async flushNow(): Promise<void> {
        const vault = this.vault;
        if (this.pending.size === 0 || vault === null) return;
        const paths = [...this.pending];
        this.pending.clear();
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = null;
        // A watch follows its folder, not the name: folders that went away, were moved, or were replaced by another
        // under the same name lose theirs first; the walk below watches each folder it finds before listing it.
        const under = (folder: string): boolean => paths.some((p) => folder === p || folder.startsWith(`${p}/`));
        this.closeWatches((folder) => under(folder) && this.folderChanged(folder));
        await vault.syncPaths(paths);
    }

    private async fullScan(reason: FullScanReason): Promise<void> {
        const vault = this.vault;
        if (this.state === 'closed' || vault === null) return;
        // Reports from before the scan are covered by it; those that arrive while it runs are applied after it.
        this.pending.clear();
        // The walk puts a watch on every folder that has none (all of them after a failure) before listing it.
        this.state = 'starting';
        const failuresBefore = this.failures;
        const stats = await vault.scan();
        this.options.onFullScan?.(reason, stats);
        if (this.isStarting() && this.failures === failuresBefore) {
            this.state = 'watching';
            this.failuresInRow = 0;
        }
    }

    /** Whether the watcher is still starting (read anew after an `await`, where another task may have changed it). */
    private isStarting(): boolean {
        return this.state === 'starting';
    }

    private lose(error: unknown): void {
        if (this.state === 'closed') return;
        this.failures++;
        if (this.state === 'lost') return;
        this.state = 'lost';
        this.failuresInRow++;
        const text = error instanceof Error ? error.message : String(error);
        const message = this.root === null ? text : text.split(this.root).join('<vault>');
        this.options.onError?.(`the file watcher lost track (${message}); the next call rescans the vault`);
        this.closeWatches(() => true);
        // Until watching again, every call rescans; a scan in the background puts the watches back.
        const wait = Math.min(MAX_RESTART_MS, (this.options.restartMs ?? 1000) * 2 ** (this.failuresInRow - 1));
        this.restartTimer = setTimeout(() => {
            this.restartTimer = null;
            if (this.state === 'lost') void this.enqueue(() => this.fullScan('watcher lost track'));
        }, wait);
    }

    private closeWatches(which: (folder: string) => boolean): void {
        for (const [folder, { watcher }] of [...this.watches]) {
            if (!which(folder)) continue;
            this.watches.delete(folder);
            watcher.close();
        }
    }

    /** Whether the watched folder `disk` is gone from its path, or another folder (or a file) is there now. */
    private folderChanged(disk: string): boolean {
        const watched = this.watches.get(disk);
        if (this.root === null || watched === undefined) return false;
        try {
            const now = lstatSync(nodePath.join(this.root, ...disk.split('/')));
            return !now.isDirectory() || now.ino !== watched.ino || now.dev !== watched.dev;
        } catch {
            return true;
        }
    }

    private enqueue(task: () => Promise<void>): Promise<void> {
        const run = this.tail.then(task, task);
        this.tail = run.catch(() => undefined);
        return run;
    }
}

function errorCode(error: unknown): string {
    return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}
