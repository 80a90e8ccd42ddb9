/**
 * A real vault in a temp folder, for every core test: files written to disk, an opened `FsVault` on them, and raw
 * access behind the vault's back to play the person, Sync or another plugin.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { FsVault } from '../../src/vault/fs-vault-node';

/** What `makeTempVault` gives a test. */
export interface TempVault {
    /** The vault folder's real path. */
    root: string;
    /** An `FsVault` opened (and scanned) on `root`. */
    vault: FsVault;
    /** Writes raw bytes (a string is written as UTF-8 as is) to a vault-relative path, creating folders. */
    write(path: string, content: string | Uint8Array): Promise<void>;
    /** The bytes on disk at a vault-relative path. */
    readRaw(path: string): Buffer;
    /** Whether anything (file, folder or symlink target) exists at a vault-relative path. */
    exists(path: string): boolean;
    /** Removes the temp folder. */
    cleanup(): Promise<void>;
}

/** Options for `makeTempVault`. */
export interface TempVaultOptions {
    /** The config folder name; `.obsidian` unless a test needs another. */
    configDir?: string;
}

/** Creates a temp folder with `files` (vault-relative path → content) and opens an `FsVault` on it. */
export async function makeTempVault(
    files: Record<string, string | Uint8Array> = {},
    options: TempVaultOptions = {},
): Promise<TempVault> {
    const root = await realpath(await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-test-')));
    const absolute = (path: string): string => nodePath.join(root, ...path.split('/'));
    const write = async (path: string, content: string | Uint8Array): Promise<void> => {
        await mkdir(nodePath.dirname(absolute(path)), { recursive: true });
        await writeFile(absolute(path), content);
    };
    for (const [path, content] of Object.entries(files)) await write(path, content);
    const vault = await FsVault.open(root, { configDir: options.configDir ?? '.obsidian' });
    return {
        root,
        vault,
        write,
        readRaw: (path) => readFileSync(absolute(path)),
        exists: (path) => existsSync(absolute(path)),
        cleanup: () => rm(root, { recursive: true, force: true }),
    };
}

/** A second temp folder outside any vault, for symlink-escape tests; removed with the returned `cleanup`. */
export async function makeOutsideFolder(): Promise<{ root: string; cleanup(): Promise<void> }> {
    const root = await realpath(await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-outside-')));
    return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}
