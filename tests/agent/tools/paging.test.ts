/**
 * `pageOf` at its edges: an offset past the end names no range and counts the entries in words that fit their
 * number. The listing tools through the built `vault-agent mcp` are covered in `tests/cli/mcp-paging.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { pageOf, spanNote } from '../../../src/agent/tools/paging';

const header = (span: { from: number; to: number; total: number }): string => `${span.total} in all${spanNote(span)}:`;

describe('pageOf', () => {
    it('past the end: no range in the header, and "there is" for one entry', () => {
        expect(pageOf(['a'], 5, { header, noun: 'note' }).text).toBe(
            '1 in all:\n[offset 5 is past the end: there is 1 note; call again with a smaller offset]',
        );
        expect(pageOf(['a', 'b'], 2, { header, noun: 'note' }).text).toBe(
            '2 in all:\n[offset 2 is past the end: there are 2 notes; call again with a smaller offset]',
        );
    });

    it('a page inside the list names its range and how many more follow', () => {
        const entries = Array.from({ length: 5 }, (_, i) => `e${i}`);
        expect(pageOf(entries, 1, { header, noun: 'note', maxEntries: 2 }).text).toBe(
            '5 in all (2–3 of 5):\ne1\ne2\n[2 more notes — call again with offset=3]',
        );
    });
});
