/**
 * Walking a vault folder for FsVault's scan. Synchronous on purpose: tens of thousands of small stat and read calls
 * cost several times more as promises (one thread-pool round trip each) than as plain system calls, and a scan is
 * one batch that runs at start and on refresh, in the CLI and tests (Obsidian itself uses ObsidianVault). The walk is
 * written in steps (`walkSteps`), so the MCP server's opening scan can run it in slices with turns of the event loop
 * between them (`runInSlices`, decision 0027); everywhere else it runs to its end at once.
 */
import {
    closeSync,
    fstatSync,
    lstatSync,
    openSync,
    readdirSync,
    readFileSync,
    realpathSync,
    type Dirent,
    type Stats,
} from 'node:fs';
import type { VaultDisk } from './fs-vault-disk-node';
import { isProtectedPath } from '../kernel/path-policy';
import { isTempFileName } from './temp-files-node';
import { isUnlistedSegment } from '../kernel/system-folders';

/**
 * What a walk found: vault path (NFC) → its on-disk relative path and stats, and whether it is a symlink to a file
 * (then `stats` are the target's and `target` is the vault path of the file it leads to).
 */
export type Found = Map<string, { disk: string; stats: Stats; linked: boolean; target?: string }>;

/**
 * Told of each folder a walk is about to list, before it lists it (`disk` is its on-disk relative path, `''` for the
 * root): a watcher that starts watching the folder here misses nothing, since whatever changes after the watch is in
 * place is reported and whatever changed before is in the listing that follows.
 */
export interface FolderWatch {
    watchFolder(abs: string, disk: string): void;
}

const ASCII = /^[\x20-\x7e]*$/;

/**
 * Adds every listed file under `disk` (relative, `''` for the root) to `found`. Hidden files and folders are skipped as
 * Obsidian skips them (which covers `.git`, `.trash` and temp files), so are `node_modules` and protected folders.
 * Symlinked folders are not followed, so every regular file found lies under the real root; a symlinked file counts
 * only when it leads to a file inside the vault.
 */
export function walkVault(...args: Parameters<typeof walkSteps>): void {
    runToEnd(walkSteps(...args));
}

/** How many entries a walk step looks at between two chances to pause (`walkSteps`). */
const ENTRIES_PER_STEP = 64;

/**
 * `walkVault` in steps: the generator stops every few entries, so a caller can give the event loop a turn between
 * steps (`runInSlices`); driven to its end at once (`runToEnd`) it is `walkVault`. Finds the same files in the same
 * order either way.
 */
export function* walkSteps(
    disk: VaultDisk,
    configDir: string,
    found: Found,
    folder = '',
    temps?: { abs: string; name: string; stats: Stats }[],
    folders?: FolderWatch | null,
): Generator<void, void, void> {
    folders?.watchFolder(disk.abs(folder), folder);
    let entries: Dirent[];
    try {
        entries = readdirSync(disk.abs(folder), { withFileTypes: true });
    } catch {
        return;
    }
    let seen = 0;
    for (const entry of entries) {
        if (++seen % ENTRIES_PER_STEP === 0) yield;
        const child = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (temps !== undefined && entry.isFile() && isTempFileName(entry.name)) {
            const stats = statOrNull(disk.abs(child));
            if (stats !== null) temps.push({ abs: disk.abs(child), name: entry.name, stats });
        }
        if (isUnlistedSegment(entry.name)) continue;
        const path = ASCII.test(child) ? child : child.normalize('NFC');
        if (entry.isDirectory()) {
            if (!isProtectedPath(path, configDir)) yield* walkSteps(disk, configDir, found, child, temps, folders);
            continue;
        }
        const linked = !entry.isFile();
        const followed = linked ? linkedFile(disk, child) : null;
        const stats = linked ? (followed?.stats ?? null) : statOrNull(disk.abs(child));
        if (stats?.isFile() !== true) continue;
        if (folder === '' && isProtectedPath(path, configDir)) continue;
        if (found.get(path)?.disk === path) continue;
        found.set(
            path,
            followed === null
                ? { disk: child, stats, linked }
                : { disk: child, stats, linked, target: followed.target },
        );
    }
}

/** Runs a stepped task (`walkSteps`, a scan's steps) to its end without pausing; returns what it returns. */
export function runToEnd<T>(steps: Generator<void, T, void>): T {
    for (;;) {
        const step = steps.next();
        if (step.done === true) return step.value;
    }
}

/**
 * Runs a stepped task to its end, giving the event loop a turn (so input waiting is read and answered) each time it has
 * run `sliceMs` since the last, and pausing while `busy` says calls are being answered (their reads and writes then
 * wait for no slice); returns what it returns.
 */
export async function runInSlices<T>(
    steps: Generator<void, T, void>,
    sliceMs: number,
    busy: Busy = () => null,
): Promise<T> {
    let started = performance.now();
    for (;;) {
        const step = steps.next();
        if (step.done === true) return step.value;
        if (performance.now() - started >= sliceMs) {
            await giveWay(busy);
            started = performance.now();
        }
    }
}

/** While calls are being answered: a promise that settles once they are; `null` when none is. */
export type Busy = () => Promise<void> | null;

/** Gives the event loop a turn, then waits while `busy` says calls are being answered. */
export async function giveWay(busy: Busy = () => null): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (let calls = busy(); calls !== null; calls = busy()) await calls;
}

/**
 * Adds what the walk would find at `child` (an on-disk relative path): the files under it when it is a folder, the file
 * itself when it is one (or a symlink to a file inside the vault), nothing when it is gone, hidden, `node_modules` or
 * protected. Lets a watcher's report of one path be brought up to date without walking the vault.
 */
export function walkPath(
    disk: VaultDisk,
    configDir: string,
    found: Found,
    child: string,
    folders?: FolderWatch | null,
): void {
    const segments = child.split('/');
    if (child === '' || segments.some((s) => s === '' || s.startsWith('.') || s === 'node_modules')) return;
    const path = ASCII.test(child) ? child : child.normalize('NFC');
    if (isProtectedPath(path, configDir)) return;
    const own = statOrNull(disk.abs(child));
    if (own === null) return;
    if (own.isDirectory()) {
        walkVault(disk, configDir, found, child, undefined, folders);
        return;
    }
    const linked = !own.isFile();
    const followed = linked ? linkedFile(disk, child) : null;
    const stats = linked ? (followed?.stats ?? null) : own;
    if (stats?.isFile() !== true) return;
    found.set(
        path,
        followed === null ? { disk: child, stats, linked } : { disk: child, stats, linked, target: followed.target },
    );
}

/** The file a symlink leads to (its stats and vault path), or `null` when it leads outside the vault or nowhere. */
function linkedFile(disk: VaultDisk, child: string): { stats: Stats; target: string } | null {
    try {
        const real = realpathSync(disk.abs(child));
        if (!disk.isInside(real)) return null;
        return { stats: lstatSync(real), target: disk.vaultPathOf(real) };
    } catch {
        return null;
    }
}

function statOrNull(abs: string): Stats | null {
    try {
        return lstatSync(abs);
    } catch {
        return null;
    }
}
