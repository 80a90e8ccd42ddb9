/**
 * Where vault paths live on disk, and the two atomic primitives FsVault writes with. Node only.
 *
 * Locating never trusts a string: every folder on the way is resolved with `realpath` and checked to be inside the
 * vault's real root, and protection is judged on where a path really leads, so symlinks are no way out or in.
 */
import { constants, realpathSync } from 'node:fs';
import { copyFile, hasEntry, link, lstat, mkdir, open, readdir, realpath, unlink } from './fs-calls-node';
import nodePath from 'node:path';
import { isProtectedPath } from '../kernel/path-policy';
import { collisionKey } from '../kernel/safe-names';
import { tempFileName } from './temp-files-node';
import { VaultError } from '../kernel/vault-port';

/** Where a new file will go. */
export interface NewTarget {
    /** Absolute folder that will hold the file (created if missing). */
    dir: string;
    /** Absolute path of the file. */
    abs: string;
    /** True when the only collision is the file being renamed (a change of case or Unicode form). */
    isSelf: boolean;
    /** True when `dir` exists and is its real path, checked inside the vault (no folder to make). */
    dirExists: boolean;
}

/** What `path.join` would change: an empty, `.` or `..` segment (normalized vault paths have none). */
const NEEDS_JOIN = /(?:^|\/)\.{0,2}(?:\/|$)/u;

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EXDEV', 'EOPNOTSUPP']);

/** A vault folder on disk: locating, containment, protection on real paths, and no-overwrite writes. */
export class VaultDisk {
    constructor(
        private readonly options: {
            /** The vault's real root. */
            root: string;
            /** The config folder, protected. */
            configDir: string;
            /** NFC vault path → on-disk relative path, where they differ; kept up to date by the owner. */
            diskNames: ReadonlyMap<string, string>;
        },
    ) {}

    /** The vault's real root. */
    get root(): string {
        return this.options.root;
    }

    private get configDir(): string {
        return this.options.configDir;
    }

    /** Writes `bytes` to a new temp file in `dir`, fsyncs it, hands it to `commit`, and always removes it after. */
    async placeTemp(dir: string, bytes: Buffer, mode: number, commit: (tmp: string) => Promise<void>): Promise<void> {
        const tmp = nodePath.join(dir, tempFileName());
        let committed = false;
        try {
            const handle = await open(tmp, 'wx', mode);
            try {
                await handle.writeFile(bytes);
                await handle.sync();
            } finally {
                await handle.close();
            }
            await commit(tmp);
            committed = true;
        } finally {
            // After a rename the temp name is gone; after a hard link (kept source) it is still there.
            if (
                !committed ||
                (await lstat(tmp).then(
                    () => true,
                    () => false,
                ))
            )
                await unlink(tmp).catch(() => undefined);
        }
    }

    /** Hard-links `from` to `to` (fails if `to` exists, where rename would overwrite), then drops `from`. */
    async moveNoOverwrite(from: string, to: string, vaultPath: string, keepSource: boolean): Promise<void> {
        try {
            await link(from, to);
        } catch (e) {
            if (errorCode(e) === 'EEXIST') throw existsError(vaultPath);
            if (!NO_HARD_LINKS.has(errorCode(e) ?? '')) this.fail(e, vaultPath);
            // File systems without hard links (FAT, some shares): an exclusive copy still never overwrites.
            await copyFile(from, to, constants.COPYFILE_EXCL).catch((copyError: unknown) =>
                this.fail(copyError, vaultPath),
            );
        }
        if (!keepSource) await unlink(from);
    }

    /** The real path of `vaultPath` (also found under an NFD spelling), checked to be inside; `null` when absent. */
    async locate(vaultPath: string): Promise<string | null> {
        const disk = await this.findOnDisk(vaultPath);
        if (disk === null) return null;
        const real = await realpath(this.abs(disk)).catch((e: unknown) => {
            if (errorCode(e) !== 'ENOENT' && errorCode(e) !== 'ELOOP') this.fail(e, vaultPath);
            throw new VaultError('outside-vault', `"${vaultPath}" is a symbolic link that leads nowhere.`, vaultPath);
        });
        this.assertInside(real, vaultPath);
        return real;
    }

    /**
     * The real path of an existing file to write to, which must be the path itself: a file reached through a symbolic
     * link (the file or a folder on the way) is refused, wherever the link leads.
     */
    async locateWritableFile(vaultPath: string): Promise<string> {
        const real = await this.locateFile(vaultPath);
        this.assertNotProtected(real, vaultPath);
        const disk = await this.findOnDisk(vaultPath);
        this.assertNoLink(this.abs(disk ?? vaultPath), real, vaultPath);
        return real;
    }

    /** Like `locate`, but the path must be an existing file: `not-found` otherwise. */
    async locateFile(vaultPath: string): Promise<string> {
        const real = await this.locate(vaultPath);
        const stats = real === null ? null : await lstat(real).catch(() => null);
        if (real === null || !stats?.isFile()) {
            throw new VaultError('not-found', `There is no file "${vaultPath}".`, vaultPath);
        }
        return real;
    }

    /** The directory entry itself (a symlink stays a symlink), for moves; where it points is checked too. */
    async locateEntry(vaultPath: string): Promise<string> {
        this.assertNotProtected(await this.locateFile(vaultPath), vaultPath);
        const abs = this.abs((await this.findOnDisk(vaultPath)) ?? vaultPath);
        const parent = await realpath(nodePath.dirname(abs));
        this.assertInside(parent, vaultPath);
        const entry = nodePath.join(parent, nodePath.basename(abs));
        this.assertNotProtected(entry, vaultPath);
        this.assertNoLink(nodePath.dirname(abs), parent, vaultPath);
        return entry;
    }

    /**
     * The on-disk relative path of `vaultPath`: its NFC spelling or the known map, else, folder by folder, the spelling
     * that exists (a name whose NFC form is the segment, read from the folder only where the segment itself is absent
     * and another spelling of it can exist; decision 0033). `null` when absent.
     */
    async findOnDisk(vaultPath: string): Promise<string | null> {
        const mapped = this.options.diskNames.get(vaultPath) ?? vaultPath;
        if (await this.present(this.abs(mapped))) return mapped;
        if (!mayHaveOtherSpelling(vaultPath)) return null;
        let disk = '';
        for (const segment of vaultPath.split('/')) {
            const exact = disk === '' ? segment : `${disk}/${segment}`;
            if (await this.present(this.abs(exact))) {
                disk = exact;
                continue;
            }
            if (!mayHaveOtherSpelling(segment)) return null;
            const dir = await realpath(this.abs(disk)).catch(() => null);
            if (dir === null) return null;
            this.assertInside(dir, vaultPath);
            const names = await readdir(dir).catch(() => [] as string[]);
            const match = spellingsOf(segment, names).same;
            if (match === undefined) return null;
            disk = disk === '' ? match : `${disk}/${match}`;
        }
        return disk;
    }

    /** Whether a directory entry is at `abs` (a symbolic link counts, wherever it leads). */
    private present(abs: string): Promise<boolean> {
        return hasEntry(abs);
    }

    /**
     * Where a new file goes: existing folders are reused (by NFC spelling); a name that differs from an existing one
     * only by case or Unicode form is a collision; every existing folder on the way must really be inside the vault.
     */
    async locateNew(vaultPath: string, self?: string): Promise<NewTarget> {
        const segments = vaultPath.split('/');
        let dir = this.options.root;
        for (let i = 0; i < segments.length; i++) {
            const segment = segments[i] ?? '';
            const real = await realpath(dir).catch(() => null);
            if (real === null) {
                const abs = nodePath.join(dir, ...segments.slice(i));
                return { dir: nodePath.dirname(abs), abs, isSelf: false, dirExists: false };
            }
            this.assertInside(real, vaultPath);
            this.assertNotProtected(nodePath.join(real, ...segments.slice(i)), vaultPath);
            this.assertNoLink(dir, real, vaultPath);
            if (!(await lstat(real)).isDirectory()) {
                throw new VaultError('exists', `"${vaultPath}" would need a folder where a file exists.`, vaultPath);
            }
            // A folder on the way that is its own real path under this very name is the one to use: no need to read
            // its parent. The real path keeps the disk's spelling, so a case-insensitive disk's "Agent" found as
            // "agent", or a link, is not taken here but read and judged below. The file's own folder is always read,
            // for twins of its name by case or Unicode form.
            const next = nodePath.join(real, segment);
            if (i < segments.length - 1 && (await realpath(next).catch(() => null)) === next) {
                dir = next;
                continue;
            }
            const { same, twin } = spellingsOf(segment, await readdir(real));
            if (i === segments.length - 1) {
                const abs = nodePath.join(real, segment);
                if (twin === undefined) return { dir: real, abs, isSelf: false, dirExists: true };
                const twinTarget = nodePath.join(real, twin);
                const isSelf = self !== undefined && twinTarget === self && twin !== segment;
                if (isSelf) return { dir: real, abs, isSelf, dirExists: true };
                throw existsError(vaultPath, twin === segment ? undefined : twin);
            }
            if (twin !== undefined && same === undefined) {
                throw new VaultError('exists', `A folder "${twin}" already exists; use that spelling.`, vaultPath);
            }
            dir = nodePath.join(real, twin ?? segment);
        }
        throw new VaultError('invalid-path', `"${vaultPath}" names no file.`, vaultPath);
    }

    /** Creates `dir` (and parents) and returns its real path, checked to be inside the vault. */
    async makeFolder(dir: string, vaultPath: string): Promise<string> {
        await mkdir(dir, { recursive: true }).catch((e: unknown) => this.fail(e, vaultPath));
        const real = await realpath(dir);
        this.assertInside(real, vaultPath);
        this.assertNoLink(dir, real, vaultPath);
        return real;
    }

    /** Containment by `path.relative`, not a string prefix: `/vault-other` is not inside `/vault`. */
    isInside(real: string): boolean {
        const relative = nodePath.relative(this.options.root, real);
        return relative !== '..' && !relative.startsWith(`..${nodePath.sep}`) && !nodePath.isAbsolute(relative);
    }

    /**
     * Where `vaultPath` really leads, resolved on disk now, as a vault path: for a path that does not exist yet, where its
     * deepest existing folder really is, plus the rest. `null` when it leads outside the vault or cannot be resolved.
     */
    realVaultPath(vaultPath: string): string | null {
        const segments = vaultPath.split('/');
        for (let n = segments.length; n >= 0; n--) {
            let real: string;
            try {
                real = realpathSync.native(this.abs(segments.slice(0, n).join('/')));
            } catch (e) {
                const code = errorCode(e);
                if (code === 'ENOENT' || code === 'ENOTDIR') continue;
                return null;
            }
            if (!this.isInside(real)) return null;
            const base = this.vaultPathOf(real);
            return [base, ...segments.slice(n)].filter((segment) => segment !== '').join('/');
        }
        return null;
    }

    /** The vault path (`/`-separated, NFC) of a real path inside the vault; `''` for the root. */
    vaultPathOf(real: string): string {
        return nodePath.relative(this.options.root, real).split(nodePath.sep).join('/').normalize('NFC');
    }

    /**
     * Throws unless `abs` (a path as spelled on disk under the real root) is its own real path `real`: no folder on
     * the way and not the file itself is a symbolic link. Writes never go through a link, even one that stays inside the
     * vault: a link in the output folder to an excluded folder would otherwise put a job's note in there.
     */
    assertNoLink(abs: string, real: string, vaultPath: string): void {
        if (abs === real) return;
        throw new VaultError(
            'invalid-path',
            `"${vaultPath}" leads through a symbolic link; nothing is written through links.`,
            vaultPath,
        );
    }

    /** Throws `outside-vault` unless `real` is inside the vault. */
    assertInside(real: string, vaultPath: string): void {
        if (this.isInside(real)) return;
        throw new VaultError('outside-vault', `"${vaultPath}" leads outside the vault.`, vaultPath);
    }

    /** Judges protection on where a path really leads, so a symlink to the config folder is no way in. */
    assertNotProtected(real: string, vaultPath: string): void {
        const relative = nodePath.relative(this.options.root, real).split(nodePath.sep).join('/').normalize('NFC');
        if (relative !== '' && isProtectedPath(relative, this.configDir)) {
            throw new VaultError('protected', `"${vaultPath}" leads into a protected folder.`, vaultPath);
        }
    }

    /** The absolute path of an on-disk relative path. */
    abs(disk: string): string {
        // Vault paths are already normalized, so on POSIX joining is concatenation (a search calls this per note).
        if (nodePath.sep === '/' && disk !== '' && !NEEDS_JOIN.test(disk)) return `${this.options.root}/${disk}`;
        return nodePath.join(this.options.root, ...disk.split('/'));
    }

    /** Rethrows an fs error as a `VaultError`, with this machine's paths taken out of the message. */
    fail(e: unknown, vaultPath: string): never {
        if (e instanceof VaultError) throw e;
        const code = errorCode(e);
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
            throw new VaultError('not-found', `There is no file "${vaultPath}".`, vaultPath);
        }
        if (code === 'EEXIST') throw existsError(vaultPath);
        const message = (e instanceof Error ? e.message : String(e)).split(this.options.root).join('<vault>');
        throw new VaultError('io', `Could not access "${vaultPath}": ${message}`, vaultPath);
    }
}

/** The `exists` error, naming the twin when the collision is one of case or Unicode form. */
export function existsError(vaultPath: string, twin?: string): VaultError {
    const detail = twin === undefined ? '' : ` as "${twin}" (differing only in case or Unicode form)`;
    return new VaultError('exists', `"${vaultPath}" already exists${detail}; nothing was overwritten.`, vaultPath);
}

/** The `code` of a Node fs error. */
export function errorCode(e: unknown): string | undefined {
    return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/**
 * Whether a name other than `name` itself can have `name` as its NFC form. Any name outside printable ASCII can (its
 * decomposed spelling, above all); a printable ASCII one only through K, ; or `, since U+212A, U+037E and U+1FEF are
 * the only other code points whose NFC form is ASCII. A name for which this is false is looked up as spelled, never in
 * its folder's list.
 */
export function mayHaveOtherSpelling(name: string): boolean {
    return /[^ -~]|[K;`]/u.test(name);
}

/** Printable ASCII: its NFC form is itself, and its collision key its lower case. */
const PLAIN = /^[ -~]*$/u;

/**
 * The first of `names` (a folder's list) whose NFC form is `segment` (`same`), and the first that is `segment` or its
 * twin by case or Unicode form (`twin`: `same` when there is one). The list may hold thousands of names, so plain ones
 * are compared without normalizing them.
 */
export function spellingsOf(segment: string, names: readonly string[]): { same?: string; twin?: string } {
    const key = collisionKey(segment);
    let same: string | undefined;
    let twin: string | undefined;
    for (const name of names) {
        const plain = PLAIN.test(name);
        if (same === undefined && (plain ? name === segment : name.normalize('NFC') === segment)) same = name;
        if (twin === undefined && (plain ? name.toLowerCase() === key : collisionKey(name) === key)) twin = name;
        if (same !== undefined) break;
    }
    return same === undefined ? (twin === undefined ? {} : { twin }) : { same, twin: same };
}
