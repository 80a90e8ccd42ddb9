/**
 * The texts FsVault has read, kept so that a search over thousands of notes does not open every file again. A text is
 * served only while its file is provably unchanged: the same file (device and inode), the same size, modification and
 * change times — and only if the file had not been modified in the two seconds before it was read. File-system clocks
 * tick coarsely (milliseconds to two seconds), so two writes within one tick can leave every time stamp the same; a
 * text read that soon after a write is therefore not kept, and the next read goes to the disk (git's "racily clean"
 * rule). The change time cannot be set by programs, so an edit that restores the old modification time still shows.
 *
 * Bounded by characters held; the least recently used texts go first.
 */

/** The facts of a file the cache compares (a subset of Node's `Stats`). */
export interface FileFacts {
    dev: number;
    ino: number;
    size: number;
    mtimeMs: number;
    ctimeMs: number;
}

/** Texts modified this recently (ms) when read are not kept. */
export const RACY_WINDOW_MS = 2_000;

/** Characters held by default: a 20,000-note vault of 2.5 KB notes is 50 million. */
export const DEFAULT_MAX_CACHED_CHARS = 100_000_000;

interface Cached extends FileFacts {
    text: string;
}

/** Read texts by vault path, served only while their file is unchanged. */
export class TextCache {
    private readonly entries = new Map<string, Cached>();
    private chars = 0;

    constructor(private readonly maxChars: number = DEFAULT_MAX_CACHED_CHARS) {}

    /** Whether a text for `path` is held (it may still be refused by `get`). */
    has(path: string): boolean {
        return this.entries.has(path);
    }

    /** The text read from `path` when the file was exactly as `facts` describe it now; `null` otherwise. */
    get(path: string, facts: FileFacts): string | null {
        const cached = this.entries.get(path);
        if (cached === undefined) return null;
        if (!sameFile(cached, facts)) {
            this.delete(path);
            return null;
        }
        // Most recently used last, so eviction takes the oldest first.
        this.entries.delete(path);
        this.entries.set(path, cached);
        return cached.text;
    }

    /** Keeps `text`, read from `path` while the file was as `facts` say, unless the file changed too recently. */
    set(path: string, facts: FileFacts, text: string, now: number): void {
        this.delete(path);
        if (now - facts.mtimeMs < RACY_WINDOW_MS || now - facts.ctimeMs < RACY_WINDOW_MS) return;
        if (text.length > this.maxChars) return;
        const { dev, ino, size, mtimeMs, ctimeMs } = facts;
        this.entries.set(path, { dev, ino, size, mtimeMs, ctimeMs, text });
        this.chars += text.length;
        for (const [oldest, entry] of this.entries) {
            if (this.chars <= this.maxChars) break;
            this.entries.delete(oldest);
            this.chars -= entry.text.length;
        }
    }

    /** Forgets `path` (written, moved or deleted). */
    delete(path: string): void {
        const cached = this.entries.get(path);
        if (cached === undefined) return;
        this.entries.delete(path);
        this.chars -= cached.text.length;
    }

    /** Forgets everything. */
    clear(): void {
        this.entries.clear();
        this.chars = 0;
    }

    /** Characters held now. */
    get size(): number {
        return this.chars;
    }
}

function sameFile(a: FileFacts, b: FileFacts): boolean {
    return (
        a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs
    );
}
