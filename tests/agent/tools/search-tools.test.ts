/**
 * search_notes and notes_with_tag: case-insensitive substring by default, regex on request within safety bounds,
 * results as "path:line: snippet" with bounded snippets, and cut results that say how many more there were.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_RESULT_CHARS, MAX_SNIPPET_CHARS } from '../../../src/agent/tools/bounded';
import { SEARCH_TIME_BUDGET_MS, searchNotesTool } from '../../../src/agent/tools/search-tools';
import { ExclusionGate } from '../../../src/context/exclusions';
import { VaultError } from '../../../src/kernel/vault-port';
import { makeToolHarness, TEST_PRIVACY, type ToolHarness } from './tool-fixtures';

let h: ToolHarness | undefined;

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

describe('search_notes', () => {
    it('finds a substring case-insensitively and reports path:line: snippet', async () => {
        h = await makeToolHarness({ 'A.md': 'intro\nThe Quarterly plan\n', 'B/C.md': 'no\nno\nquarterly review\n' });
        const result = await h.run('search_notes', { query: 'QUARTERLY' });
        expect(result.content).toBe(
            '2 matches in 2 notes for text "QUARTERLY":\nA.md:2: The Quarterly plan\nB/C.md:3: quarterly review',
        );
        const inFolder = await h.run('search_notes', { query: 'quarterly', folder: 'B' });
        expect(inFolder.content).toBe('1 match in 1 note for text "quarterly" in "B":\nB/C.md:3: quarterly review');
    });

    it('matches a regular expression when asked to', async () => {
        h = await makeToolHarness({ 'Tasks.md': '- [ ] open one\n- [x] done\n- [ ] open two\n' });
        const result = await h.run('search_notes', { query: '^- \\[ \\] open \\w+$', regex: true });
        expect(result.content).toBe(
            '2 matches in 1 note for pattern "^- \\\\[ \\\\] open \\\\w+$":\nTasks.md:1: - [ ] open one\nTasks.md:3: - [ ] open two',
        );
    });

    it('runs patterns that backtrack forever elsewhere in linear time, and refuses what needs backtracking', async () => {
        h = await makeToolHarness({ 'A.md': `${'a'.repeat(5000)}!\n` });
        for (const query of ['(a+)+$', '(a|aa)*$', '(\\w+\\s?)*$', '.*a.*b.*c', '(a?){25}a{25}b']) {
            const started = Date.now();
            const result = await h.run('search_notes', { query, regex: true });
            expect(result.isError === true, query).toBe(false);
            expect(Date.now() - started, query).toBeLessThan(1000);
        }
        expect((await h.run('search_notes', { query: '(a+)+!', regex: true })).content).toMatch(/^1 match in 1 note/u);
        for (const query of ['(x)\\1', 'a(?=b)', '([a-z]']) {
            const result = await h.run('search_notes', { query, regex: true });
            expect(result.isError, query).toBe(true);
            expect(result.content, query).toMatch(/^Regex refused: /u);
        }
    });

    it('stays fast on a long line with an allowed two-repeat pattern', async () => {
        h = await makeToolHarness({ 'A.md': `${'a'.repeat(200_000)}\n` });
        const started = Date.now();
        const result = await h.run('search_notes', { query: 'a.*b.*c', regex: true });
        expect(result.content).toBe('No matches for pattern "a.*b.*c".');
        expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('cuts results at the limit and says how many more matched', async () => {
        const lines = Array.from({ length: 400 }, (_, i) => `todo item ${i}`).join('\n');
        h = await makeToolHarness({ 'Todo.md': lines });
        const result = await h.run('search_notes', { query: 'todo', limit: 10 });
        const out = result.content.split('\n');
        expect(out[0]).toBe('400 matches in 1 note for text "todo" (1–10 of 400):');
        expect(out).toHaveLength(12);
        expect(out.at(-1)).toBe('[390 more matches — call again with offset=10]');
    });

    it('bounds snippets of long lines around the match and the whole result in size', async () => {
        const long = `${'lorem '.repeat(1000)}NEEDLE${' ipsum'.repeat(1000)}`;
        const files: Record<string, string> = {};
        for (let i = 0; i < 150; i++) files[`N${i}.md`] = `${long}\n`;
        h = await makeToolHarness(files);
        const result = await h.run('search_notes', { query: 'needle', limit: 200 });
        expect(result.content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
        const first = result.content.split('\n')[1] ?? '';
        const snippet = first.slice(first.indexOf(': ') + 2);
        expect(snippet).toContain('NEEDLE');
        expect(snippet.length).toBeLessThanOrEqual(MAX_SNIPPET_CHARS + 2);
        expect(result.content).toMatch(/\[\d+ more matches — call again with offset=\d+\]$/u);
    });

    it('answers bad input with tool errors', async () => {
        h = await makeToolHarness({});
        expect((await h.run('search_notes', { query: '' })).content).toBe(
            'Invalid input for search_notes: query must not be empty.',
        );
        expect((await h.run('search_notes', { query: 'x', limit: 1000 })).content).toBe(
            'Invalid input for search_notes: limit must be ≤ 200.',
        );
        expect((await h.run('search_notes', { query: 'x', regex: 'yes' })).content).toBe(
            'Invalid input for search_notes: regex must be true or false, not a string.',
        );
        expect((await h.run('search_notes', { query: 'x', folder: '../up' })).isError).toBe(true);
    });

    it('judges notes only as far as it searches: a page filled in the first notes leaves the rest unread', async () => {
        // The harness's vault is opened as the MCP server opens it: every note listed, none read until touched.
        h = await makeToolHarness({
            'A.md': 'The meeting.\n',
            'B.md': 'Another meeting.\n',
            'C.md': '#private\nA private meeting.\n',
            ...Object.fromEntries(
                Array.from({ length: 100 }, (_, i) => [`M/${String(i).padStart(3, '0')}.md`, 'Filler.\n']),
            ),
            'Z.md': 'Nothing to see.\n',
        });
        const paged = await h.run('search_notes', { query: 'meeting', limit: 1 });
        expect(paged.content.split('\n')[0]).toBe(
            'More than 1 match for text "meeting" (1–1; the search stops once a page is full, so the total is not counted):',
        );
        // Z.md, a hundred notes further on, was neither judged nor read: rewritten behind the vault's back, it is read
        // only now.
        await h.temp.write('Z.md', 'Now #tagged.\n');
        expect(h.context.vault.metadata('Z.md')?.tags).toEqual(['#tagged']);
        // When every note after the page's last is excluded, the count is whole: C.md neither shows nor counts.
        const whole = await h.run('search_notes', { query: 'meeting', limit: 2 });
        expect(whole.content.split('\n')[0]).toBe('2 matches in 2 notes for text "meeting":');
    });
});

describe('search_notes and a note it cannot read just now', () => {
    it('searches the other notes, says how many it left out, and names that note nowhere', async () => {
        h = await makeToolHarness({
            'A.md': 'quarterly plan\n',
            'Busy.md': 'quarterly busy\n',
            'C.md': 'quarterly review\n',
        });
        // Stands for a note another program rewrites all along (`FsVault.read` gives up after 3 s, decision 0036) or
        // one the disk refuses; the built server meets the first in tests/cli/mcp-half-written.test.ts.
        const read = h.context.vault.read.bind(h.context.vault);
        vi.spyOn(h.context.vault, 'read').mockImplementation(async (path) => {
            if (path === 'Busy.md') throw new VaultError('io', '"Busy.md" is being written right now.', path);
            return read(path);
        });
        for (const regex of [false, true]) {
            const result = await h.run('search_notes', { query: 'quarterly', regex });
            expect(result.isError ?? false).toBe(false);
            expect(result.content).toBe(
                `2 matches in 2 notes for ${regex ? 'pattern' : 'text'} "quarterly":\nA.md:1: quarterly plan\n` +
                    'C.md:1: quarterly review\n[1 note could not be read just now and was not searched: another ' +
                    'program may be writing it. Ask again in a moment.]',
            );
        }
        const none = await h.run('search_notes', { query: 'busy' });
        expect(none.content).toBe(
            'No matches for text "busy".\n[1 note could not be read just now and was not searched: another program ' +
                'may be writing it. Ask again in a moment.]',
        );
    });
});

describe('notes_with_tag', () => {
    it('finds frontmatter and inline tags, nested tags included, case-insensitively', async () => {
        h = await makeToolHarness({
            'A.md': '---\ntags: [Project]\n---\n',
            'B.md': 'inline #project/alpha here\n',
            'C.md': '#projects is another tag\n',
        });
        const result = await h.run('notes_with_tag', { tag: '#project' });
        expect(result.content).toBe('2 notes tagged #project:\nA.md (#Project)\nB.md (#project/alpha)');
        expect((await h.run('notes_with_tag', { tag: 'two words' })).isError).toBe(true);
    });
});

describe('search_notes time bound', () => {
    it('stops the largest pattern allowed on a huge line at the time budget and says how far it got', async () => {
        h = await makeToolHarness({ 'A.md': `${'é'.repeat(4_000_000)}\n`, 'B.md': 'aaa\n' });
        const query = '\\pL{1000}\\pL{1000}\\pL{1000}\\pL{999}!';
        const started = Date.now();
        const result = await h.run('search_notes', { query, regex: true });
        expect(Date.now() - started).toBeLessThan(SEARCH_TIME_BUDGET_MS + 2_000);
        expect(result.content).toBe(
            `No matches for pattern ${JSON.stringify(query)}.\n[Search stopped after 3 s, having searched 1 of 2 ` +
                'notes; narrow it with folder or a more specific query.]',
        );
    });

    it('does not count the time taken to judge notes against the budget, only the time to search them', async () => {
        // Judging a note on a vault just opened can mean taking it into the index: here every judgement takes 2 ms,
        // so judging the 1,600 notes takes longer than the whole budget, while searching them takes a moment.
        const files: Record<string, string> = {};
        for (let i = 0; i < 1_600; i++) files[`N/${String(i).padStart(4, '0')}.md`] = `note ${i}\n`;
        h = await makeToolHarness({ ...files, 'Z.md': 'the needle\n' });
        const vault = h.temp.vault;
        const slow = new Proxy(vault, {
            get(target, key, receiver) {
                if (key !== 'tagsOf') return Reflect.get(target, key, receiver) as unknown;
                return (path: string) => {
                    const until = performance.now() + 2;
                    while (performance.now() < until) continue;
                    return target.tagsOf(path);
                };
            },
        });
        const gate = new ExclusionGate({ vault: slow, privacy: TEST_PRIVACY });
        const result = await searchNotesTool.run({ query: 'needle' }, { ...h.context, gate });
        expect(result.content).toBe('1 match in 1 note for text "needle":\nZ.md:1: the needle');
    }, 20_000);
});
