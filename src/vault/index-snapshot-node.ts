/**
 * The note index as a file, so `vault-agent` (the MCP server above all) starts without reading and parsing every
 * note again (docs/decisions/0022). Each entry is the metadata of one note with the facts of the file it was parsed
 * from: device, inode, size, modification and change time. At start a note whose file shows exactly those facts is
 * taken from the snapshot, its metadata parsed only when first asked (decision 0025); any other is read and parsed
 * when first needed. The change time cannot be set by programs, so an
 * edit that keeps the size and restores the modification time is still seen; and a note modified within the racy
 * window before it was read is never written to the snapshot (see `text-cache.ts`).
 *
 * The file lives in the user's state folder, never in the vault (it would sync), is written whole with mode 0600 and
 * renamed into place, and holds nothing excluded: what the exclusion gate excludes when it is saved is left out and
 * read from the note itself at the next start. Anything unexpected in it (another version, another vault, a cut-off
 * file) makes it count as absent; a row whose metadata does not parse is read from its note.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import nodePath from 'node:path';
import type { NoteMetadata } from '../kernel/vault-port';
import { RACY_WINDOW_MS } from './text-cache';
import { KEY_SEPARATOR, parseStoredMetadata, type StoredNote } from './stored-note';

/** The facts of a file a snapshot entry was parsed from. */
export interface ParsedFacts {
    dev: number;
    ino: number;
    size: number;
    mtimeMs: number;
    ctimeMs: number;
}

/** One note of a snapshot. */
export interface SnapshotEntry extends ParsedFacts {
    /** Its metadata as the note index keeps it. */
    note: StoredNote;
}

/**
 * One note of a snapshot as loaded: the facts at once, the metadata when first asked (`null` when its row does not
 * hold metadata of the expected shape: the note is then read from disk instead).
 */
export interface LoadedEntry extends ParsedFacts {
    metadata(): NoteMetadata | null;
    /**
     * The note as the index keeps it: its tags and link names read now, its metadata left as JSON until asked (and read
     * from the note when it does not parse then); `null` when the tags or link names are not of the expected shape.
     */
    stored(): StoredNote | null;
}

/** Bump when the parser or the entry shape changes: an older file then counts as absent. */
export const SNAPSHOT_VERSION = 7;

/** The first bytes of a snapshot file. */
const MAGIC = 'VAIX';

/** Largest snapshot file read (a vault of 100,000 notes writes well under this). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/**
 * Where a vault's index snapshot is kept. The file is binary, so a start reads it without decoding or parsing it
 * whole: `VAIX`, the version (u32), the owner as JSON (u32 length, UTF-8), the note count (u32), then per note its path
 * (u32 length, UTF-8), device, inode, size, modification and change time (five float64, as Node reports them), its tags
 * as JSON (`[tags or null, frontmatter error or null]`), the names of the files its links can lead to (joined by NUL),
 * and its metadata as JSON, each a u32 length and UTF-8, all little-endian. A note's tags and link names are read the
 * first time it is touched; its metadata is parsed only when asked for, and stays in these bytes until then.
 */
export class IndexSnapshotFile {
    constructor(
        /** The file, in the user's state folder. */
        readonly file: string,
        /** Which vault it belongs to (its real path and config folder). */
        private readonly owner: { root: string; configDir: string },
    ) {}

    /** The entries stored for this vault; empty when there is no usable snapshot. */
    load(): Map<string, LoadedEntry> {
        const absent = new Map<string, LoadedEntry>();
        let bytes: Buffer;
        try {
            bytes = readFileSync(this.file);
        } catch {
            return absent;
        }
        if (bytes.length > MAX_SNAPSHOT_BYTES) return absent;
        try {
            return this.decode(bytes) ?? absent;
        } catch {
            // A truncated or mangled file reads past its end: absent.
            return absent;
        }
    }

    /**
     * Writes `entries` whole, readable by this user only; a failure leaves the old file (or none). Written through one
     * reused chunk, so saving a vault of 100,000 notes never holds a second copy of the file in memory.
     */
    save(entries: Iterable<[string, SnapshotEntry]>): boolean {
        const temp = `${this.file}.${process.pid}.tmp`;
        let fd: number | null = null;
        try {
            mkdirSync(nodePath.dirname(this.file), { recursive: true, mode: 0o700 });
            fd = openSync(temp, 'w', 0o600);
            const out = new ChunkWriter(fd);
            out.raw(Buffer.from(MAGIC, 'latin1'));
            out.u32(SNAPSHOT_VERSION);
            out.text(JSON.stringify(this.owner));
            const countAt = out.position;
            out.u32(0);
            let n = 0;
            for (const [path, e] of entries) {
                out.text(path);
                for (const value of [e.dev, e.ino, e.size, e.mtimeMs, e.ctimeMs]) out.f64(value);
                out.text(JSON.stringify([e.note.screen.tags ?? null, e.note.screen.frontmatterError ?? null]));
                out.text(e.note.linkKeys.join(KEY_SEPARATOR));
                const { json } = e.note;
                if (typeof json === 'string') out.text(json);
                else out.bytes(json.bytes.subarray(json.start, json.end));
                n++;
            }
            out.flush();
            const count = Buffer.allocUnsafe(4);
            count.writeUInt32LE(n);
            writeAll(fd, count, countAt);
            closeSync(fd);
            fd = null;
            renameSync(temp, this.file);
            return true;
        } catch {
            if (fd !== null) closeSync(fd);
            rmSync(temp, { force: true });
            return false;
        }
    }

    /** The entries of `bytes`, or `null` when they are not a snapshot of this version for this vault. */
    private decode(bytes: Buffer): Map<string, LoadedEntry> | null {
        if (bytes.toString('latin1', 0, 4) !== MAGIC || bytes.readUInt32LE(4) !== SNAPSHOT_VERSION) return null;
        let at = 8;
        const text = (): string => {
            const length = bytes.readUInt32LE(at);
            const end = at + 4 + length;
            if (end > bytes.length) throw new RangeError('past the end');
            const value = bytes.toString('utf8', at + 4, end);
            at = end;
            return value;
        };
        const owner: unknown = JSON.parse(text());
        if (!isRecord(owner) || owner.root !== this.owner.root || owner.configDir !== this.owner.configDir) return null;
        const count = bytes.readUInt32LE(at);
        at += 4;
        const entries = new Map<string, LoadedEntry>();
        for (let i = 0; i < count; i++) {
            const path = text();
            if (at + 44 > bytes.length) return null;
            const dev = bytes.readDoubleLE(at);
            const ino = bytes.readDoubleLE(at + 8);
            const size = bytes.readDoubleLE(at + 16);
            const mtimeMs = bytes.readDoubleLE(at + 24);
            const ctimeMs = bytes.readDoubleLE(at + 32);
            // NaN and infinities never equal a file's facts, so such a row is simply never taken.
            const start = at + 40;
            at = start;
            for (let field = 0; field < 3; field++) {
                if (at + 4 > bytes.length) return null;
                at += 4 + bytes.readUInt32LE(at);
            }
            if (at > bytes.length) return null;
            const end = at;
            entries.set(path, new StoredRow(bytes, start, end, dev, ino, size, mtimeMs, ctimeMs));
        }
        return at === bytes.length ? entries : null;
    }
}

/**
 * One row of a loaded snapshot: its facts, and where the rest lies in the file's bytes (from `start`: the tags, the link
 * names and the metadata JSON, each after its u32 length).
 */
class StoredRow implements LoadedEntry {
    constructor(
        private readonly bytes: Buffer,
        private readonly start: number,
        private readonly end: number,
        readonly dev: number,
        readonly ino: number,
        readonly size: number,
        readonly mtimeMs: number,
        readonly ctimeMs: number,
    ) {}

    /** The stored metadata, or `null` when it is not metadata of the expected shape. */
    metadata(): NoteMetadata | null {
        const stored = this.stored();
        return stored === null ? null : parseStoredMetadata(stored.json);
    }

    stored(): StoredNote | null {
        const screenEnd = this.start + 4 + this.bytes.readUInt32LE(this.start);
        const keysEnd = screenEnd + 4 + this.bytes.readUInt32LE(screenEnd);
        let screen: unknown;
        try {
            screen = JSON.parse(this.bytes.toString('utf8', this.start + 4, screenEnd));
        } catch {
            return null;
        }
        if (!Array.isArray(screen) || screen.length !== 2) return null;
        const [tags, error] = screen as unknown[];
        if (tags !== null && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string'))) return null;
        if (error !== null && typeof error !== 'string') return null;
        const keys = this.bytes.toString('utf8', screenEnd + 4, keysEnd);
        return {
            screen: error === null ? { tags: tags ?? undefined } : { tags: tags ?? undefined, frontmatterError: error },
            linkKeys: keys === '' ? [] : keys.split(KEY_SEPARATOR),
            json: { bytes: this.bytes, start: keysEnd + 4, end: this.end },
        };
    }
}

/**
 * What a vault keeps for its snapshot: the entries read at open (used by the first scan only), the notes parsed from a
 * settled file since (with the facts of that file), and what the file holds now, so an unchanged index is not written
 * again.
 */
export class SnapshotBook {
    private seed = new Map<string, LoadedEntry>();
    private readonly stable = new Map<string, ParsedFacts>();
    private saved = new Map<string, number>();

    constructor(private readonly file: IndexSnapshotFile | null) {}

    /** Reads the snapshot for the scan at open. */
    load(): void {
        this.seed = this.file?.load() ?? new Map<string, LoadedEntry>();
        this.saved = new Map([...this.seed].map(([path, entry]) => [path, entry.ctimeMs]));
    }

    /** The open's scan is done: the entries read are no longer needed. */
    loaded(): void {
        this.seed = new Map<string, LoadedEntry>();
    }

    /**
     * The stored row of `path` (its metadata parsed when asked) when `facts` show the very file it was parsed from; the
     * note is then stable.
     */
    take(path: string, facts: ParsedFacts): LoadedEntry | null {
        const seeded = this.seed.get(path);
        if (seeded === undefined || !sameFile(seeded, facts)) return null;
        // The facts alone: a row kept would keep the whole file's bytes.
        this.stable.set(path, factsOf(seeded));
        return seeded;
    }

    /** `path` was read at `readAt` (ms since the epoch): stable unless modified within the racy window before. */
    read(path: string, facts: ParsedFacts, readAt: number): void {
        // The file's row, if any, is not what was read (a damaged row whose note was read instead): write it again.
        this.saved.delete(path);
        if (facts.mtimeMs < readAt - RACY_WINDOW_MS) this.stable.set(path, factsOf(facts));
        else this.stable.delete(path);
    }

    /** `path` was indexed otherwise (a write, a read outside a scan) or is gone: not stable until a scan reads it. */
    forget(path: string): void {
        this.stable.delete(path);
    }

    /**
     * Writes the stable notes that `keep` lets through and whose index entry is still the one parsed from those facts
     * (`indexedAt(path)` is the change time the index holds), when that differs from what the file holds. Returns how
     * many notes were written, or `null` when nothing was.
     */
    save(
        keep: (path: string) => boolean,
        indexedAt: (path: string) => number | undefined,
        stored: (path: string) => StoredNote | undefined,
    ): number | null {
        if (this.file === null) return null;
        const written = new Map<string, number>();
        let same = true;
        for (const [path, facts] of this.stable) {
            if (indexedAt(path) !== facts.ctimeMs || !keep(path) || stored(path) === undefined) continue;
            written.set(path, facts.ctimeMs);
            if (this.saved.get(path) !== facts.ctimeMs) same = false;
        }
        if (same && written.size === this.saved.size) return null;
        // One entry at a time: a vault of 100,000 notes is not held twice while it is written.
        const stable = this.stable;
        function* entries(): Generator<[string, SnapshotEntry]> {
            for (const path of written.keys()) {
                const facts = stable.get(path);
                const note = stored(path);
                if (facts !== undefined && note !== undefined) yield [path, { ...factsOf(facts), note }];
            }
        }
        if (!this.file.save(entries())) return null;
        this.saved = written;
        return written.size;
    }
}

function factsOf(facts: ParsedFacts): ParsedFacts {
    return { dev: facts.dev, ino: facts.ino, size: facts.size, mtimeMs: facts.mtimeMs, ctimeMs: facts.ctimeMs };
}

/** Whether `facts` still describe the file the entry was parsed from. */
export function sameFile(entry: ParsedFacts, facts: ParsedFacts): boolean {
    return (
        entry.dev === facts.dev &&
        entry.ino === facts.ino &&
        entry.size === facts.size &&
        entry.mtimeMs === facts.mtimeMs &&
        entry.ctimeMs === facts.ctimeMs
    );
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bytes written to a file descriptor through one reused buffer. */
class ChunkWriter {
    private readonly chunk = Buffer.allocUnsafe(1 << 20);
    private used = 0;
    private written = 0;

    constructor(private readonly fd: number) {}

    /** Where the next byte goes in the file. */
    get position(): number {
        return this.written + this.used;
    }

    u32(value: number): void {
        this.room(4);
        this.chunk.writeUInt32LE(value, this.used);
        this.used += 4;
    }

    f64(value: number): void {
        this.room(8);
        this.chunk.writeDoubleLE(value, this.used);
        this.used += 8;
    }

    /** `text` as UTF-8 after its length (u32). */
    text(text: string): void {
        const length = Buffer.byteLength(text, 'utf8');
        this.u32(length);
        if (length > this.chunk.length) this.raw(Buffer.from(text, 'utf8'));
        else {
            this.room(length);
            this.used += this.chunk.write(text, this.used, 'utf8');
        }
    }

    /** `bytes` after their length (u32). */
    bytes(bytes: Uint8Array): void {
        this.u32(bytes.length);
        this.raw(bytes);
    }

    /** `bytes` as they are. */
    raw(bytes: Uint8Array): void {
        if (bytes.length > this.chunk.length) {
            this.flush();
            writeAll(this.fd, bytes, this.written);
            this.written += bytes.length;
            return;
        }
        this.room(bytes.length);
        this.chunk.set(bytes, this.used);
        this.used += bytes.length;
    }

    flush(): void {
        if (this.used === 0) return;
        writeAll(this.fd, this.chunk.subarray(0, this.used), this.written);
        this.written += this.used;
        this.used = 0;
    }

    private room(length: number): void {
        if (this.used + length > this.chunk.length) this.flush();
    }
}

/** Writes all of `bytes` at `position`. */
function writeAll(fd: number, bytes: Uint8Array, position: number): void {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
