/**
 * Keeps an FsVault up to date from file-system events, so the CLI and the MCP server never walk the whole vault to
 * answer a call. Node only.
 *
 * Only folders are watched (one watch per folder, not per file: tens of thousands of file watches cost seconds and
 * hundreds of MB to set up); a folder's watch reports each name in it that was created, changed, removed or renamed,
 * and that name is looked at again (`FsVault.syncPaths`: a file is re-read when it changed, a folder is walked, a
 * name that is gone is dropped with everything under it). Reports are collected and applied together after a short
 * quiet spell, and always before a call is answered (`fresh`).
 *
 * A full scan runs only when the watcher cannot vouch for the listing: while it is starting (each folder's watch is
 * set up in turn), once when it is ready (for what changed before the watches were in place), and after it reports an
 * error (then it starts again). Nothing here decides what a call may show: a note the watcher has not reported yet
 * is judged when a call names it (reads and searches judge the text they return).
 */
import nodePath from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { FsVault, ScanStats } from './fs-vault-node';
import { isProtectedPath } from '../kernel/path-policy';

/** Why a full scan ran. */
export type FullScanReason = 'watcher starting' | 'watcher ready' | 'watcher lost track';

/** Options of a `VaultWatcher`. */
export interface VaultWatcherOptions {
    /** Quiet time after the last report before a burst is applied (ms). */
    debounceMs?: number;
    /** Longest a report waits while reports keep coming (ms). */
    maxWaitMs?: number;
    /** Wait before watching again after an error (ms). */
    restartMs?: number;
    /** Told about every full scan (for a debug log and tests). */
    onFullScan?: (reason: FullScanReason, stats: ScanStats) => void;
    /** Told when the watcher fails (a sentence, no stack). */
    onError?: (message: string) => void;
}

type State = 'starting' | 'gap' | 'watching' | 'lost' | 'closed';

/** Watches an FsVault's folder and applies what changed. */
export class VaultWatcher {
    private watcher: FSWatcher | null = null;
    private state: State = 'starting';
    private readonly pending = new Set<string>();
    private timer: ReturnType<typeof setTimeout> | null = null;
    private firstPendingAt = 0;
    private restartTimer: ReturnType<typeof setTimeout> | null = null;
    /** Every update runs after the one before (full scans and event batches never interleave). */
    private tail: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly vault: FsVault,
        private readonly options: VaultWatcherOptions = {},
    ) {}

    /** Starts watching. Until the watches are in place, `fresh` falls back to a full scan. */
    start(): void {
        if (this.state === 'closed') return;
        this.state = 'starting';
        const root = this.vault.root;
        const configDir = this.vault.configDir;
        const watcher = watch(root, {
            persistent: false,
            ignoreInitial: true,
            followSymlinks: false,
            // Folders only: a file's changes are reported by its folder's watch (see `raw` below).
            ignored: (abs, stats) => {
                const relative = toRelative(root, abs);
                if (relative === null) return true;
                if (relative === '') return false;
                if (relative.split('/').some((s) => s.startsWith('.') || s === 'node_modules')) return true;
                if (isProtectedPath(relative.normalize('NFC'), configDir)) return true;
                return stats !== undefined && !stats.isDirectory();
            },
        });
        this.watcher = watcher;
        watcher.on('raw', (_event, name: string | null, details: unknown) => {
            const folder = watchedPathOf(details);
            if (folder === null) return;
            this.report(name === null || name === '' ? folder : nodePath.join(folder, name));
        });
        // A new folder: walk it once its own watch is in place (what was created in it before is found by the walk).
        watcher.on('addDir', (abs: string) => this.report(abs));
        watcher.on('unlinkDir', (abs: string) => this.report(abs));
        watcher.on('ready', () => {
            if (this.watcher !== watcher || this.state !== 'starting') return;
            this.state = 'gap';
            // What changed between the last scan and the watches being in place was not reported: scan once.
            void this.enqueue(() => this.fullScan('watcher ready'));
        });
        watcher.on('error', (error: unknown) => {
            if (this.watcher !== watcher) return;
            this.lose(error);
        });
    }

    /** Whether calls are answered from reported changes (not from full scans). */
    get watching(): boolean {
        return this.state === 'watching';
    }

    /**
     * Makes the vault's listing and index current before a call: applies every reported change now, or runs a full scan
     * when the watcher cannot vouch for the listing (starting, or lost track).
     */
    fresh(): Promise<void> {
        return this.enqueue(async () => {
            if (this.state === 'watching') await this.flushNow();
            else if (this.state !== 'closed') {
                await this.fullScan(this.state === 'lost' ? 'watcher lost track' : 'watcher starting');
            }
        });
    }

    /** Stops watching. */
    async close(): Promise<void> {
        this.state = 'closed';
        if (this.timer !== null) clearTimeout(this.timer);
        if (this.restartTimer !== null) clearTimeout(this.restartTimer);
        this.timer = null;
        this.restartTimer = null;
        const watcher = this.watcher;
        this.watcher = null;
        await watcher?.close();
        await this.tail.catch(() => undefined);
    }

    private report(abs: string): void {
        if (this.state === 'closed') return;
        const relative = toRelative(this.vault.root, abs);
        if (relative === null || relative === '') {
            // The root itself: nothing names what changed in it, so trust nothing.
            if (relative === '' && this.state === 'watching') this.lose(new Error('the vault folder itself changed'));
            return;
        }
        if (this.pending.size === 0) this.firstPendingAt = Date.now();
        this.pending.add(relative);
        this.schedule();
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
        if (this.pending.size === 0) return;
        const paths = [...this.pending];
        this.pending.clear();
        if (this.timer !== null) clearTimeout(this.timer);
        this.timer = null;
        await this.vault.syncPaths(paths);
    }

    private async fullScan(reason: FullScanReason): Promise<void> {
        if (this.state === 'closed') return;
        // Reports that arrive during the scan are applied after it (looking at a path again is harmless).
        this.pending.clear();
        const stats = await this.vault.scan();
        this.options.onFullScan?.(reason, stats);
        if (this.state === 'gap') this.state = 'watching';
    }

    private lose(error: unknown): void {
        if (this.state === 'closed' || this.state === 'lost') return;
        this.state = 'lost';
        const message = error instanceof Error ? error.message.split(this.vault.root).join('<vault>') : String(error);
        this.options.onError?.(`the file watcher lost track (${message}); the next call rescans the vault`);
        const watcher = this.watcher;
        this.watcher = null;
        void watcher?.close();
        // Until watching again, every call rescans (as when starting); then one scan covers the gap.
        this.restartTimer = setTimeout(() => {
            this.restartTimer = null;
            if (this.state === 'lost') this.start();
        }, this.options.restartMs ?? 1000);
    }

    private enqueue(task: () => Promise<void>): Promise<void> {
        const run = this.tail.then(task, task);
        this.tail = run.catch(() => undefined);
        return run;
    }
}

/** `abs` relative to `root`, `/`-separated; `''` for the root itself, `null` when outside. */
function toRelative(root: string, abs: string): string | null {
    const relative = nodePath.relative(root, abs);
    if (relative === '') return '';
    if (relative === '..' || relative.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(relative)) return null;
    return relative.split(nodePath.sep).join('/');
}

/** The folder a raw report came from (`{ watchedPath }`), or `null` when the report does not say. */
function watchedPathOf(details: unknown): string | null {
    if (typeof details !== 'object' || details === null || !('watchedPath' in details)) return null;
    return typeof details.watchedPath === 'string' ? details.watchedPath : null;
}
