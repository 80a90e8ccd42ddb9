import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAnchoredEdits } from '../../../src/agent/tools/anchored-edits';

describe('applyAnchoredEdits', () => {
    it('keeps every byte outside the replaced anchor', () => {
        fc.assert(
            fc.property(fc.string(), fc.string(), fc.string(), (before, after, replacement) => {
                const anchor = '\u0001ANCHOR\u0001';
                fc.pre(!before.includes('\u0001') && !after.includes('\u0001') && !(before + after).includes('\r\n'));
                const result = applyAnchoredEdits(
                    `${before}${anchor}${after}`,
                    [{ old: anchor, new: replacement }],
                    'n',
                );
                if (replacement === anchor) return expect(result.ok).toBe(false);
                expect(result).toEqual({ ok: true, text: `${before}${replacement}${after}` });
            }),
        );
    });

    it('counts overlapping occurrences as ambiguous', () => {
        const result = applyAnchoredEdits('aaa', [{ old: 'aa', new: 'b' }], 'n.md');
        expect(result).toEqual({
            ok: false,
            problem:
                'The edit: its "old" text matches 2 times in "n.md"; it must match exactly once. Include more of the ' +
                'surrounding text so that it matches one place only. Nothing was changed.',
        });
    });

    it('locates every anchor in the same base, so an edit cannot target text another edit inserted', () => {
        const result = applyAnchoredEdits(
            'one two',
            [
                { old: 'one', new: 'three' },
                { old: 'three', new: 'four' },
            ],
            'n.md',
        );
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.problem).toContain('Edit 2 of 2: its "old" text matches 0 times');
    });

    it('refuses edits that change nothing', () => {
        expect(applyAnchoredEdits('a b', [{ old: 'a', new: 'a' }], 'n.md').ok).toBe(false);
    });
});
