/**
 * The note index keeps the JSON of the notes it parsed as UTF-8 in shared chunks (json-arena.ts): every note's bytes
 * must read back as its JSON however many notes share a chunk, and an index that sees many edits must re-pack what it
 * keeps rather than hold every chunk it ever wrote.
 */
import { describe, expect, it } from 'vitest';
import { JsonArena } from '../../src/vault/json-arena';
import { NoteIndex } from '../../src/vault/note-index';
import { parseNote } from '../../src/vault/note-parser';
import type { JsonBytes } from '../../src/vault/stored-note';

const FROM_UTF8 = new TextDecoder();

function text(json: JsonBytes): string {
    return FROM_UTF8.decode(json.bytes.subarray(json.start, json.end));
}

describe('the JSON arena', () => {
    it('reads every JSON back as it was put, across chunks and for a JSON longer than a chunk', () => {
        const arena = new JsonArena();
        const texts = Array.from({ length: 3000 }, (_, i) =>
            JSON.stringify({ i, name: `Zürich ångström 東京 ${'x'.repeat(i % 700)}`, emoji: '🦊' }),
        );
        texts.push(JSON.stringify({ big: 'é'.repeat(1_500_000) }));
        const placed = texts.map((json) => arena.put(json));
        expect(new Set(placed.map((json) => json.bytes)).size).toBeGreaterThan(1);
        placed.forEach((json, i) => expect(text(json)).toBe(texts[i]));
    });

    it('is wasteful only once most of what it holds is freed, and moving keeps the text', () => {
        const arena = new JsonArena();
        const texts = Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ i, pad: 'y'.repeat(500) }));
        const placed = texts.map((json) => arena.put(json));
        expect(arena.wasteful()).toBe(false);
        // Free three in four: far more freed than kept.
        for (let i = 0; i < placed.length; i++) if (i % 4 !== 0) arena.release(placed[i] as JsonBytes);
        expect(arena.wasteful()).toBe(true);
        const moved = placed.filter((_, i) => i % 4 === 0).map((json) => arena.move(json));
        expect(arena.wasteful()).toBe(false);
        moved.forEach((json, i) => expect(text(json)).toBe(texts[i * 4]));
        expect(arena.holds(moved[0] as JsonBytes)).toBe(true);
        expect(arena.holds(placed[0] as JsonBytes)).toBe(false);
    });
});

describe('the note index over its arena', () => {
    it('re-packs the JSON of the notes it keeps once most notes are gone, and every note still reads as parsed', () => {
        const index = new NoteIndex();
        const entry = (path: string, round: number) => ({ path, size: round, mtime: round, ctime: 0 });
        /** A note of about 19 KB of metadata JSON: many links and headings. */
        const note = (i: number, round: number): string =>
            Array.from({ length: 120 }, (_, k) => `## Part ${k} of ${i}\n[[Target ${k}#h${round}|shown ${k}]]`).join(
                '\n',
            );
        for (let i = 0; i < 800; i++) index.set(entry(`n${i}.md`, 0), note(i, 0));
        const firstPlace = index.stored('n0.md')?.json as JsonBytes;
        // Rewriting every note frees whole chunks: no re-packing needed.
        for (let i = 0; i < 800; i++) index.set(entry(`n${i}.md`, 1), note(i, 1));
        const rewritten = index.stored('n0.md')?.json as JsonBytes;
        expect(rewritten.bytes).not.toBe(firstPlace.bytes);
        // Seven notes in eight go: the rest lie scattered over chunks that are mostly freed space, and are re-packed.
        for (let i = 0; i < 800; i++) if (i % 8 !== 0) index.delete(`n${i}.md`);
        const nowPlace = index.stored('n0.md')?.json as JsonBytes;
        expect(nowPlace.bytes).not.toBe(rewritten.bytes);
        expect(text(nowPlace)).toBe(text(rewritten));
        for (let i = 0; i < 800; i += 8) expect(index.metadata(`n${i}.md`)).toEqual(parseNote(note(i, 1)));
        expect(index.paths()).toHaveLength(100);
    });
});
