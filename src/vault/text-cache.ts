/**
 * The texts FsVault has read, kept so that a search over thousands of notes does not open every file again. A text is
 * served only while its file is provably unchanged: the same file (device and inode), the same size, modification and
 * change times — and only if the file had not been modified in the two seconds before it was read. File-system clocks
 * tick coarsely (milliseconds to two seconds), so two writes within one tick can leave every time stamp the same; a
 * text read that soon after a write is therefore not kept, and the next read goes to the disk (git's "racily clean"
 * rule). The change time cannot be set by programs, so an edit that restores the old modification time still shows.
 *
 * Bounded by the memory the texts take (a character is a byte in a text of Latin-1 letters only, two otherwise, as
 * JavaScript engines store them); the least recently used texts go first. `search_notes` does not fill it where the
 * vault searches in worker threads (decision 0024): it holds what `read_note` and ranked retrieval read.
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

/**
 * Bytes held by default: about 25,000 notes of 2.5 KB. A 100,000-note vault's texts (250 MB) would not fit under the
 * server's 600 MB at any cap worth having, and searches no longer need them kept (decision 0024).
 */
export const DEFAULT_MAX_CACHED_BYTES = 64 * 1024 * 1024;

interface Cached extends FileFacts {
    text: string;
    /** What the text takes in memory (`textBytes`). */
    bytes: number;
}

/** Read texts by vault path, served only while their file is unchanged. */
export class TextCache {
    private readonly entries = new Map<string, Cached>();
    private bytes = 0;

    constructor(private readonly maxBytes: number = DEFAULT_MAX_CACHED_BYTES) {}

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
        const bytes = textBytes(text);
        if (bytes > this.maxBytes) return;
        const { dev, ino, size, mtimeMs, ctimeMs } = facts;
        this.entries.set(path, { dev, ino, size, mtimeMs, ctimeMs, text, bytes });
        this.bytes += bytes;
        for (const [oldest, entry] of this.entries) {
            if (this.bytes <= this.maxBytes) break;
            this.entries.delete(oldest);
            this.bytes -= entry.bytes;
        }
    }

    /** Forgets `path` (written, moved or deleted). */
    delete(path: string): void {
        const cached = this.entries.get(path);
        if (cached === undefined) return;
        this.entries.delete(path);
        this.bytes -= cached.bytes;
    }

    /** Forgets everything. */
    clear(): void {
        this.entries.clear();
        this.bytes = 0;
    }

    /** Bytes held now (see `textBytes`). */
    get size(): number {
        return this.bytes;
    }
}

/** What `text` takes in memory: a byte a character when every character is Latin-1, else two. */
export function textBytes(text: string): number {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return text.length * 2;
    return text.length;
}

/** Whether `a` and `b` describe the same file at the same version: device, inode, size and both times. */
export function sameFile(a: FileFacts, b: FileFacts): boolean {
    return (
        a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs
    );
}
