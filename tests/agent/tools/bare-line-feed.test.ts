/**
 * The check that decides whether an anchor typed with bare `\n` is turned into CRLF for a CRLF note. It used to be a
 * lookbehind regex, which iOS before 16.4 cannot load; the lookbehind-free one must say the same for every text. The
 * old regex lives only here, as the reference (tests run on Node, which has lookbehind).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyAnchoredEdits, hasBareLineFeed } from '../../../src/agent/tools/anchored-edits';

const OLD_BARE_LF = new RegExp(['(?', '<!\\r)\\n'].join(''), 'u');

describe('hasBareLineFeed without lookbehind', () => {
    it.each([
        ['', false],
        ['\n', true],
        ['\n\n', true],
        ['\r\n', false],
        ['\r', false],
        ['\r\r\n', false],
        ['\r\n\n', true],
        ['\n\r', true],
        ['a\r\nb\r\nc', false],
        ['a\r\nb\nc', true],
        ['\r\n\r\n', false],
        ['\u{1F600}\n', true],
        ['\uD800\n', true],
        ['\uDC00\n', true],
    ])('%j → %s, as the lookbehind regex says', (text, expected) => {
        expect(hasBareLineFeed(text)).toBe(expected);
        expect(OLD_BARE_LF.test(text)).toBe(expected);
    });

    it('agrees with the lookbehind regex on any text of line breaks and other characters', () => {
        const piece = fc.oneof(
            fc.constantFrom('\r', '\n', '\r\n', 'a', ' ', '\u{1F600}', '\uD800', '\uDC00', 'é'),
            fc.string(),
        );
        fc.assert(
            fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
                const text = pieces.join('');
                expect(hasBareLineFeed(text)).toBe(OLD_BARE_LF.test(text));
            }),
            { numRuns: 2000 },
        );
    });

    it('still writes a bare-LF anchor with the note’s CRLF line endings, and leaves a CRLF one alone', () => {
        const note = 'one\r\ntwo\r\nthree\r\n';
        expect(applyAnchoredEdits(note, [{ old: 'one\ntwo', new: 'uno\ndos' }], 'n')).toEqual({
            ok: true,
            text: 'uno\r\ndos\r\nthree\r\n',
        });
        expect(applyAnchoredEdits(note, [{ old: 'two\r\nthree', new: 'dos\r\ntres' }], 'n')).toEqual({
            ok: true,
            text: 'one\r\ndos\r\ntres\r\n',
        });
    });
});
