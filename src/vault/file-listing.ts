/**
 * The files a vault knows, by path, with their sorted listing kept between calls. `list()` is asked often (every job's
 * session looks for skills in it) while most writes change a file the vault already knew: the order of paths is sorted
 * once, then only added and removed paths are placed into it (one by one when few, in one merge when many), and each
 * listing reads the current entries by path.
 */
import type { FileEntry } from '../kernel/vault-port';

/** Code-unit order of paths, the order `list()` has always had. */
function comparePaths(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A map of vault path → file entry that also answers its entries sorted by path. */
export class FileListing {
    private readonly entries = new Map<string, FileEntry>();
    /** Every path sorted, as of the last `sorted()`; `null` before the first. */
    private order: string[] | null = null;
    /** Paths added since, not in `order`. */
    private readonly added = new Set<string>();
    /** Paths removed since, still in `order`. */
    private readonly removed = new Set<string>();

    /** The entry at `path`. */
    get(path: string): FileEntry | undefined {
        return this.entries.get(path);
    }

    /** Whether `path` is listed. */
    has(path: string): boolean {
        return this.entries.has(path);
    }

    /** Lists `entry` at `path` (a new file, or new facts about a known one). */
    set(path: string, entry: FileEntry): void {
        if (!this.entries.has(path)) {
            if (this.removed.has(path)) this.removed.delete(path);
            else this.added.add(path);
        }
        this.entries.set(path, entry);
    }

    /** Drops `path`. */
    delete(path: string): void {
        if (!this.entries.delete(path)) return;
        if (this.added.has(path)) this.added.delete(path);
        else this.removed.add(path);
    }

    /** The listed paths, in no particular order. */
    keys(): IterableIterator<string> {
        return this.entries.keys();
    }

    /** The entries, in no particular order. */
    values(): IterableIterator<FileEntry> {
        return this.entries.values();
    }

    /** Every entry, sorted by path. */
    sorted(): FileEntry[] {
        const order = this.sortedPaths();
        const out: FileEntry[] = new Array<FileEntry>(order.length);
        for (let i = 0; i < order.length; i++) out[i] = this.entries.get(order[i] ?? '') as FileEntry;
        return out;
    }

    /** The entries whose path starts with `prefix`, sorted by path: a contiguous run of the sorted listing. */
    under(prefix: string): FileEntry[] {
        const order = this.sortedPaths();
        const out: FileEntry[] = [];
        for (let i = positionOf(order, prefix); i < order.length && (order[i] ?? '').startsWith(prefix); i++) {
            out.push(this.entries.get(order[i] ?? '') as FileEntry);
        }
        return out;
    }

    private sortedPaths(): string[] {
        if (this.order === null) {
            this.order = [...this.entries.keys()].sort(comparePaths);
        } else if (this.added.size + this.removed.size <= FEW_CHANGES) {
            // A few writes since (a job's result, its note): each path is put in or taken out where it sorts, in place,
            // rather than walking and copying every path of the vault.
            for (const path of this.removed) {
                const at = positionOf(this.order, path);
                if (this.order[at] === path) this.order.splice(at, 1);
            }
            for (const path of this.added) this.order.splice(positionOf(this.order, path), 0, path);
        } else {
            const kept = this.removed.size === 0 ? this.order : this.order.filter((path) => !this.removed.has(path));
            this.order = merge(kept, [...this.added].sort(comparePaths));
        }
        this.added.clear();
        this.removed.clear();
        return this.order;
    }
}

/** Up to this many added and removed paths are placed one by one; more are merged in one pass. */
const FEW_CHANGES = 32;

/** The first position in sorted `order` whose path does not sort before `path`. */
function positionOf(order: readonly string[], path: string): number {
    let low = 0;
    let high = order.length;
    while (low < high) {
        const mid = (low + high) >>> 1;
        if (comparePaths(order[mid] ?? '', path) < 0) low = mid + 1;
        else high = mid;
    }
    return low;
}

/** Two sorted lists of paths as one. */
function merge(a: string[], b: string[]): string[] {
    if (b.length === 0) return a;
    const out: string[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
        const left = a[i] as string;
        const right = b[j] as string;
        if (comparePaths(left, right) <= 0) {
            out.push(left);
            i++;
        } else {
            out.push(right);
            j++;
        }
    }
    while (i < a.length) out.push(a[i++] as string);
    while (j < b.length) out.push(b[j++] as string);
    return out;
}
