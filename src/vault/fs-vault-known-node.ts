/**
 * Reading files FsVault already knows, with plain system calls and without resolving real paths again: which file
 * (device and inode) each vault path was when it was checked, and the texts read from them (see
 * docs/decisions/0012). Node only.
 *
 * A file is trusted by identity once it was checked to be a regular file inside the vault and outside protected
 * folders: by the walk (which follows no symlinks), by a read that resolved its real path, or by a write. A later read
 * opens the path without following a final symlink and compares the identity; a symlinked path is never trusted, and
 * anything unexpected sends the read the long way again.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readSync, realpathSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { VaultDisk } from './fs-vault-disk-node';
import { sameFile, TextCache, type FileFacts } from './text-cache';
import { VaultError } from '../kernel/vault-port';
import { assertNoteReadable } from './stored-note';

/** Which file a path named when it was checked. */
interface FileIdentity {
    dev: number;
    ino: number;
}

function identityOf(stats: Stats): FileIdentity {
    return { dev: stats.dev, ino: stats.ino };
}

/** A known file's text as read, with its stats when it came from the disk (`null` when it was kept from before). */
export interface KnownRead {
    text: string;
    stats: Stats | null;
    /** The real path opened when the path had to be resolved (a symlink leads there); `null` when it was the path. */
    real: string | null;
}

/** Identities of checked files and the texts read from them. */
export class KnownFiles {
    private readonly verified = new Map<string, FileIdentity>();
    private readonly texts = new TextCache();
    /** The versions this process wrote itself: whole when they landed, since they are written aside and renamed. */
    private readonly written = new Map<string, FileFacts>();

    constructor(private readonly disk: VaultDisk) {}

    /** Trusts `vaultPath` as the checked, regular, non-symlinked file `stats` describe (the walk, a write). */
    trust(vaultPath: string, stats: Stats): void {
        this.texts.delete(vaultPath);
        if (stats.isFile()) this.verified.set(vaultPath, identityOf(stats));
        else this.verified.delete(vaultPath);
    }

    /** The identity `vaultPath` was checked to have (a regular file reached without a symbolic link), if any. */
    identity(vaultPath: string): { dev: number; ino: number } | undefined {
        return this.verified.get(vaultPath);
    }

    /** Forgets `vaultPath` (written, moved, deleted). */
    forget(vaultPath: string): void {
        this.verified.delete(vaultPath);
        this.texts.delete(vaultPath);
        this.written.delete(vaultPath);
    }

    /** Forgets everything (before a scan trusts what it finds). */
    clear(): void {
        this.verified.clear();
        this.texts.clear();
        this.written.clear();
    }

    /** `vaultPath` now holds what this process wrote, as `stats` describe it (see `quiet-files.ts`). */
    wrote(vaultPath: string, stats: FileFacts): void {
        const { dev, ino, size, mtimeMs, ctimeMs } = stats;
        this.written.set(vaultPath, { dev, ino, size, mtimeMs, ctimeMs });
    }

    /** Whether the file at `vaultPath`, as `stats` describe it, is still the version this process wrote. */
    wroteThis(vaultPath: string, stats: FileFacts): boolean {
        const written = this.written.get(vaultPath);
        return written !== undefined && sameFile(written, stats);
    }

    /**
     * The text of `vaultPath` at `abs`: kept from before while the file is unchanged, else read, with the same checks
     * as the slow path — a regular file inside the vault and outside protected folders. `null` sends the caller down the
     * slow path (anything unexpected), which decides and explains; a path leading out or into a protected folder throws.
     */
    read(vaultPath: string, abs: string): KnownRead | null {
        const kept = this.keptText(vaultPath, abs);
        if (kept !== null) return { text: kept, stats: null, real: null };
        let fd: number | null = null;
        let real: string | null = null;
        try {
            fd = this.openVerified(vaultPath, abs);
            const checked = fd === null;
            if (fd === null) {
                real = realpathSync.native(abs);
                this.disk.assertInside(real, vaultPath);
                this.disk.assertNotProtected(real, vaultPath);
                fd = openSync(real, 'r');
            }
            const stats = fstatSync(fd);
            if (!stats.isFile()) return null;
            assertNoteReadable(stats.size, vaultPath);
            if (checked) {
                // Known by identity from now on — unless the path itself is a symlink, checked on every read.
                if (lstatSync(abs).isFile()) this.verified.set(vaultPath, identityOf(stats));
                else this.verified.delete(vaultPath);
            }
            const text = readOpenFile(fd, stats.size);
            // Changed while it was read: the long way reads it again (see `quiet-files.ts`).
            if (!sameFile(stats, fstatSync(fd))) return null;
            this.texts.set(vaultPath, stats, text, Date.now());
            return { text, stats, real };
        } catch (e) {
            if (e instanceof VaultError) throw e;
            return null;
        } finally {
            if (fd !== null) closeSync(fd);
        }
    }

    /** The text last read from `vaultPath`, when `abs` is still that verified file, unchanged; else `null`. */
    private keptText(vaultPath: string, abs: string): string | null {
        const known = this.verified.get(vaultPath);
        if (known === undefined || !this.texts.has(vaultPath)) return null;
        let stats: Stats;
        try {
            stats = lstatSync(abs);
        } catch {
            return null;
        }
        if (!stats.isFile() || stats.ino !== known.ino || stats.dev !== known.dev) return null;
        return this.texts.get(vaultPath, stats);
    }

    /** `abs` opened without following a final symlink, when it is the file last verified for `vaultPath`; else `null`. */
    private openVerified(vaultPath: string, abs: string): number | null {
        const known = this.verified.get(vaultPath);
        if (known === undefined) return null;
        let fd: number;
        try {
            fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
        } catch {
            return null;
        }
        const stats = fstatSync(fd);
        if (stats.isFile() && stats.ino === known.ino && stats.dev === known.dev) return fd;
        closeSync(fd);
        return null;
    }
}

/** The text of an open file `size` bytes long (as `fstat` said just before), read as UTF-8 like `readFileSync`. */
export function readOpenFile(fd: number, size: number): string {
    if (size === 0) return readFileSync(fd, 'utf8');
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
        const read = readSync(fd, buffer, filled, size - filled, null);
        if (read === 0) break;
        filled += read;
    }
    return buffer.toString('utf8', 0, filled);
}
