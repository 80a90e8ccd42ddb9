/**
 * The parser's range lookups: the same answers as looking at every range, for positions asked left to right, and a
 * long line of spans, tags, links and comments read in one pass (before the cursor, a few megabytes took minutes).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNote } from '../../src/vault/note-parser';
import { RangeCursor } from '../../src/vault/range-cursor';

describe('RangeCursor', () => {
    it('answers as a look at every range would, for any ranges and positions asked in order', () => {
        const range = fc.tuple(fc.nat(200), fc.nat(40)).map(([start, length]) => [start, start + length] as const);
        fc.assert(
            fc.property(
                fc.array(range, { maxLength: 30 }),
                fc.array(fc.nat(260), { maxLength: 60 }),
                (ranges, asked) => {
                    const cursor = new RangeCursor(ranges);
                    for (const at of [...asked].sort((a, b) => a - b)) {
                        expect(cursor.covers(at)).toBe(ranges.some(([start, end]) => at >= start && at < end));
                    }
                },
            ),
            { numRuns: 500 },
        );
    });

    it('covers nothing without ranges', () => {
        expect(new RangeCursor(null).covers(0)).toBe(false);
        expect(new RangeCursor([[3, 3]]).covers(3)).toBe(false);
    });
});

describe('a long line', () => {
    it('is read whole: every code span, tag, link and comment of a 3 MB line', () => {
        const piece = '`a` #t [[N]] [b](c) <span style="color:#f00">x</span> %% c %% ';
        const note = parseNote(piece.repeat(50_000) + '\n');
        expect(note.links).toHaveLength(100_000);
        expect(note.tags).toEqual(['#t', '#f00']);
        expect(note.shownTags).toEqual(['#t']);
    });
});
