/**
 * An `@` glued to a word is not a mention. That used to be a lookbehind in the mention regex, built when the module
 * loads, so iOS before 16.4 could not load the plugin at all; now the character before the `@` is checked in code.
 * These compare the parser with the old lookbehind regex, which lives only here as the reference (tests run on Node).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMentions } from '../../src/context/mention-parser';

/** The mention regex as it was, lookbehind included (its opening spelled in parts so no source holds the text). */
const OLD_MENTION = new RegExp(
    [
        ['(?', '<!'].join('') + String.raw`[\p{L}\p{N}_.@])@(?:`,
        String.raw`\[\[([^\]\n]+?)\]\]`,
        String.raw`|#([\p{L}\p{N}_/-]*[\p{L}\p{N}_-])`,
        String.raw`|((?:[^\s@#[\]|/]+\/)+)(?=$|[\s,;:!?)]|\.(?:\s|$))`,
        ')',
    ].join(''),
    'gu',
);

interface Found {
    start: number;
    end: number;
    raw: string;
    kind: string;
}

/** What the old regex found: where, the text, and which kind of mention (a wikilink may be a note or a folder). */
function oldMentions(text: string): Found[] {
    return [...text.matchAll(OLD_MENTION)].map((m) => ({
        start: m.index,
        end: m.index + m[0].length,
        raw: m[0],
        kind: m[1] !== undefined ? 'wikilink' : m[2] !== undefined ? 'tag' : 'folder',
    }));
}

function newMentions(text: string): Found[] {
    return parseMentions(text).map((m) => ({
        start: m.range.start,
        end: m.range.end,
        raw: m.raw,
        kind: m.kind === 'tag' ? 'tag' : m.raw.startsWith('@[[') ? 'wikilink' : m.kind,
    }));
}

describe('the @ of a mention, without lookbehind', () => {
    it.each([
        ['@#tag at the start', 1],
        ['me@example.com/', 0],
        ['x@#tag', 0],
        ['7@#tag', 0],
        ['_@#tag', 0],
        ['.@#tag', 0],
        ['@@#tag', 0],
        ['é@#tag', 0],
        ['日@#tag', 0],
        ['\u{1D400}@#tag', 0],
        ['\u{1F600}@#tag', 1],
        ['\uD835@#tag', 1],
        ['(@#tag)', 1],
        ['-@#tag', 1],
        [' @#tag', 1],
        ['\n@[[Note]]', 1],
        ['@[[a]]@[[b]]', 2],
        ['@#a@#b', 1],
        ['@Folder/@Other/', 1],
        ['@[[a]]x@[[b]] @#c', 2],
    ])('%j has %i mention(s), as the lookbehind regex says', (text, count) => {
        expect(newMentions(text)).toEqual(oldMentions(text));
        expect(newMentions(text)).toHaveLength(count);
    });

    it('agrees with the lookbehind regex on any text of mention pieces', () => {
        const piece = fc.oneof(
            fc.constantFrom('@', '@#', '@[[', ']]', '#', '/', 'a', '7', '_', '.', ' ', '\n', 'é', '\u{1D400}'),
            fc.constantFrom('\u{1F600}', '\uD835', '|', ',', ')', 'tag', 'Folder/', '[[Note]]', '^b', '-'),
            fc.string({ maxLength: 4 }),
        );
        fc.assert(
            fc.property(fc.array(piece, { maxLength: 16 }), (pieces) => {
                const text = pieces.join('');
                expect(newMentions(text)).toEqual(oldMentions(text));
            }),
            { numRuns: 3000 },
        );
    });
});
