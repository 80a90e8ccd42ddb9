import { describe, expect, it } from 'vitest';
import {
    applyRegion,
    changedPieces,
    pieceRegions,
    previewRegions,
    wordRegions,
} from '../../../src/agent/changes/inline-hunks';

describe('word regions of a passage rewrite', () => {
    it('groups changed words into regions a person decides one by one, with their place in the old text', () => {
        const old = 'Ebbinghaus measured how fast he forgot. Each re-learning flattens the curve.';
        const next = 'Ebbinghaus measured how quickly he forgot. Each review flattens the curve.';
        const regions = wordRegions(old, next);
        expect(regions.map(({ removed, inserted }) => [removed, inserted])).toEqual([
            ['fast', 'quickly'],
            ['re-learning', 'review'],
        ]);
        for (const region of regions) expect(old.slice(region.from, region.to)).toBe(region.removed);
        // Applying every region from the end gives the rewrite exactly.
        const all = [...regions].reverse().reduce((text, region) => applyRegion(text, region), old);
        expect(all).toBe(next);
    });

    it('reads changes separated only by spaces or one short word as one region', () => {
        const regions = wordRegions('drops within the first day, then', 'drops on day one, then');
        expect(regions.map(({ removed, inserted }) => [removed, inserted])).toEqual([
            ['within the first day', 'on day one'],
        ]);
    });

    it('previews a rewrite still streaming without removing the old text it has not reached yet', () => {
        const old = 'One two three four five six seven eight nine ten.';
        const regions = previewRegions(old, 'One two THREE four');
        expect(regions.map(({ removed, inserted }) => [removed, inserted])).toEqual([['three', 'THREE']]);
        expect(previewRegions(old, '')).toEqual([]);
    });
});

describe('changed pieces of a long rewrite', () => {
    it('compares paragraphs first, so each changed stretch is word-diffed on its own and lands in place', () => {
        const old = 'First para stays.\n\nSecond one is here.\n\nThird stays too.\n\nFourth goes away.\n';
        const next = 'First para stays.\n\nSecond one is there.\n\nThird stays too.\n\nFourth went.\n';
        const pieces = changedPieces(old, next);
        expect(pieces.map((p) => [p.oldText, p.newText])).toEqual([
            ['Second one is here.\n\n', 'Second one is there.\n\n'],
            ['Fourth goes away.\n', 'Fourth went.\n'],
        ]);
        let first = 0;
        const regions = pieces.flatMap((piece) => {
            const found = pieceRegions(piece, first);
            first += found.length;
            return found;
        });
        expect(regions.map((r) => r.index)).toEqual(regions.map((_, i) => i));
        for (const region of regions) expect(old.slice(region.from, region.to)).toBe(region.removed);
        const all = [...regions].reverse().reduce((text, region) => applyRegion(text, region), old);
        expect(all).toBe(next);
    });
});
