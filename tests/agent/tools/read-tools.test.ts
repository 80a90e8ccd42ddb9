/**
 * list_notes, read_note and note_outline on a real vault: line-numbered windows for big notes, bounded listings that
 * say when they were cut, and tool errors (never exceptions) for bad input.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RESULT_CHARS, READ_WINDOW_LINES } from '../../../src/agent/tools/bounded';
import { makeToolHarness, numberedLines, type ToolHarness } from './tool-fixtures';

let h: ToolHarness | undefined;

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

describe('read_note', () => {
    it('shows every line with its 1-based number and says when it is the whole note', async () => {
        h = await makeToolHarness({ 'Plan.md': '# Plan\r\n\r\n- one\r\n' });
        const result = await h.run('read_note', { path: 'Plan' });
        expect(result.content).toBe('Plan.md — lines 1–3 of 3 (the whole note)\n1\t# Plan\n2\t\n3\t- one');
        expect(await h.context.reads.stateOf('Plan.md', '# Plan\r\n\r\n- one\r\n')).toBe('current');
    });

    it('returns the first window of a big note and says how to read on', async () => {
        h = await makeToolHarness({ 'Big.md': numberedLines(1000) });
        const first = await h.run('read_note', { path: 'Big.md' });
        const lines = first.content.split('\n');
        expect(lines[0]).toBe(`Big.md — lines 1–${READ_WINDOW_LINES} of 1000`);
        expect(lines[READ_WINDOW_LINES]).toBe(`${READ_WINDOW_LINES}\tline ${READ_WINDOW_LINES}`);
        expect(lines.at(-1)).toBe(
            `[Lines ${READ_WINDOW_LINES + 1}–1000 not shown. Read on with read_note {"path": "Big.md", "start_line": ${READ_WINDOW_LINES + 1}}.]`,
        );
        expect(await h.context.reads.stateOf('Big.md', numberedLines(1000))).toBe('partial');

        const range = await h.run('read_note', { path: 'Big.md', start_line: 998, end_line: 2000 });
        expect(range.content).toBe('Big.md — lines 998–1000 of 1000\n998\tline 998\n999\tline 999\n1000\tline 1000');
    });

    it('keeps a window within the size bound and cuts an enormous line with a marker', async () => {
        const wide = `${'x'.repeat(200)}\n`.repeat(300);
        const huge = `start\n${'y'.repeat(5_000_000)}\nend\n`;
        h = await makeToolHarness({ 'Wide.md': wide, 'Huge.md': huge });
        const result = await h.run('read_note', { path: 'Wide.md' });
        expect(result.content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
        expect(result.content).toMatch(/\[Lines \d+–300 not shown\. Read on with read_note/u);

        const cut = await h.run('read_note', { path: 'Huge.md' });
        expect(cut.content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
        expect(cut.content).toContain('[line cut: 4,998,000 more characters not shown]');
        expect(cut.content).toContain('3\tend');
        expect(cut.content).toContain('cannot be rewritten whole; use edit_note instead');
        expect(await h.context.reads.stateOf('Huge.md', huge)).toBe('partial');
    });

    it('answers bad ranges and bad input with tool errors', async () => {
        h = await makeToolHarness({ 'Plan.md': 'a\nb\n' });
        const cases: [unknown, string][] = [
            [{ path: 'Plan.md', start_line: 5 }, 'Plan.md has 2 lines; start_line 5 is past the end.'],
            [{ path: 'Plan.md', start_line: 2, end_line: 1 }, 'end_line (1) is before start_line (2).'],
            [{ path: 'Plan.md', start_line: 0 }, 'Invalid input for read_note: start_line must be ≥ 1.'],
            [{ path: 'Plan.md', start_line: 1.5 }, 'Invalid input for read_note: start_line must be a whole number.'],
            [{}, 'Invalid input for read_note: path is required.'],
            [null, 'Invalid input for read_note: input must be an object, not null.'],
        ];
        for (const [input, message] of cases) {
            const result = await h.run('read_note', input);
            expect(result).toEqual({ content: message, isError: true });
        }
    });

    it('refuses a hostile path with the path policy reason before touching the disk', async () => {
        h = await makeToolHarness({ 'Plan.md': 'a\n' });
        for (const path of ['../etc/passwd', '..\\x.md', '/abs.md', '%2e%2e/x.md', 'a\u0000b.md']) {
            const result = await h.run('read_note', { path });
            expect(result.isError, path).toBe(true);
            expect(result.content, path).toContain('Paths must stay inside the vault');
        }
    });

    it('reads an empty note as a full read', async () => {
        h = await makeToolHarness({ 'Empty.md': '' });
        expect((await h.run('read_note', { path: 'Empty.md' })).content).toBe('Empty.md is empty (0 lines).');
        expect(await h.context.reads.stateOf('Empty.md', '')).toBe('current');
    });

    it('refuses files that are not notes', async () => {
        h = await makeToolHarness({ 'img.png': new Uint8Array([137, 80, 78, 71]) });
        const result = await h.run('read_note', { path: 'img.png' });
        expect(result.content).toBe('"img.png" is not a note: these tools work on .md notes only.');
    });
});

describe('list_notes', () => {
    it('lists subfolders with counts, then notes, for one level', async () => {
        h = await makeToolHarness({
            'A.md': '',
            'B.md': '',
            'P/x.md': '',
            'P/Q/y.md': '',
            'R/z.md': '',
            'img.png': '',
        });
        const root = await h.run('list_notes', {});
        expect(root.content).toBe('2 notes and 2 folders in the vault:\nP/ (2 notes)\nR/ (1 note)\nA.md\nB.md');
        const p = await h.run('list_notes', { folder: 'P/' });
        expect(p.content).toBe('1 note and 1 folder in "P":\nP/Q/ (1 note)\nP/x.md');
        const all = await h.run('list_notes', { folder: 'P', recursive: true });
        expect(all.content).toBe('2 notes in "P":\nP/Q/y.md\nP/x.md');
    });

    it('caps a long listing and says how many entries were left out', async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 700; i++) files[`Many/Note ${String(i).padStart(3, '0')}.md`] = '';
        h = await makeToolHarness(files);
        const result = await h.run('list_notes', { folder: 'Many' });
        expect(result.content.length).toBeLessThanOrEqual(MAX_RESULT_CHARS);
        expect(result.content.split('\n')[0]).toBe('700 notes and 0 folders in "Many" (1–500 of 700):');
        expect(result.content).toContain('Many/Note 499.md');
        expect(result.content).not.toContain('Many/Note 500.md');
        expect(result.content.split('\n').at(-1)).toBe('[200 more entries — call again with offset=500]');
    });
});

describe('note_outline', () => {
    it('lists the headings with 1-based line numbers', async () => {
        h = await makeToolHarness({ 'Doc.md': '---\na: 1\n---\n# Top\ntext\n## Sub\n```\n# not a heading\n```\n' });
        const result = await h.run('note_outline', { path: 'Doc.md' });
        expect(result.content).toBe('2 headings in Doc.md (line number, then heading):\n4\t# Top\n6\t## Sub');
    });
});

describe('optional fields sent as null', () => {
    it('treats null optional fields as omitted, as some clients send them', async () => {
        h = await makeToolHarness({ 'A.md': 'a\n' });
        const result = await h.run('list_notes', { folder: null, recursive: null });
        expect(result.content).toBe('1 note and 0 folders in the vault:\nA.md');
        const read = await h.run('read_note', { path: 'A.md', start_line: null, end_line: null });
        expect(read.content).toBe('A.md — lines 1–1 of 1 (the whole note)\n1\ta');
        expect((await h.run('read_note', { path: null })).content).toBe(
            'Invalid input for read_note: path must be a string, not null.',
        );
    });
});

describe('list_notes counts', () => {
    it('tells notes hidden by the privacy settings apart from notes whose tags are not known', async () => {
        h = await makeToolHarness({
            'Plan.md': '# Plan\n',
            'Diary.md': 'Today #private\n',
            'Broken.md': '---\ntags: [unclosed\n---\nbody\n',
        });
        const listed = await h.run('list_notes', {});
        expect(listed.content).toContain('Plan.md');
        expect(listed.content).not.toMatch(/Diary|Broken/u);
        expect(listed.content).toContain('(1 note is excluded by the privacy settings and not shown.)');
        expect(listed.content).toContain(
            '(1 note is not shown until its tags are known: not read yet (list again in a moment), too large to ' +
                'read, or a frontmatter that cannot be read.)',
        );
    });
});
