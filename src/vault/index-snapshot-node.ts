/**
 * The note index as a file, so `vault-agent` (the MCP server above all) starts without reading and parsing every
 * note again (docs/decisions/0022). Each entry is the metadata of one note with the facts of the file it was parsed
 * from: device, inode, size, modification and change time. At start a note whose file shows exactly those facts is
 * taken from the snapshot; any other is read and parsed as before. The change time cannot be set by programs, so an
 * edit that keeps the size and restores the modification time is still seen; and a note modified within the racy
 * window before it was read is never written to the snapshot (see `text-cache.ts`).
 *
 * The file lives in the user's state folder, never in the vault (it would sync), is written whole with mode 0600 and
 * renamed into place, and holds nothing excluded: what the exclusion gate excludes when it is saved is left out and
 * read from the note itself at the next start. Anything unexpected in it (another version, another vault, a broken
 * file) makes it count as absent.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import type { NoteMetadata } from '../kernel/vault-port';
import { RACY_WINDOW_MS } from './text-cache';

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
    /** Its metadata as the parser made it. */
    metadata: NoteMetadata;
}

/** Bump when the parser or the entry shape changes: an older file then counts as absent. */
export const SNAPSHOT_VERSION = 1;

/** Largest snapshot file read (a vault of 100,000 notes writes well under this). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

type Row = [dev: number, ino: number, size: number, mtimeMs: number, ctimeMs: number, metadata: NoteMetadata];

/** Where a vault's index snapshot is kept. */
export class IndexSnapshotFile {
    constructor(
        /** The file, in the user's state folder. */
        readonly file: string,
        /** Which vault it belongs to (its real path and config folder). */
        private readonly owner: { root: string; configDir: string },
    ) {}

    /** The entries stored for this vault; empty when there is no usable snapshot. */
    load(): Map<string, SnapshotEntry> {
        const entries = new Map<string, SnapshotEntry>();
        let data: unknown;
        try {
            const text = readFileSync(this.file, 'utf8');
            if (text.length > MAX_SNAPSHOT_BYTES) return entries;
            data = JSON.parse(text);
        } catch {
            return entries;
        }
        if (!isRecord(data) || data.version !== SNAPSHOT_VERSION) return entries;
        if (data.root !== this.owner.root || data.configDir !== this.owner.configDir) return entries;
        if (!isRecord(data.notes)) return entries;
        for (const [path, row] of Object.entries(data.notes)) {
            if (!isRow(row)) return new Map();
            const [dev, ino, size, mtimeMs, ctimeMs, metadata] = row;
            entries.set(path, { dev, ino, size, mtimeMs, ctimeMs, metadata });
        }
        return entries;
    }

    /** Writes `entries` whole, readable by this user only; a failure leaves the old file (or none). */
    save(entries: Iterable<[string, SnapshotEntry]>): boolean {
        const notes: Record<string, Row> = {};
        for (const [path, e] of entries) notes[path] = [e.dev, e.ino, e.size, e.mtimeMs, e.ctimeMs, e.metadata];
        const text = JSON.stringify({ version: SNAPSHOT_VERSION, ...this.owner, notes });
        const temp = `${this.file}.${process.pid}.tmp`;
        try {
            mkdirSync(nodePath.dirname(this.file), { recursive: true, mode: 0o700 });
            writeFileSync(temp, text, { mode: 0o600 });
            renameSync(temp, this.file);
            return true;
        } catch {
            return false;
        }
    }
}

/**
 * What a vault keeps for its snapshot: the entries read at open (used by the first scan only), the notes parsed from a
 * settled file since (with the facts of that file), and what the file holds now, so an unchanged index is not written
 * again.
 */
export class SnapshotBook {
    private seed = new Map<string, SnapshotEntry>();
    private readonly stable = new Map<string, ParsedFacts>();
    private saved = new Map<string, number>();

    constructor(private readonly file: IndexSnapshotFile | null) {}

    /** Reads the snapshot for the scan at open. */
    load(): void {
        this.seed = this.file?.load() ?? new Map<string, SnapshotEntry>();
        this.saved = new Map([...this.seed].map(([path, entry]) => [path, entry.ctimeMs]));
    }

    /** The open's scan is done: the entries read are no longer needed. */
    loaded(): void {
        this.seed = new Map<string, SnapshotEntry>();
    }

    /** The metadata stored for `path` when `facts` show the very file it was parsed from; the note is then stable. */
    take(path: string, facts: ParsedFacts): NoteMetadata | null {
        const seeded = this.seed.get(path);
        if (seeded === undefined || !sameFile(seeded, facts)) return null;
        this.stable.set(path, factsOf(facts));
        return seeded.metadata;
    }

    /** `path` was read at `readAt` (ms since the epoch): stable unless modified within the racy window before. */
    read(path: string, facts: ParsedFacts, readAt: number): void {
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
        metadata: (path: string) => NoteMetadata | undefined,
    ): number | null {
        if (this.file === null) return null;
        const entries: [string, SnapshotEntry][] = [];
        let same = true;
        for (const [path, facts] of this.stable) {
            if (indexedAt(path) !== facts.ctimeMs || !keep(path)) continue;
            const meta = metadata(path);
            if (meta === undefined) continue;
            entries.push([path, { ...facts, metadata: meta }]);
            if (this.saved.get(path) !== facts.ctimeMs) same = false;
        }
        if (same && entries.length === this.saved.size) return null;
        if (!this.file.save(entries)) return null;
        this.saved = new Map(entries.map(([path, entry]) => [path, entry.ctimeMs]));
        return entries.length;
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

function isRow(value: unknown): value is Row {
    if (!Array.isArray(value) || value.length !== 6) return false;
    if (!value.slice(0, 5).every((n) => typeof n === 'number' && Number.isFinite(n))) return false;
    const metadata: unknown = value[5];
    return (
        isRecord(metadata) &&
        (metadata.tags === undefined || Array.isArray(metadata.tags)) &&
        Array.isArray(metadata.links) &&
        Array.isArray(metadata.embeds) &&
        Array.isArray(metadata.headings) &&
        Array.isArray(metadata.blocks) &&
        Array.isArray(metadata.aliases)
    );
}
