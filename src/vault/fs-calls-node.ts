/**
 * The file-system calls FsVault makes. Calls that look at one name (lstat, realpath, reading a file) and calls that
 * only change names (creating a file, renaming, linking, removing a name) are plain system calls behind promise
 * signatures; calls that wait for the device or copy data (fsync, copying a file), creating folders and reading a
 * folder's list of names go to libuv's thread pool as usual.
 *
 * Why the split: through `node:fs/promises` every call is a round trip through the pool (four threads by default),
 * and its result then waits for its turn on the event loop. A search looks at every note, and a note write is about
 * twenty small calls, so with eight delegate jobs at once a lease write queued behind the other jobs' calls and their
 * model streams: each round trip cost 5–25 ms of waiting, the system call itself well under 1 ms. Looking is served
 * from the kernel's caches in microseconds; creating, renaming and linking a name take the kernel 0.1–0.5 ms under
 * that load (measured, decision 0030). fsync waits for the disk, which may take milliseconds on a slow or busy one,
 * and that wait must not hold the event loop. FsVault serves the CLI, the MCP server and tests; Obsidian itself uses
 * ObsidianVault. Errors arrive as rejections either way.
 */
import {
    closeSync,
    fstatSync,
    fsync,
    linkSync,
    lstatSync,
    openSync,
    readFileSync,
    realpathSync,
    renameSync,
    unlinkSync,
    writeSync,
    type Stats,
} from 'node:fs';
import * as pool from 'node:fs/promises';

/** Runs `call` now; its result or its error as a settled promise. */
function settled<T>(call: () => T): Promise<T> {
    try {
        return Promise.resolve(call());
    } catch (e) {
        // Node's fs errors are `Error`s with a `code`; anything else is wrapped so callers always get an Error.
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
}

/** `lstat`. */
export function lstat(path: string): Promise<Stats> {
    return settled(() => lstatSync(path));
}

/**
 * Whether a directory entry is at `path` (a symbolic link counts, wherever it leads); any failure reads as absent. An
 * absent name is the usual answer here (instruction notes a vault does not have), and is told without building an error.
 */
export function hasEntry(path: string): Promise<boolean> {
    try {
        return Promise.resolve(lstatSync(path, { throwIfNoEntry: false }) !== undefined);
    } catch {
        return Promise.resolve(false);
    }
}

/** `realpath` as the system resolves it. */
export function realpath(path: string): Promise<string> {
    return settled(() => realpathSync.native(path));
}

/**
 * The names in a folder, read in the pool: a folder may hold thousands of names (an output folder after a year of
 * jobs), and reading 5,000 of them takes the kernel about 3 ms, which would hold the event loop; from the pool it holds
 * it for about 0.4 ms (decision 0033).
 */
export function readdir(path: string): Promise<string[]> {
    return pool.readdir(path);
}

/** A file's bytes, or its text when `encoding` is given. */
export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: 'utf8'): Promise<string>;
export function readFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
    return settled(() => (encoding === undefined ? readFileSync(path) : readFileSync(path, encoding)));
}

/** `rename`, replacing `to`. */
export function rename(from: string, to: string): Promise<void> {
    return settled(() => renameSync(from, to));
}

/** Removes a file. */
export function unlink(path: string): Promise<void> {
    return settled(() => unlinkSync(path));
}

/** A hard link `to` of `from`; fails when `to` exists. */
export function link(from: string, to: string): Promise<void> {
    return settled(() => linkSync(from, to));
}

/** Creates a folder (with `recursive`, and its parents). */
export const mkdir = pool.mkdir;
/** Copies `from` to `to` (`mode`: e.g. `COPYFILE_EXCL`, which fails when `to` exists). */
export const copyFile = pool.copyFile;

/** An open file, with the few operations FsVault uses. */
export interface OpenFile {
    /** Writes all of `bytes` at the current position. */
    writeFile(bytes: Buffer): Promise<void>;
    /** Flushes the file to the disk (`fsync`). */
    sync(): Promise<void>;
    /** Its stats. */
    stat(): Promise<Stats>;
    /** Its whole text, from the start. */
    readFile(encoding: 'utf8'): Promise<string>;
    /** Closes it. */
    close(): Promise<void>;
}

/** Opens `path` to read (`'r'`) or to write (`'wx'`…, which creates it with `mode`): a plain call either way. */
export async function open(path: string, flags: string, mode?: number): Promise<OpenFile> {
    const fd = await settled(() => openSync(path, flags, mode));
    return {
        // Into the page cache: no wait on the disk (that is `sync`).
        writeFile: (bytes) =>
            settled(() => {
                for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
            }),
        sync: () => new Promise<void>((resolve, reject) => fsync(fd, (e) => (e === null ? resolve() : reject(e)))),
        stat: () => settled(() => fstatSync(fd)),
        readFile: (encoding) => settled(() => readFileSync(fd, encoding)),
        close: () => settled(() => closeSync(fd)),
    };
}
