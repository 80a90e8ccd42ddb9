/**
 * The stub vault on a REAL folder, as Obsidian's desktop `FileSystemAdapter` keeps it: files are read from and written
 * to disk, and every call follows symbolic links the way the desktop app does — a symlinked file is listed at the
 * link's own path with the target's text, a symlinked folder's files are listed under the link, and a link that
 * leads outside the vault is followed too. Dangling links are not listed; loops are followed once. Hidden (dot)
 * files and folders are skipped, like the app's index.
 *
 * What this cannot show: Obsidian's own indexing of links (its watcher, which may not see a change made through the
 * other path of a link; how it orders or de-duplicates two paths to one file; its metadata for linked notes). The
 * listing here is made once, by `loadVaultFromDisk`, and then follows only what goes through the stub's vault calls.
 */
import {
    mkdirSync,
    readdirSync,
    readFileSync,
    realpathSync,
    renameSync,
    rmSync,
    statSync,
    writeFileSync,
} from 'node:fs';
import nodePath from 'node:path';
import type { MetadataCache, Vault, VaultBacking } from './obsidian-stub-vault';

/** A backing that reads and writes under `root`, following links as the desktop adapter does. */
export function diskBacking(root: string): VaultBacking {
    const abs = (path: string): string => nodePath.join(root, ...path.split('/'));
    return {
        read: (path) => readFileSync(abs(path), 'utf8'),
        write: (path, data) => writeFileSync(abs(path), data, 'utf8'),
        mkdir: (path) => mkdirSync(abs(path), { recursive: true }),
        rename: (from, to) => renameSync(abs(from), abs(to)),
        remove: (path) => rmSync(abs(path), { recursive: true, force: true }),
    };
}

/**
 * Puts `vault` on the folder `root`: every file and folder found (links followed) is listed at the path it is reached
 * by, and every Markdown note gets an (empty) metadata cache entry, as if Obsidian had indexed it with no tags.
 */
export function loadVaultFromDisk(vault: Vault, metadata: MetadataCache, root: string): void {
    vault.backing = diskBacking(root);
    const walk = (dir: string, prefix: string, seen: Set<string>): void => {
        for (const name of readdirSync(dir).sort()) {
            if (name.startsWith('.')) continue;
            const abs = nodePath.join(dir, name);
            const path = prefix === '' ? name : `${prefix}/${name}`;
            let stats;
            try {
                stats = statSync(abs); // follows links, as the desktop app does
            } catch {
                continue; // a dangling link: not listed
            }
            if (stats.isDirectory()) {
                const real = realpathSync(abs);
                if (seen.has(real)) continue;
                vault.index(path, 'folder');
                walk(abs, path, new Set([...seen, real]));
            } else if (stats.isFile()) {
                vault.index(path, 'file', { ctime: stats.ctimeMs, mtime: stats.mtimeMs, size: stats.size });
                if (path.toLowerCase().endsWith('.md')) metadata.setCache(path, {});
            }
        }
    };
    walk(root, '', new Set([realpathSync(root)]));
}
