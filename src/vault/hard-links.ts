/**
 * Files that have more than one name in the vault (hard links). Unlike a symbolic link, no name of such a file leads
 * to another: each is the file itself, and an edit under one name shows under all. So a note in an excluded folder,
 * linked hard under a name elsewhere, would show its text under that name. The exclusion gate judges every name the
 * vault found for the file (`VaultPort.otherNamesOf`): if any is excluded, all are.
 *
 * Names outside the vault, or in folders the vault never lists (the config folder, `.trash`), cannot be seen by a walk
 * of the vault and are not judged: a note shared with another vault by a hard link, or a backup made with `cp -al`,
 * keeps its notes visible. Only files whose link count says they have another name are kept here, so a vault without
 * hard links costs one empty map.
 */

/** What identifies a file and says how many names it has (a subset of Node's `Stats`). */
export interface FileNames {
    dev: number;
    ino: number;
    nlink: number;
}

const NONE: readonly string[] = Object.freeze([]);

/** The vault's files with more than one name, by identity, and the vault paths found for each. */
export class HardLinks {
    private readonly byFile = new Map<string, Set<string>>();
    private readonly fileOf = new Map<string, string>();

    /** `path` (a vault path of a regular file, not a symbolic link) is a name of the file `stats` describe. */
    note(path: string, stats: FileNames): void {
        const key = stats.nlink > 1 ? `${stats.dev}:${stats.ino}` : undefined;
        const was = this.fileOf.get(path);
        if (was === key) return;
        if (was !== undefined) this.drop(path, was);
        if (key === undefined) return;
        this.fileOf.set(path, key);
        let names = this.byFile.get(key);
        if (names === undefined) this.byFile.set(key, (names = new Set()));
        names.add(path);
    }

    /** `path` is no name of any file any more (deleted, moved away, or now a symbolic link). */
    forget(path: string): void {
        const was = this.fileOf.get(path);
        if (was !== undefined) this.drop(path, was);
    }

    /** Forgets every name (before a full scan finds them all again). */
    clear(): void {
        this.byFile.clear();
        this.fileOf.clear();
    }

    /** The other vault paths found for the file at `path` (none for a file with one name). */
    othersOf(path: string): readonly string[] {
        if (this.fileOf.size === 0) return NONE;
        const key = this.fileOf.get(path);
        const names = key === undefined ? undefined : this.byFile.get(key);
        if (names === undefined || names.size < 2) return NONE;
        return [...names].filter((name) => name !== path);
    }

    private drop(path: string, key: string): void {
        this.fileOf.delete(path);
        const names = this.byFile.get(key);
        names?.delete(path);
        if (names?.size === 0) this.byFile.delete(key);
    }
}
