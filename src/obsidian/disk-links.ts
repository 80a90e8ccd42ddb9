/**
 * Symbolic links on the desktop app's disk, for `ObsidianVault`. Obsidian on desktop follows symlinked files and
 * folders itself and lists what they lead to at the link's own path, so `Shortcut.md -> Secrets/Diary.md` is a note
 * called `Shortcut.md` whose text is the diary's. The exclusion gate asks `realPathOf` where a path really leads and
 * judges that too; writes ask `refuseLinks` first, so nothing is written through a link (as `FsVault` does).
 *
 * Decisions:
 * - Node's `fs` and `path` are required on first use, inside a function, never at module top level: the plugin must
 *   still load on mobile, where there is no Node (and no symlinks: the mobile vault is not a folder we can link in).
 * - `realPathOf` is synchronous (the gate is), so it uses `fs.realpathSync.native`. Answers are cached per path and
 *   trusted only while a cheap `lstat` of the path still shows the same entry (device, inode, size, times): a link
 *   re-pointed outside Obsidian is a new entry (or leads to another file), so it is resolved again. Vault events
 *   (create, modify, rename, delete) drop cached answers too. Paths that do not exist are never cached.
 * - A path maps back to a vault path against the vault's real root (the vault folder may itself be a link), in NFC.
 *   A real path outside the vault, a dangling link or an error answers `null`, which the gate treats as excluded.
 */
import { VaultError } from '../kernel/vault-port';

/** The few Node calls used, as loaded on desktop. */
export interface DiskCalls {
    /** `fs.realpathSync.native`; throws when the path does not exist or cannot be resolved. */
    realpath(abs: string): string;
    /** `fs.lstatSync` (a final link is not followed), reduced to what identifies the entry; throws like it. */
    identity(abs: string): string;
    /** The absolute path of a `/`-separated vault path under `root` (`''` is the root). */
    join(root: string, vaultPath: string): string;
    /** The vault path of `real` under `realRoot`, or `null` when it is not inside. */
    vaultPathOf(realRoot: string, real: string): string | null;
}

/** Options of `DiskLinks`. */
export interface DiskLinksOptions {
    /** The vault folder (`FileSystemAdapter.getBasePath()`). */
    basePath: string;
    /** Loads the Node calls; called once, on first use. */
    calls: () => DiskCalls;
    /** How many answers are kept; the cache is emptied when full. */
    maxCached?: number;
}

/** One cached answer: what the path led to, and the `lstat` identity it was true for. */
interface CachedAnswer {
    identity: string;
    real: string | null;
}

/** Where vault paths really lead on this device's disk. */
export class DiskLinks {
    private loaded: DiskCalls | null = null;
    private realRoot: string | null = null;
    private readonly cache = new Map<string, CachedAnswer>();
    private readonly maxCached: number;

    constructor(private readonly options: DiskLinksOptions) {
        this.maxCached = options.maxCached ?? 50_000;
    }

    /**
     * The vault path `path` really leads to: `path` itself when no link is on the way, the target otherwise (for a path
     * that does not exist yet, where its deepest existing folder really is, plus the rest). `null` when it leads
     * outside the vault, nowhere (a dangling link, a loop), or cannot be resolved.
     */
    realPathOf(path: string): string | null {
        const disk = this.disk();
        if (disk === null) return null;
        const { calls, root } = disk;
        const abs = calls.join(this.options.basePath, path);
        let identity: string | null;
        try {
            identity = calls.identity(abs);
        } catch {
            identity = null;
        }
        if (identity !== null) {
            const cached = this.cache.get(path);
            if (cached !== undefined && cached.identity === identity) return cached.real;
        }
        const real = this.resolve(calls, root, path);
        if (identity !== null) {
            if (this.cache.size >= this.maxCached) this.cache.clear();
            this.cache.set(path, { identity, real });
        }
        return real;
    }

    /**
     * Throws `VaultError('invalid-path')` when writing at `path` would go through a symbolic link: a folder on the way
     * that exists is a link (or leads elsewhere), or — with `self` — the file itself is one. The check is made on the
     * disk now, never from the cache.
     */
    refuseLinks(path: string, options: { self: boolean }): void {
        const segments = path.split('/');
        const upTo = options.self ? segments.length : segments.length - 1;
        const disk = this.disk();
        if (disk === null) throw refused(path, 'the vault folder could not be resolved');
        const { calls, root } = disk;
        // The deepest existing entry must be its own real path; those above it are then no links either.
        for (let n = upTo; n >= 0; n--) {
            const spelled = segments.slice(0, n).join('/');
            let real: string;
            try {
                real = calls.realpath(calls.join(this.options.basePath, spelled));
            } catch (e) {
                const code = (e as { code?: unknown }).code;
                if (code === 'ENOENT') {
                    // A dangling link is an entry too: a write there would follow it.
                    if (this.exists(calls, spelled)) throw refused(path);
                    continue;
                }
                throw refused(path, 'it could not be resolved');
            }
            if (calls.vaultPathOf(root, real) !== spelled.normalize('NFC')) throw refused(path);
            return;
        }
    }

    /** Drops what is cached for `path` and everything under it (a vault event), or everything. */
    forget(path?: string): void {
        if (path === undefined || path === '' || path === '/') {
            this.cache.clear();
            return;
        }
        this.cache.delete(path);
        const prefix = `${path}/`;
        for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
    }

    private resolve(calls: DiskCalls, root: string, path: string): string | null {
        const segments = path.split('/');
        for (let n = segments.length; n >= 0; n--) {
            let real: string;
            try {
                real = calls.realpath(calls.join(this.options.basePath, segments.slice(0, n).join('/')));
            } catch (e) {
                const code = (e as { code?: unknown }).code;
                if ((code === 'ENOENT' || code === 'ENOTDIR') && !this.exists(calls, segments.slice(0, n).join('/'))) {
                    continue;
                }
                return null;
            }
            const base = calls.vaultPathOf(root, real);
            if (base === null) return null;
            return [base, ...segments.slice(n)].filter((segment) => segment !== '').join('/');
        }
        return null;
    }

    /** Whether the entry itself is there (a dangling link is). */
    private exists(calls: DiskCalls, spelled: string): boolean {
        try {
            calls.identity(calls.join(this.options.basePath, spelled));
            return true;
        } catch {
            return false;
        }
    }

    /** The disk calls and the vault folder's real path; `null` when either cannot be had. */
    private disk(): { calls: DiskCalls; root: string } | null {
        try {
            this.loaded ??= this.options.calls();
            this.realRoot ??= this.loaded.realpath(this.options.basePath);
            return { calls: this.loaded, root: this.realRoot };
        } catch {
            return null;
        }
    }
}

function refused(path: string, why?: string): VaultError {
    const detail = why === undefined ? '' : ` (${why})`;
    return new VaultError(
        'invalid-path',
        `"${path}" leads through a symbolic link; nothing is written through links${detail}.`,
        path,
    );
}
