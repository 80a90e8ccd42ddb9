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
    /**
     * `fs.lstatSync` (a final link is not followed), reduced to what identifies the entry (`id`), which file it is
     * (`file`: device and inode) and how many names that file has (`nlink`); throws like it.
     */
    identity(abs: string): { id: string; file: string; nlink: number };
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
    /** The file the entry is, when it has more than one name (a hard link), else `null`. */
    file: string | null;
}

const NO_NAMES: readonly string[] = Object.freeze([]);

/** Where vault paths really lead on this device's disk. */
export class DiskLinks {
    private loaded: DiskCalls | null = null;
    private realRoot: string | null = null;
    private readonly cache = new Map<string, CachedAnswer>();
    private readonly maxCached: number;
    /** The vault's files with more than one name: file → their vault paths; `null` until needed or after a change. */
    private names: Map<string, string[]> | null = null;
    /**
     * The last path looked at on disk, and what was found: the gate asks `otherNamesOf` right after `realPathOf` of
     * the same path, in the same check, so that looks at the disk once.
     */
    private last: { path: string; answer: CachedAnswer } | null = null;

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
        const answer = this.answer(disk, path);
        return answer !== null ? answer.real : this.resolve(disk.calls, disk.root, path);
    }

    /**
     * The other vault paths of the file at `path` when it has more than one name on disk (hard links), found among
     * `paths` (the vault's files); none otherwise. Each name is the file itself, so the gate judges them all.
     */
    otherNamesOf(path: string, paths: () => Iterable<string>): readonly string[] {
        const disk = this.disk();
        if (disk === null) return NO_NAMES;
        const seen = this.last?.path === path ? this.last.answer : this.answer(disk, path);
        const file = seen?.file ?? null;
        if (file === null) return NO_NAMES;
        if (this.names === null) {
            // Built once a file with other names is met, and kept until a file is created, moved or deleted.
            const names = new Map<string, string[]>();
            for (const other of paths()) {
                let found: { file: string; nlink: number };
                try {
                    found = disk.calls.identity(disk.calls.join(this.options.basePath, other));
                } catch {
                    continue;
                }
                if (found.nlink > 1) names.set(found.file, [...(names.get(found.file) ?? []), other]);
            }
            this.names = names;
        }
        return (this.names.get(file) ?? NO_NAMES).filter((other) => other !== path);
    }

    /** Files were created, moved or deleted: the names of hard-linked files are found again when next needed. */
    namesChanged(): void {
        this.names = null;
    }

    /** What is known of `path` on disk now (cached while its `lstat` identity stays), or `null` when it is not there. */
    private answer(disk: { calls: DiskCalls; root: string }, path: string): CachedAnswer | null {
        const { calls, root } = disk;
        const abs = calls.join(this.options.basePath, path);
        let identity: { id: string; file: string; nlink: number };
        try {
            identity = calls.identity(abs);
        } catch {
            this.last = null;
            return null;
        }
        let answer = this.cache.get(path);
        if (answer === undefined || answer.identity !== identity.id) {
            const real = this.resolve(calls, root, path);
            answer = { identity: identity.id, real, file: identity.nlink > 1 ? identity.file : null };
            if (this.cache.size >= this.maxCached) this.cache.clear();
            this.cache.set(path, answer);
        }
        this.last = { path, answer };
        return answer;
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
        this.last = null;
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
