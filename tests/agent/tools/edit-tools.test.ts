/**
 * docs/RELIABILITY.md row 2 (and the bytes-outside-the-edit part of row 7): a whole-note rewrite needs a full, current
 * read; an anchor must match exactly once. Every refusal leaves the file's bytes identical and never reaches the
 * ChangeController.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { makeToolHarness, numberedLines, type ToolHarness } from './tool-fixtures';

let h: ToolHarness | undefined;

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

async function harness(files: Record<string, string>): Promise<ToolHarness> {
    h = await makeToolHarness(files);
    return h;
}

describe('rewrite_note (docs/RELIABILITY.md row 2)', () => {
    it('refuses to rewrite a note that was never read, and leaves its bytes identical', async () => {
        const t = await harness({ 'Plan.md': 'one\ntwo\n' });
        const before = t.temp.readRaw('Plan.md');
        const result = await t.run('rewrite_note', { path: 'Plan.md', content: 'gone' });
        expect(result.isError).toBe(true);
        expect(result.content).toContain('you have not read "Plan.md"');
        expect(t.temp.readRaw('Plan.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('refuses to rewrite a note only partly read (a range, or the first window of a long note)', async () => {
        const t = await harness({ 'Short.md': numberedLines(10), 'Long.md': numberedLines(1000) });
        await t.run('read_note', { path: 'Short.md', start_line: 1, end_line: 9 });
        await t.run('read_note', { path: 'Long.md' });
        for (const path of ['Short.md', 'Long.md']) {
            const before = t.temp.readRaw(path);
            const result = await t.run('rewrite_note', { path, content: 'replaced' });
            expect(result.isError).toBe(true);
            expect(result.content).toContain(`you have read only part of "${path}"`);
            expect(t.temp.readRaw(path).equals(before)).toBe(true);
        }
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('refuses to rewrite a note that changed since it was read in full', async () => {
        const t = await harness({ 'Plan.md': 'one\ntwo\n' });
        await t.run('read_note', { path: 'Plan.md' });
        await t.temp.write('Plan.md', 'one\ntwo\nthree typed by the person\n');
        const before = t.temp.readRaw('Plan.md');
        const result = await t.run('rewrite_note', { path: 'Plan.md', content: 'mine' });
        expect(result.isError).toBe(true);
        expect(result.content).toContain('"Plan.md" has changed since you read it');
        expect(t.temp.readRaw('Plan.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('rewrites a note read in full, in one read or window by window, after approval of exactly that text', async () => {
        const t = await harness({ 'Plan.md': 'one\ntwo\n', 'Long.md': numberedLines(900) });
        await t.run('read_note', { path: 'Plan.md' });
        const result = await t.run('rewrite_note', { path: 'Plan.md', content: 'one\n2\n' });
        expect(result.isError).toBeUndefined();
        expect(result.content).toBe('Edited "Plan.md".');
        expect(t.temp.readRaw('Plan.md').toString()).toBe('one\n2\n');
        expect(t.approvals.shown[0]?.base).toBe('one\ntwo\n');

        for (const start of [1, 401, 801]) await t.run('read_note', { path: 'Long.md', start_line: start });
        const long = await t.run('rewrite_note', { path: 'Long.md', content: 'short now\n' });
        expect(long.content).toBe('Edited "Long.md".');
    });

    it('needs a fresh read before a second rewrite, since the approved text may differ from the proposal', async () => {
        const t = await harness({ 'Plan.md': 'one\n' });
        await t.run('read_note', { path: 'Plan.md' });
        await t.run('rewrite_note', { path: 'Plan.md', content: 'two\n' });
        const again = await t.run('rewrite_note', { path: 'Plan.md', content: 'three\n' });
        expect(again.isError).toBe(true);
        expect(t.temp.readRaw('Plan.md').toString()).toBe('two\n');
    });
});

describe('edit_note anchors (docs/RELIABILITY.md row 2)', () => {
    it('refuses an anchor that matches nowhere, naming the edit and the count, file untouched', async () => {
        const t = await harness({ 'Plan.md': 'alpha\nbeta\ngamma\n' });
        const before = t.temp.readRaw('Plan.md');
        const result = await t.run('edit_note', {
            path: 'Plan.md',
            edits: [
                { old: 'alpha', new: 'ALPHA' },
                { old: 'delta', new: 'DELTA' },
            ],
        });
        expect(result.isError).toBe(true);
        expect(result.content).toContain('Edit 2 of 2: its "old" text matches 0 times in "Plan.md"');
        expect(result.content).toContain('Nothing was changed.');
        expect(t.temp.readRaw('Plan.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('refuses an anchor that matches twice, file untouched', async () => {
        const t = await harness({ 'Plan.md': '- [ ] task\n- [ ] task\n' });
        const before = t.temp.readRaw('Plan.md');
        const result = await t.run('edit_note', { path: 'Plan.md', edits: [{ old: '- [ ] task', new: '- [x] task' }] });
        expect(result.isError).toBe(true);
        expect(result.content).toContain(
            'The edit: its "old" text matches 2 times in "Plan.md"; it must match exactly once',
        );
        expect(t.temp.readRaw('Plan.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('applies several anchored edits to the same base, keeping every other byte (CRLF, BOM, emoji)', async () => {
        const base = '\uFEFF# Title 🦓\r\nfirst line\r\nsecond line\r\nthird line\r\n';
        const t = await harness({ 'Crlf.md': base });
        const result = await t.run('edit_note', {
            path: 'Crlf.md',
            edits: [
                { old: 'third line', new: 'third LINE' },
                { old: 'first line\nsecond', new: 'first\nand second' },
            ],
        });
        expect(result.content).toBe('Edited "Crlf.md".');
        expect(t.temp.readRaw('Crlf.md').toString()).toBe(
            '\uFEFF# Title 🦓\r\nfirst\r\nand second line\r\nthird LINE\r\n',
        );
    });

    it('refuses overlapping edits', async () => {
        const t = await harness({ 'Plan.md': 'abcdef\n' });
        const result = await t.run('edit_note', {
            path: 'Plan.md',
            edits: [
                { old: 'abcd', new: 'x' },
                { old: 'cdef', new: 'y' },
            ],
        });
        expect(result.content).toContain('Edits 1 and 2 overlap');
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('tells the model the person declined, and leaves the note as it was', async () => {
        h = await makeToolHarness({ 'Plan.md': 'alpha\n' }, { answer: () => ({ kind: 'deny', reason: 'not now' }) });
        const result = await h.run('edit_note', { path: 'Plan.md', edits: [{ old: 'alpha', new: 'beta' }] });
        expect(result.content).toContain('The person declined the change to "Plan.md"; nothing was changed.');
        expect(h.temp.readRaw('Plan.md').toString()).toBe('alpha\n');
    });
});
