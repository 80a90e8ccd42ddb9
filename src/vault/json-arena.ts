/**
 * Where the note index keeps the JSON of the notes it parsed (decision 0026): as UTF-8 in shared 1 MB chunks outside
 * the JavaScript heap, not as one string per note. At 100,000 notes that is about 70 MB the collector no longer walks
 * nor keeps head-room for (a vault's first start parses every note; later starts take the index snapshot's bytes).
 *
 * A chunk is written once, front to back, and dropped when none of its notes is kept any more; freed space inside a
 * chunk is not reused. Once most of the arena is freed space (`wasteful`), the index copies the notes it keeps into
 * fresh chunks (`move`), so an index that sees many edits stays near the size of what it keeps.
 */
import type { JsonBytes } from './stored-note';

/** The size of a chunk; a JSON longer than this gets a chunk of its own size. */
const CHUNK_BYTES = 1 << 20;

/** Re-pack once the bytes freed in full chunks exceed both this and the bytes still kept. */
const REPACK_AT = 8 * CHUNK_BYTES;

const TO_UTF8 = new TextEncoder();

/** UTF-8 JSON texts in shared chunks. */
export class JsonArena {
    private chunk = new Uint8Array(CHUNK_BYTES);
    private used = 0;
    /** Bytes kept per chunk; a chunk with none kept is forgotten, so the collector frees it. */
    private readonly kept = new Map<Uint8Array, number>([[this.chunk, 0]]);
    /** The length of every chunk held, the one being written included. */
    private held = CHUNK_BYTES;
    /** Bytes kept in all chunks. */
    private total = 0;

    /** Stores `json` as UTF-8; the bytes stay where they are until `release`d. */
    put(json: string): JsonBytes {
        const { read, written } = TO_UTF8.encodeInto(json, this.chunk.subarray(this.used));
        if (read === json.length) return this.placed(written);
        // UTF-8 takes at most 3 bytes per UTF-16 unit.
        this.next(json.length * 3);
        return this.placed(TO_UTF8.encodeInto(json, this.chunk.subarray(this.used)).written);
    }

    /** Forgets the bytes of a JSON `put` here (they are not reused; a chunk with none kept is dropped). */
    release(json: JsonBytes): void {
        const left = (this.kept.get(json.bytes) ?? 0) - (json.end - json.start);
        this.total -= json.end - json.start;
        if (left > 0 || json.bytes === this.chunk) this.kept.set(json.bytes, left);
        else if (this.kept.delete(json.bytes)) this.held -= json.bytes.length;
    }

    /** True for bytes this arena holds. */
    holds(json: JsonBytes): boolean {
        return this.kept.has(json.bytes);
    }

    /** True when re-packing the kept JSON (`move`) would free more chunks than it fills. */
    wasteful(): boolean {
        const wasted = this.held - this.total - (this.chunk.length - this.used);
        return wasted > REPACK_AT && wasted > this.total;
    }

    /** Copies `json` into fresh space and frees its old place (re-packing); returns where it is now. */
    move(json: JsonBytes): JsonBytes {
        const text = json.bytes.subarray(json.start, json.end);
        if (text.length > this.chunk.length - this.used) this.next(text.length);
        this.chunk.set(text, this.used);
        const moved = this.placed(text.length);
        this.release(json);
        return moved;
    }

    /** Starts a new chunk with room for at least `room` bytes. */
    private next(room: number): void {
        if (this.kept.get(this.chunk) === 0) {
            this.kept.delete(this.chunk);
            this.held -= this.chunk.length;
        }
        this.chunk = new Uint8Array(Math.max(CHUNK_BYTES, room));
        this.used = 0;
        this.kept.set(this.chunk, 0);
        this.held += this.chunk.length;
    }

    private placed(length: number): JsonBytes {
        const json = { bytes: this.chunk, start: this.used, end: this.used + length };
        this.used += length;
        this.total += length;
        this.kept.set(this.chunk, (this.kept.get(this.chunk) ?? 0) + length);
        return json;
    }
}
