/**
 * The file-system calls FsVault makes, as plain system calls behind the promise signatures it is written against.
 *
 * Why not `node:fs/promises`: each of its calls is a round trip through libuv's thread pool (four threads by default).
 * A note write is about twenty small calls, and the delegate queue writes from eight jobs at once, so calls queued
 * behind other jobs' calls and a lease write waited tens of milliseconds for a pool thread, not for the disk. Plain
 * calls on small notes take microseconds, and FsVault serves the CLI, the MCP server and tests — there is
 * no interface thread to keep free (Obsidian itself uses ObsidianVault). Errors still arrive as rejections, so callers
 * handle them as before. Only `fsync`, which may wait on the disk for long, still goes to the pool.
 */
import {
    closeSync,
    copyFileSync,
    fstatSync,
    fsync,
    linkSync,
    lstatSync,
    mkdirSync,
    openSync,
    readdirSync,
    readFileSync,
    realpathSync,
    renameSync,
    unlinkSync,
    writeSync,
    type Stats,
} from 'node:fs';

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
export function rename(from: string, to: string): Promise<void> {
    return settled(() => renameSync(from, to));
}

/** Creates a folder and its parents. */
export function mkdir(path: string, options: { recursive: true }): Promise<string | undefined> {
    return settled(() => mkdirSync(path, options));
}

/** Removes a file. */
export function unlink(path: string): Promise<void> {
    return settled(() => unlinkSync(path));
}

/** A hard link `to` of `from`; fails when `to` exists. */
export function link(from: string, to: string): Promise<void> {
    return settled(() => linkSync(from, to));
}

/** Copies `from` to `to` (`mode`: e.g. `COPYFILE_EXCL`, which fails when `to` exists). */
export function copyFile(from: string, to: string, mode: number): Promise<void> {
    return settled(() => copyFileSync(from, to, mode));
}

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

/** Opens `path` with `flags` (`'r'`, `'wx'`…) and, for a new file, `mode`. */
export function open(path: string, flags: string, mode?: number): Promise<OpenFile> {
    return settled(() => {
        const fd = openSync(path, flags, mode);
        return {
            writeFile: (bytes) =>
                settled(() => {
                    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
                }),
            // The one call that may wait on the disk for long: it alone goes to the thread pool.
            sync: () => new Promise<void>((resolve, reject) => fsync(fd, (e) => (e === null ? resolve() : reject(e)))),
            stat: () => settled(() => fstatSync(fd)),
            readFile: (encoding) => settled(() => readFileSync(fd, encoding)),
            close: () => settled(() => closeSync(fd)),
        };
    });
}
