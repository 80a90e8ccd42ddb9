import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeHunks, hunkDisplayLines, rebaseHunks, splitLines } from '../../../src/agent/changes/hunks';
import {
    applyHunks,
    bindingOf,
    buildProposal,
    isProposalIntact,
    ProposalError,
} from '../../../src/agent/changes/proposal';
import { sha256Utf16Hex } from '../../../src/agent/changes/sha256';
import { wordDiff } from '../../../src/agent/changes/word-diff';

const lines = (n: number, prefix = 'line'): string =>
    Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');

describe('sha256Utf16Hex', () => {
    it('matches the platform SHA-256 of the UTF-16LE bytes for every length around the block edges', () => {
        for (const text of [
            '',
            'a',
            'abc',
            'x'.repeat(27),
            'x'.repeat(28),
            'y'.repeat(31),
            'z'.repeat(32),
            'é🙂\uD800',
        ]) {
            const expected = createHash('sha256').update(Buffer.from(text, 'utf16le')).digest('hex');
            expect(sha256Utf16Hex(text)).toBe(expected);
        }
        fc.assert(
            fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (text) => {
                const expected = createHash('sha256').update(Buffer.from(text, 'utf16le')).digest('hex');
                return sha256Utf16Hex(text) === expected;
            }),
            { numRuns: 40 },
        );
    });
});

describe('buildProposal', () => {
    it('computes hunks with three lines of context and unified line numbers', () => {
        const base = lines(20);
        const proposed = base.replace('line 10\n', 'LINE TEN\n');
        const proposal = buildProposal({ kind: 'edit', path: 'a.md', base, proposed });
        expect(proposal.hunks).toHaveLength(1);
        const hunk = proposal.hunks[0];
        expect(hunk).toMatchObject({ index: 0, oldStart: 7, oldLines: 7, newStart: 7, newLines: 7 });
        expect(hunk?.lines).toEqual([
            ' line 7',
            ' line 8',
            ' line 9',
            '-line 10',
            '+LINE TEN',
            ' line 11',
            ' line 12',
            ' line 13',
        ]);
    });

    it('splits distant changes into separate hunks and merges close ones', () => {
        const base = lines(40);
        const far = base.replace('line 5\n', 'five\n').replace('line 30\n', 'thirty\n');
        expect(buildProposal({ kind: 'edit', path: 'a.md', base, proposed: far }).hunks).toHaveLength(2);
        const near = base.replace('line 5\n', 'five\n').replace('line 10\n', 'ten\n');
        expect(buildProposal({ kind: 'edit', path: 'a.md', base, proposed: near }).hunks).toHaveLength(1);
    });

    it('shows a create as one hunk of added lines and a rename or delete without hunks', () => {
        const created = buildProposal({ kind: 'create', path: 'n.md', base: null, proposed: 'a\nb' });
        expect(created.hunks[0]).toMatchObject({
            oldStart: 0,
            oldLines: 0,
            newStart: 1,
            newLines: 2,
            lines: ['+a', '+b'],
        });
        expect(buildProposal({ kind: 'delete', path: 'n.md', base: 'x', proposed: null }).hunks).toEqual([]);
        expect(
            buildProposal({ kind: 'rename', path: 'n.md', newPath: 'm.md', base: 'x', proposed: null }).hunks,
        ).toEqual([]);
    });

    it('refuses fields that do not fit the kind, and an edit that changes nothing', () => {
        expect(() => buildProposal({ kind: 'edit', path: 'a.md', base: null, proposed: 'x' })).toThrow(ProposalError);
        expect(() => buildProposal({ kind: 'rename', path: 'a.md', base: 'x', proposed: null })).toThrow(ProposalError);
        expect(() => buildProposal({ kind: 'edit', path: 'a.md', base: 'same', proposed: 'same' })).toThrow(
            ProposalError,
        );
    });
});

describe('binding', () => {
    it('changes with any field and cannot be forged by moving text between fields', () => {
        const one = bindingOf({ kind: 'edit', path: 'a.md', base: 'x;S1:y', proposed: 'z' });
        const two = bindingOf({ kind: 'edit', path: 'a.md', base: 'x', proposed: 'y;S1:z' });
        expect(one).not.toBe(two);
        const base = { kind: 'edit' as const, path: 'a.md', base: 'old', proposed: 'new' };
        const bindings = new Set([
            bindingOf(base),
            bindingOf({ ...base, path: 'b.md' }),
            bindingOf({ ...base, base: 'old ' }),
            bindingOf({ ...base, proposed: 'new ' }),
            bindingOf({ ...base, kind: 'create', base: null }),
            bindingOf({ kind: 'rename', path: 'a.md', newPath: 'b.md', base: 'old', proposed: null }),
            bindingOf({ kind: 'rename', path: 'a.md', newPath: 'c.md', base: 'old', proposed: null }),
        ]);
        expect(bindings.size).toBe(7);
    });

    it('tells NFC from NFD and lone surrogates apart', () => {
        const nfc = 'Caf\u00e9';
        expect(bindingOf({ kind: 'create', path: 'a.md', base: null, proposed: nfc })).not.toBe(
            bindingOf({ kind: 'create', path: 'a.md', base: null, proposed: nfc.normalize('NFD') }),
        );
        expect(bindingOf({ kind: 'create', path: 'a.md', base: null, proposed: '\uD800' })).not.toBe(
            bindingOf({ kind: 'create', path: 'a.md', base: null, proposed: '\uDBFF' }),
        );
    });

    it('detects a proposal altered after it was built', () => {
        const proposal = buildProposal({ kind: 'edit', path: 'a.md', base: 'a', proposed: 'b' });
        expect(isProposalIntact(proposal)).toBe(true);
        expect(isProposalIntact({ ...proposal, proposed: 'rm -rf' })).toBe(false);
    });
});

describe('applyHunks', () => {
    const base = lines(40);
    const proposed = base.replace('line 2\n', 'two\n').replace('line 20\n', 'twenty\n').replace('line 38\n', '');
    const proposal = buildProposal({ kind: 'edit', path: 'a.md', base, proposed });

    it('applies exactly the accepted hunks and leaves the rest as in the base', () => {
        expect(proposal.hunks).toHaveLength(3);
        expect(applyHunks(base, proposal, [0, 1, 2])).toBe(proposed);
        expect(applyHunks(base, proposal, [])).toBe(base);
        expect(applyHunks(base, proposal, [1])).toBe(base.replace('line 20\n', 'twenty\n'));
        expect(applyHunks(base, proposal, [2, 0])).toBe(base.replace('line 2\n', 'two\n').replace('line 38\n', ''));
    });

    it('throws instead of guessing when the base is not the one the hunks came from', () => {
        expect(() => applyHunks(base.replace('line 19', 'nineteen'), proposal, [1])).toThrow(/does not match/);
        expect(() => applyHunks(base, proposal, [7])).toThrow(/no hunk 7/);
    });

    it('keeps every byte for any subset of hunks of any text (CRLF, BOM, NFD, emoji, no final newline)', () => {
        const line = fc.constantFrom('a', 'b', '\uFEFFbom', 'Cafe\u0301', '🙂 emoji', '', '  ', 'x\r', '---');
        const ending = fc.constantFrom('\n', '\r\n', '');
        const text = fc
            .array(fc.tuple(line, ending), { maxLength: 30 })
            .map((parts) => parts.map(([l, e]) => l + e).join(''));
        fc.assert(
            fc.property(text, text, fc.array(fc.nat(20)), (oldText, newText, picks) => {
                const hunks = computeHunks(oldText, newText);
                const p = { hunks } as Parameters<typeof applyHunks>[1];
                expect(
                    applyHunks(
                        oldText,
                        p,
                        hunks.map((h) => h.index),
                    ),
                ).toBe(newText);
                expect(applyHunks(oldText, p, [])).toBe(oldText);
                const chosen = picks.filter((i) => i < hunks.length);
                const partial = applyHunks(oldText, p, chosen);
                // Each hunk either fully applies or leaves its region exactly as in the base.
                const back = computeHunks(oldText, partial);
                expect(back.length).toBeLessThanOrEqual(hunks.length);
                expect(splitLines(partial).join('')).toBe(partial);
            }),
            { numRuns: 300 },
        );
    });

    it('shows a hunk from its two sides alone: the lines kept and removed read as its old side, kept and added as its new', () => {
        const line = fc.constantFrom('a', 'b', '', '  ', '---', '🙂');
        const text = fc.array(line, { maxLength: 25 }).map((lines) => lines.map((l) => `${l}\n`).join(''));
        const sideOf = (display: string[], leaveOut: string): string =>
            display
                .filter((shown) => !shown.startsWith(leaveOut))
                .map((shown) => `${shown.slice(1)}\n`)
                .join('');
        fc.assert(
            fc.property(text, text, (oldText, newText) => {
                for (const hunk of computeHunks(oldText, newText)) {
                    const display = hunkDisplayLines(hunk.oldText, hunk.newText);
                    expect(sideOf(display, '+')).toBe(hunk.oldText);
                    expect(sideOf(display, '-')).toBe(hunk.newText);
                    expect(display.length).toBe(hunk.lines.length);
                }
            }),
            { numRuns: 300 },
        );
    });

    it('handles a 5 MB note with a one-line change quickly and exactly', () => {
        const big = '\uFEFF' + Array.from({ length: 100_000 }, (_, i) => `row ${i} — Cafe\u0301 🙂\r\n`).join('');
        const changed = big.replace('row 50000 —', 'row 50000 (edited) —');
        const started = performance.now();
        const bigProposal = buildProposal({ kind: 'edit', path: 'big.md', base: big, proposed: changed });
        const elapsed = performance.now() - started;
        expect(bigProposal.hunks).toHaveLength(1);
        expect(applyHunks(big, bigProposal, [0])).toBe(changed);
        expect(elapsed).toBeLessThan(5000);
    });
});

describe('rebaseHunks', () => {
    it('re-applies an edit on top of an unrelated change elsewhere in the note', () => {
        const base = lines(30);
        const proposal = buildProposal({
            kind: 'edit',
            path: 'a.md',
            base,
            proposed: base.replace('line 25\n', 'X\n'),
        });
        const theirs = base.replace('line 3\n', 'person wrote this\n');
        expect(rebaseHunks(theirs, proposal.hunks)).toBe(theirs.replace('line 25\n', 'X\n'));
    });

    it('gives up when the person changed the lines the edit touches', () => {
        const base = lines(30);
        const proposal = buildProposal({
            kind: 'edit',
            path: 'a.md',
            base,
            proposed: base.replace('line 25\n', 'X\n'),
        });
        expect(rebaseHunks(base.replace('line 25\n', 'mine\n'), proposal.hunks)).toBeNull();
        expect(rebaseHunks(base + base, proposal.hunks)).toBeNull();
    });
});

describe('wordDiff', () => {
    it('marks the changed words, keeping spaces and newlines exact', () => {
        const spans = wordDiff('The quick brown fox\n', 'The slow brown fox\n');
        expect(spans).toEqual([
            { kind: 'same', text: 'The ' },
            { kind: 'removed', text: 'quick' },
            { kind: 'added', text: 'slow' },
            { kind: 'same', text: ' brown fox\n' },
        ]);
        const old = spans
            .filter((s) => s.kind !== 'added')
            .map((s) => s.text)
            .join('');
        expect(old).toBe('The quick brown fox\n');
    });
});
