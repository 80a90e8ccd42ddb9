/**
 * The parser's and redaction's line scans take time in proportion to the line (a pasted line of `[[`, of backtick
 * runs, of spaces after `[x](` or `#`, must not hold a read or a search for minutes), and read what the patterns they
 * replaced read. Each oracle below is the earlier pattern or loop, kept here on short inputs where it is fast.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MARKDOWN_LINK, markdownDestinations, outsideLinks, wikilinks } from '../../src/vault/link-spans';
import { codeSpans, scanLinks } from '../../src/vault/links';
import { splitInlineCode } from '../../src/vault/markdown-code';
import { parseNote } from '../../src/vault/note-parser';
import type { LinkReference } from '../../src/kernel/vault-port';

const text = (pieces: string[]): fc.Arbitrary<string> =>
    fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((parts) => parts.join(''));

describe('the same reading as before', () => {
    it('wikilinks: as /(!?)\\[\\[([^\\]\\n]+?)\\]\\]/g', () => {
        fc.assert(
            fc.property(text(['[[', ']]', '[', ']', '!', 'a', ' ', '\n', '|', '#']), (line) => {
                const old = [...line.matchAll(/(!?)\[\[([^\]\n]+?)\]\]/g)].map((m) => ({
                    start: m.index,
                    end: m.index + m[0].length,
                    embed: m[1] === '!',
                    inner: m[2],
                }));
                expect(wikilinks(line)).toEqual(old);
            }),
            { numRuns: 1000 },
        );
    });

    it('code spans: a run closed by the next run of the same length', () => {
        const oracle = (line: string): [number, number][] | null => {
            const runs = [...line.matchAll(/`+/g)].map((m) => [m.index, m[0].length] as const);
            let spans: [number, number][] | null = null;
            for (let i = 0; i < runs.length; i++) {
                for (let j = i + 1; j < runs.length; j++) {
                    if (runs[j]?.[1] === runs[i]?.[1]) {
                        (spans ??= []).push([runs[i]?.[0] ?? 0, (runs[j]?.[0] ?? 0) + (runs[j]?.[1] ?? 0)]);
                        i = j;
                        break;
                    }
                }
            }
            return spans;
        };
        fc.assert(
            fc.property(text(['`', '``', '```', 'a', ' ', '\\']), (line) => {
                expect(codeSpans(line)).toEqual(oracle(line));
                // The renderer's split gives back the line, its code spans where `codeSpans` finds them when unescaped.
                const parts = splitInlineCode(line);
                expect(parts.map((p) => (p.code ? p.ticks + p.content + p.ticks : p.text)).join('')).toBe(line);
            }),
            { numRuns: 1000 },
        );
    });

    it('headings: as /^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$/', () => {
        const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
        fc.assert(
            fc.property(text(['#', '##', ' ', '\t', 'a', '\\', '#b']), (line) => {
                const m = HEADING.exec(line);
                const expected = m === null ? [] : [[m[1]?.length, (m[2] ?? '').trim()]];
                // A line the indented-code reading calls code has no heading either way. A heading of `#`s alone is
                // empty, as CommonMark reads `### ###` (the pattern made the last `#`s its text).
                if (/^(?: {4}|\t| {1,3}\t)/.test(line) || /^ {0,3}#{1,6}[ \t]+#+[ \t]*$/.test(line)) return;
                expect(parseNote(line).headings.map((h) => [h.level, h.heading])).toEqual(expected);
            }),
            { numRuns: 1000 },
        );
    });

    it('Markdown links: as before, for titles without nested parentheses and destinations without `<`', () => {
        const OLD = /(!?)\[([^[\]]*)\]\(\s*(<[^>\n]*>|[^\s()]+)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
        fc.assert(
            fc.property(text(['[', ']', '](', ')', ' (t)', ' "t"', " 't'", 'a', ' ', '!', '"', "'"]), (line) => {
                const oldLinks = [...line.matchAll(OLD)].map((m) => m[0]);
                const sink = { links: [] as LinkReference[], embeds: [] as LinkReference[] };
                scanLinks(line, 0, null, sink, []);
                // Wikilinks are the other scan's (checked above); a Markdown link's text holds no bracket.
                const found = [...sink.links, ...sink.embeds]
                    .map((l) => l.original)
                    .filter((original) => !original.startsWith('[[') && !original.startsWith('![['));
                // `scanLinks` drops links that leave the vault; the earlier pattern found them all the same.
                for (const original of found) expect(oldLinks).toContain(original);
            }),
            { numRuns: 1000 },
        );
    });

    it('redaction candidates: every link the earlier pattern found, with its destination among those tried', () => {
        const OLD =
            /(!?)\[([^[\]\n]*)\]\([ \t]*(<[^>\n]*>|[^()\n]+?)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\)/g;
        fc.assert(
            fc.property(text(['[', ']', '](', ')', ' (t)', ' "t"', " 't'", 'a', ' ', '!', 'b c']), (line) => {
                const now = [...line.matchAll(MARKDOWN_LINK)];
                for (const m of line.matchAll(OLD)) {
                    const same = now.find((n) => n.index === m.index && n[0] === m[0]);
                    expect(same).toBeDefined();
                    expect(markdownDestinations(same?.[3] ?? '')).toContain((m[3] ?? '').trim());
                }
            }),
            { numRuns: 1000 },
        );
    });
});

describe('in time proportional to the line', () => {
    // Each of these took from seconds to hours before (the number of steps grew with the square or the cube of the
    // line); now each is read at once. A test's own time limit is what fails here if that comes back.
    it.each([
        ['a line of open wikilinks', '[[a '.repeat(200_000)],
        [
            'backtick runs that close nothing',
            Array.from({ length: 100_000 }, (_, i) => '`'.repeat((i % 50) + 1) + 'x').join(' '),
        ],
        ['spaces after a Markdown link opens', `[a](${' '.repeat(200_000)}`],
        ['spaces after a destination', `[a](b${' '.repeat(200_000)}x`],
        ['open angle destinations', '[a](<'.repeat(200_000)],
        ['open parenthesised titles', '[a](b ('.repeat(200_000)],
        ['spaces inside a heading', `# a${' '.repeat(200_000)}###x`],
    ])('%s', (_name, line) => {
        const note = parseNote(`${line}\n`);
        expect(note.links.length).toBeGreaterThanOrEqual(0);
        expect(outsideLinks(line).length).toBeGreaterThan(0);
        expect(splitInlineCode(line).length).toBeGreaterThan(0);
    });

    // Math and where a shown tag starts: which `$`s close a span is known once per line (and once per paragraph for a
    // span left open), and each mark's partner is looked up once, so openers that never close cost nothing per opener.
    it.each([
        ['dollars that open and never close', 'x $a #t '.repeat(100_000)],
        ['prices around tags', 'cost $5 and #t for $10 '.repeat(40_000)],
        [
            'a paragraph of lines each opening a span',
            Array.from({ length: 50_000 }, (_, i) => `l $a${i} #t`).join('\n'),
        ],
        [
            'a paragraph of lines each opening double dollars',
            Array.from({ length: 50_000 }, (_, i) => `l $$a${i} #t`).join('\n'),
        ],
        ['lone stars before tags', 'a *#t '.repeat(100_000)],
        ['underscores inside words before tags', 'a_#t '.repeat(100_000)],
        ['a long run of backslashes', `${'\\'.repeat(200_000)}#t${' \\\\#t'.repeat(50_000)}`],
        ['quote markers, then greater-than signs in prose', `${'> '.repeat(100_000)}>#t${' >#t'.repeat(50_000)}`],
        ['comments with -- inside, one after another', 'a <!-- x -- y #t '.repeat(60_000)],
        ['comments that never close, one after another', 'a <!-- x #t '.repeat(80_000)],
        [
            'a paragraph of lines each opening a comment',
            Array.from({ length: 50_000 }, (_, i) => `l <!-- a${i} #t`).join('\n'),
        ],
        ['a comment looking for its end through a long paragraph', `a <!-- x\n${'line #t of text\n'.repeat(100_000)}`],
        ['quote and list markers before a comment', `${'> '.repeat(100_000)}- <!-- a --> #t`],
        [
            'header and delimiter rows that never agree on their cells',
            Array.from({ length: 50_000 }, (_, i) => (i % 2 === 0 ? '| a | b | c |#t' : '|---|---|')).join('\n'),
        ],
        ['one header row of a hundred thousand cells', `${'| a '.repeat(100_000)}|\n${'|---'.repeat(99_999)}|\n|#t|`],
        ['a quoted table of fifty thousand rows', `> | a |\n> |---|\n${'> |#t|\n'.repeat(50_000)}`],
    ])('%s', (_name, text) => {
        const note = parseNote(`${text}\n`);
        expect(note.tags).toContain('#t');
    });
});
