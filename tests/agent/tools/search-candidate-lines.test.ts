/**
 * search_notes with a plain query visits only the lines whose lower-cased text holds the query: line numbers, counts,
 * snippets and hidden-link redaction must come out exactly as a line-by-line search of the redacted note would give
 * them, whatever the line endings, a BOM, letters that lower-case to two, or links to excluded notes. Redaction runs
 * on matching lines only, and snippets are made only for the results shown.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as bounded from '../../../src/agent/tools/bounded';
import * as hiddenLinks from '../../../src/context/hidden-links';
import { HIDDEN_LINK } from '../../../src/context/hidden-links';
import { makeToolHarness, type ToolHarness } from './tool-fixtures';

// Pass-through spies: the real functions run, the test counts what they were given.
vi.mock('../../../src/agent/tools/bounded', async (importOriginal) => {
    const actual = await importOriginal<typeof import('../../../src/agent/tools/bounded')>();
    return { ...actual, snippetAround: vi.fn(actual.snippetAround) };
});
vi.mock('../../../src/context/hidden-links', async (importOriginal) => {
    const actual = await importOriginal<typeof import('../../../src/context/hidden-links')>();
    return { ...actual, redactHiddenLinks: vi.fn(actual.redactHiddenLinks) };
});

const snippetAround = vi.mocked(bounded.snippetAround);
const redactHiddenLinks = vi.mocked(hiddenLinks.redactHiddenLinks);

let h: ToolHarness | undefined;

beforeEach(() => {
    snippetAround.mockClear();
    redactHiddenLinks.mockClear();
});

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

async function search(input: Record<string, unknown>): Promise<string> {
    if (h === undefined) throw new Error('no harness');
    const result = await h.run('search_notes', input);
    expect(result.isError ?? false).toBe(false);
    return result.content;
}

describe('search_notes, plain query: lines', () => {
    it('numbers lines as read_note does with CRLF endings and a BOM on line 1, and shows neither', async () => {
        h = await makeToolHarness({
            'Win.md': '\uFEFFTarget first\r\nbeta\r\n\r\ngamma target here\r\nlast line target',
            'Mixed.md': 'one\ntwo target\r\nthree\r\n\nfive TARGET\n',
        });
        expect(await search({ query: 'target' })).toBe(
            [
                '5 matches in 2 notes for text "target":',
                'Mixed.md:2: two target',
                'Mixed.md:5: five TARGET',
                'Win.md:1: Target first',
                'Win.md:4: gamma target here',
                'Win.md:5: last line target',
            ].join('\n'),
        );
        // A query at the very start of the note (after the BOM) and at the very end.
        expect(await search({ query: 'target first' })).toBe(
            '1 match in 1 note for text "target first":\nWin.md:1: Target first',
        );
        expect(await search({ query: 'line target' })).toBe(
            '1 match in 1 note for text "line target":\nWin.md:5: last line target',
        );
        // The line ends before its CR: a query across the line break matches nothing.
        expect(await search({ query: 'first\r\nbeta' })).toBe('No matches for text "first\\r\\nbeta".');
    });

    it('keeps the end of a long CRLF line out of its snippet and the snippet around the match', async () => {
        const long = `${'a'.repeat(300)} needle ${'b'.repeat(300)}`;
        h = await makeToolHarness({ 'Long.md': `\uFEFFintro\r\n${long}\r\nend\r\n` });
        const out = (await search({ query: 'NEEDLE' })).split('\n');
        expect(out[0]).toBe('1 match in 1 note for text "NEEDLE":');
        expect(out[1]).toMatch(/^Long\.md:2: …a+ needle b+…$/u);
        expect(out).toHaveLength(2);
        // A line of exactly the snippet size is shown whole: its CR does not count.
        const exact = `${'x'.repeat(194)}needle`;
        await h.temp.write('Long.md', `\uFEFF${exact}\r\nend\r\n`);
        expect(await search({ query: 'NEEDLE' })).toBe(`1 match in 1 note for text "NEEDLE":\nLong.md:1: ${exact}`);
    });

    it('counts a line with several hits once', async () => {
        h = await makeToolHarness({ 'A.md': 'todo todo TODO and todo\nnothing\ntodo once\ntodotodo\n' });
        expect(await search({ query: 'todo' })).toBe(
            [
                '3 matches in 1 note for text "todo":',
                'A.md:1: todo todo TODO and todo',
                'A.md:3: todo once',
                'A.md:4: todotodo',
            ].join('\n'),
        );
    });

    it('stops once the page is full and says more follow, showing only limit lines and making only their snippets', async () => {
        const many = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `item ${i} Item again` : `other ${i}`));
        h = await makeToolHarness({
            'A.md': many.join('\n'),
            'B.md': 'item\nitem\nitem\n',
            'C.md': 'nothing here\n',
            'D.md': 'the last item',
        });
        const out = (await search({ query: 'ITEM', limit: 3 })).split('\n');
        expect(out).toEqual([
            'More than 3 matches for text "ITEM" (1–3; the search stops once a page is full, so the total is not counted):',
            'A.md:1: item 0 Item again',
            'A.md:4: item 3 Item again',
            'A.md:7: item 6 Item again',
            '[more matches — call again with offset=3]',
        ]);
        expect(snippetAround).toHaveBeenCalledTimes(3);
    });

    it('counts every match exactly on the page that reaches the last note', async () => {
        const many = Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? `item ${i} Item again` : `other ${i}`));
        h = await makeToolHarness({
            'A.md': many.join('\n'),
            'B.md': 'item\nitem\nitem\n',
            'C.md': 'nothing here\n',
            'D.md': 'the last item',
        });
        const out = (await search({ query: 'ITEM', limit: 3, offset: 12 })).split('\n');
        expect(out).toEqual([
            '14 matches in 3 notes for text "ITEM" (13–14 of 14):',
            'B.md:3: item',
            'D.md:1: the last item',
        ]);
    });
});

describe('search_notes, plain query: letters whose lower case is longer ("İ")', () => {
    it('reports the right line numbers and snippets in a note holding "İ"', async () => {
        expect('İ'.toLowerCase()).toHaveLength(2);
        h = await makeToolHarness({
            'Trip.md': 'İİİ İstanbul\r\nno match\r\nİzmir then the target\r\nplain target line\r\nİİ\r\nend target',
        });
        expect(await search({ query: 'target' })).toBe(
            [
                '3 matches in 1 note for text "target":',
                'Trip.md:3: İzmir then the target',
                'Trip.md:4: plain target line',
                'Trip.md:6: end target',
            ].join('\n'),
        );
        expect(await search({ query: 'STANBUL' })).toBe(
            '1 match in 1 note for text "STANBUL":\nTrip.md:1: İİİ İstanbul',
        );
    });

    // The match is found in the lower-cased line, where each "İ" is two characters: its offset is mapped back onto the
    // line as written, or the snippet of a long line would miss the match.
    it('cuts the snippet of a long line around the match even when "İ" comes before it', async () => {
        const long = `${'İ'.repeat(300)} needle ${'x'.repeat(300)}`;
        h = await makeToolHarness({ 'Long.md': `first\n${long}\n` });
        const out = (await search({ query: 'needle' })).split('\n');
        expect(out[0]).toBe('1 match in 1 note for text "needle":');
        expect(out[1]).toMatch(/^Long\.md:2: …İ+ needle x+…$/u);
    });
});

describe('search_notes, plain query: links to excluded notes', () => {
    const FILES = {
        'secretplan.md': '#private\nthe secret plan itself\n',
        'Journal/diary.md': 'dear diary, the plan\n',
        'Public.md': [
            'see [[secretplan]]',
            'the plan: see [[secretplan|my secretplan]] and ![[secretplan]]',
            '[[Journal/diary]]',
            'my diary is in [[Journal/diary]]',
            'a [[Visible]] plan',
        ].join('\n'),
        'Visible.md': 'nothing to see\n',
    };

    it('does not match a line through a hidden link, and shows the placeholder where another match makes it match', async () => {
        h = await makeToolHarness(FILES);
        for (const query of ['secretplan', 'SecretPlan', 'journal/diary', 'see [[secret']) {
            expect(await search({ query })).toBe(`No matches for text ${JSON.stringify(query)}.`);
        }
        const plan = await search({ query: 'plan' });
        expect(plan).toBe(
            [
                '2 matches in 1 note for text "plan":',
                `Public.md:2: the plan: see ${HIDDEN_LINK} and !${HIDDEN_LINK}`,
                'Public.md:5: a [[Visible]] plan',
            ].join('\n'),
        );
        const diary = await search({ query: 'diary' });
        expect(diary).toBe(`1 match in 1 note for text "diary":\nPublic.md:4: my diary is in ${HIDDEN_LINK}`);
        for (const out of [plan, diary]) {
            expect(out).not.toMatch(/secretplan|Journal/iu);
        }
        // The notes the shown lines link to are sources; the hidden ones are not.
        expect((await h.run('search_notes', { query: 'plan' })).sources).toEqual(['Public.md', 'Visible.md']);
    });

    it('does not match the placeholder with a plain query, only the note’s own words (a regex sees the redacted line)', async () => {
        h = await makeToolHarness({ ...FILES, 'Prose.md': 'a hidden note, in prose\nsee [[secretplan]]\n' });
        expect(await search({ query: 'hidden note' })).toBe(
            '1 match in 1 note for text "hidden note":\nProse.md:1: a hidden note, in prose',
        );
        expect(await search({ query: 'hidden note', regex: true })).toContain(`Public.md:1: see ${HIDDEN_LINK}`);
    });

    it('redacts only the lines holding the query', async () => {
        h = await makeToolHarness(FILES);
        await search({ query: 'diary' });
        // Lines 3 and 4 hold "diary"; only they were redacted, one by one.
        expect(redactHiddenLinks.mock.calls.map((call) => call[0])).toEqual([
            '[[Journal/diary]]',
            'my diary is in [[Journal/diary]]',
        ]);
    });

    it('still matches a regular expression against the whole redacted note', async () => {
        h = await makeToolHarness({
            ...FILES,
            'Win.md': '\uFEFFalpha one\r\nbeta two\r\nalpha three [[secretplan]]',
        });
        expect(await search({ query: '^alpha \\w+', regex: true })).toBe(
            [
                '2 matches in 1 note for pattern "^alpha \\\\w+":',
                'Win.md:1: alpha one',
                `Win.md:3: alpha three ${HIDDEN_LINK}`,
            ].join('\n'),
        );
        expect(await search({ query: 'two$', regex: true })).toBe(
            '1 match in 1 note for pattern "two$":\nWin.md:2: beta two',
        );
        expect(await search({ query: 'secret\\w+\\]\\]', regex: true })).toBe(
            'No matches for pattern "secret\\\\w+\\\\]\\\\]".',
        );
        expect(await search({ query: 'plan:.*!\\[\\[', regex: true })).toBe(
            `1 match in 1 note for pattern "plan:.*!\\\\[\\\\[":\nPublic.md:2: the plan: see ${HIDDEN_LINK} and !${HIDDEN_LINK}`,
        );
    });
});
