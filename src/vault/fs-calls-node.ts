/**
 * The file-system calls FsVault makes: calls that only look (lstat, realpath, readdir, reading a file) are plain system
 * calls behind promise signatures; calls that change the file system (creating, renaming, linking, removing, fsync) go
 * to libuv's thread pool as usual.
 *
 * Why the split: through `node:fs/promises` every call is a round trip through the pool (four threads by default). A
 * search looks at every note, and a note write is about twenty small calls, so with eight delegate jobs at once a
 * lease write queued behind the other jobs' calls and waited for a pool thread, not for the disk. Looking is served
 * from the kernel's caches in microseconds. Changing may wait for the file system's journal (another process's fsync,
 * a commit in progress) for milliseconds, and that wait must not hold the event loop. FsVault serves the CLI, the MCP
 * server and tests; Obsidian itself uses ObsidianVault. Errors arrive as rejections either way.
 */
import {
    closeSync,
    fstatSync,
    fsync,
    lstatSync,
    open as openAsync,
    openSync,
    readdirSync,
    readFileSync,
    realpathSync,
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

/** `realpath` as the system resolves it. */
export function realpath(path: string): Promise<string> {
    return settled(() => realpathSync.native(path));
}

/** The names in a folder. */
export function readdir(path: string): Promise<string[]> {
    return settled(() => readdirSync(path));
}

/** A file's bytes, or its text when `encoding` is given. */
export function readFile(path: string): Promise<Buffer>;
export function readFile(path: string, encoding: 'utf8'): Promise<string>;
export function readFile(path: string, encoding?: 'utf8'): Promise<Buffer | string> {
    return settled(() => (encoding === undefined ? readFileSync(path) : readFileSync(path, encoding)));
}

/** `rename`, replacing `to`. */
export const rename = pool.rename;
/** Creates a folder (with `recursive`, and its parents). */
export const mkdir = pool.mkdir;
/** Removes a file. */
export const unlink = pool.unlink;
/** A hard link `to` of `from`; fails when `to` exists. */
export const link = pool.link;
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

/** Opens `path` to read (`'r'`, a plain call) or to write (`'wx'`…, which creates: in the pool), with `mode` if new. */
export async function open(path: string, flags: string, mode?: number): Promise<OpenFile> {
    const fd =
        flags === 'r'
            ? openSync(path, flags)
            : await new Promise<number>((resolve, reject) =>
                  openAsync(path, flags, mode, (e, opened) => (e === null ? resolve(opened) : reject(e))),
              );
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
