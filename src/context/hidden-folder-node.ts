/**
 * `HiddenFolderReader` on a real vault folder, for the CLI and tests. Node only. Every path runs the path policy
 * first (no `..`, no absolute paths), protected folders are refused, and the real path (symlinks resolved) must stay
 * inside the vault's real root, so a symlink in `.claude/skills/` cannot lead out. Every call only looks, so it is a
 * plain system call (`fs-calls-node.ts`): every job's session looks here, and a trip through the thread pool would
 * wait behind the other jobs' writes.
 */
import nodePath from 'node:path';
import { lstat, readdir, readFile, realpath } from '../vault/fs-calls-node';
import { isProtectedPath, normalizeVaultPath } from '../kernel/path-policy';
import { VaultError } from '../kernel/vault-port';
import type { HiddenFolderReader, HiddenListing } from './hidden-folder';

/** The largest file read, in bytes: skill files are instructions and templates, not data sets. */
export const MAX_HIDDEN_FILE_BYTES = 1_000_000;

/** Options of the reader. */
export interface FsHiddenFolderReaderOptions {
    /** The vault folder (resolved to its real path on first use). */
    root: string;
    /** The vault's config folder, never read through this port. */
    configDir: string;
}

/** Reads hidden folders of a vault on disk. */
export class FsHiddenFolderReader implements HiddenFolderReader {
    private realRoot: Promise<string> | null = null;

    constructor(private readonly options: FsHiddenFolderReaderOptions) {}

    async list(folder: string): Promise<HiddenListing> {
        const vaultPath = this.checked(folder);
        const real = await this.contained(vaultPath).catch(() => null);
        if (real === null) return { files: [], folders: [] };
        const names = await readdir(real).catch((): string[] => []);
        const listing: HiddenListing = { files: [], folders: [] };
        for (const name of names) {
            const child = `${vaultPath}/${name.normalize('NFC')}`;
            if (isProtectedPath(child, this.options.configDir)) continue;
            // Symlinks count only where they lead inside the vault; `contained` resolves and checks them.
            const target = await this.contained(child).catch(() => null);
            const stats = target === null ? null : await lstat(target).catch(() => null);
            if (stats?.isDirectory() === true) listing.folders.push(child);
            else if (stats?.isFile() === true) listing.files.push(child);
        }
        listing.files.sort();
        listing.folders.sort();
        return listing;
    }

    async read(path: string): Promise<string> {
        const vaultPath = this.checked(path);
        const real = await this.contained(vaultPath);
        const stats = await lstat(real);
        if (!stats.isFile()) throw new VaultError('not-found', `"${vaultPath}" is not a file.`, vaultPath);
        if (stats.size > MAX_HIDDEN_FILE_BYTES) {
            throw new VaultError('io', `"${vaultPath}" is larger than ${MAX_HIDDEN_FILE_BYTES} bytes.`, vaultPath);
        }
        return readFile(real, 'utf8');
    }

    /** The normalised vault path, or a `VaultError` when the policy refuses it. */
    private checked(path: string): string {
        const checked = normalizeVaultPath(path);
        if (!checked.ok) throw new VaultError('invalid-path', checked.reason, path);
        if (isProtectedPath(checked.path, this.options.configDir)) {
            throw new VaultError('protected', `"${checked.path}" is in a protected folder.`, checked.path);
        }
        return checked.path;
    }

    /** The real path of `vaultPath`, checked to be inside the vault's real root. */
    private async contained(vaultPath: string): Promise<string> {
        const root = await this.root();
        const real = await realpath(nodePath.join(root, ...vaultPath.split('/'))).catch(() => {
            throw new VaultError('not-found', `"${vaultPath}" does not exist.`, vaultPath);
        });
        if (!real.startsWith(root + nodePath.sep)) {
            throw new VaultError('outside-vault', `"${vaultPath}" leads outside the vault.`, vaultPath);
        }
        // Judged again where the path really leads: a symlink into the config folder is the config folder.
        const relative = nodePath.relative(root, real).split(nodePath.sep).join('/');
        if (isProtectedPath(relative, this.options.configDir)) {
            throw new VaultError('protected', `"${vaultPath}" leads into a protected folder.`, vaultPath);
        }
        return real;
    }

    private root(): Promise<string> {
        this.realRoot ??= realpath(this.options.root);
        return this.realRoot;
    }
}
