import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTokens, type ContextItem } from '../../src/context/bundle';
import { defaultBudget, pack, truncateLines } from '../../src/context/packer';

function note(path: string, text: string, kind: ContextItem['kind'] = 'mention'): ContextItem {
    return { kind, path, label: path, text, tokens: 0 };
}

function longNote(lines: number): string {
    return Array.from({ length: lines }, (_, i) =>
        i % 50 === 0 ? `## Section ${i / 50}` : `line ${i} of the note`,
    ).join('\n');
}

describe('pack', () => {
    it('never exceeds its budget and marks every cut (property)', () => {
        const item = fc.record({
            kind: fc.constantFrom<ContextItem['kind']>('instructions', 'focus', 'selection', 'mention', 'excluded'),
            lines: fc.integer({ min: 0, max: 400 }),
            width: fc.integer({ min: 1, max: 120 }),
        });
        fc.assert(
            fc.property(fc.array(item, { maxLength: 8 }), fc.integer({ min: 0, max: 6000 }), (specs, budget) => {
                const items = specs.map((spec, i) => ({
                    ...note(
                        `n${i}.md`,
                        Array.from({ length: spec.lines }, (_, l) => `${l}`.padEnd(spec.width, 'x')).join('\n'),
                        spec.kind,
                    ),
                    ...(spec.kind === 'excluded' ? { text: '', excludedReason: 'tagged #private' } : {}),
                }));
                const bundle = pack(items, 'question', { budgetTokens: budget });
                expect(bundle.tokens()).toBeLessThanOrEqual(budget);
                for (const [i, packed] of bundle.items.entries()) {
                    const original = items[i] as ContextItem;
                    if (packed.kind === 'dropped') continue;
                    if (packed.text !== original.text) {
                        expect(packed.truncated?.lines).toBeGreaterThan(0);
                        expect(packed.text).toContain(`[truncated: ${packed.truncated?.lines} lines`);
                    }
                }
                const dropped = bundle.items.filter((i) => i.kind === 'dropped').length;
                if (dropped > 0 && bundle.showCounts) expect(bundle.toPrompt()).toContain(`${dropped} attached item`);
                if (dropped > 0) expect(bundle.forPerson().join('\n')).toContain('Left out (over the context budget)');
            }),
            { numRuns: 300 },
        );
    });

    it('keeps small items whole and in order, instructions apart in the system part', () => {
        const bundle = pack(
            [note('AGENTS.md', 'Be brief.', 'instructions'), note('A.md', 'alpha'), note('B.md', 'beta')],
            'Hi',
            {
                budgetTokens: 10_000,
            },
        );
        expect(bundle.items.map((i) => i.kind)).toEqual(['instructions', 'mention', 'mention']);
        expect(bundle.system()).toContain('Be brief.');
        expect(bundle.toPrompt().indexOf('alpha')).toBeLessThan(bundle.toPrompt().indexOf('beta'));
    });

    it('shrinks a large note to head, outline and tail with an explicit mark', () => {
        const bundle = pack([note('Big.md', longNote(2000))], 'Summarise', { budgetTokens: 2000 });
        const item = bundle.items[0] as ContextItem;
        expect(item.kind).toBe('mention');
        expect(item.text.startsWith('## Section 0\nline 1 of the note')).toBe(true);
        expect(item.text.endsWith('line 1999 of the note')).toBe(true);
        expect(item.text).toMatch(/\[truncated: \d+ lines; headings in the cut part:\n## Section \d+/);
        expect(bundle.toPrompt()).toContain(`truncated="${item.truncated?.lines} lines"`);
        expect(bundle.forPerson()[0]).toContain(`truncated: ${item.truncated?.lines} lines cut`);
    });

    it('drops what cannot fit and tells both the person and the model', () => {
        const bundle = pack([note('A.md', 'x'.repeat(40_000))], 'Hi', { budgetTokens: 120 });
        expect(bundle.items[0]?.kind).toBe('dropped');
        expect(bundle.forPerson()[0]).toBe('Left out (over the context budget): A.md');
        expect(bundle.toPrompt()).toContain('1 attached item did not fit the context budget');
    });

    it('gives the selection priority over mentions when space is short', () => {
        const items = [
            note('A.md', longNote(400), 'focus'),
            note('A.md', 'the selected line', 'selection'),
            note('M.md', longNote(400)),
        ];
        const bundle = pack(items, 'Go', { budgetTokens: 300 });
        expect(bundle.items[1]?.kind).toBe('selection');
        expect(bundle.items[1]?.text).toBe('the selected line');
    });

    it('defaults to a quarter of a 200k window and uses a given counter', () => {
        expect(defaultBudget()).toBe(50_000);
        const words = (text: string): number => text.split(/\s+/).length;
        const bundle = pack([note('A.md', longNote(3000))], 'Hi', { budgetTokens: 1500, count: words });
        expect(bundle.tokens(words)).toBeLessThanOrEqual(1500);
        expect(bundle.tokens(estimateTokens)).toBeGreaterThan(0);
    });
});

describe('truncateLines', () => {
    it('keeps two thirds head and one third tail and counts the cut lines', () => {
        const lines = Array.from({ length: 10 }, (_, i) => `l${i}`);
        expect(truncateLines(lines, 3)).toEqual({ text: 'l0\nl1\n[truncated: 7 lines]\nl9', cut: 7 });
        expect(truncateLines(lines, 10)).toEqual({ text: lines.join('\n'), cut: 0 });
    });
});
