/**
 * docs/RELIABILITY.md row 12 through the tools: a visible note that links or embeds excluded notes is read, outlined
 * and searched with a placeholder where each such link was; writes stay correct although the model never saw those
 * links (rows 2 and 7: a rewrite that would destroy them is refused, anchored edits keep their bytes).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HIDDEN_EMBED, HIDDEN_LINK } from '../../../src/context/hidden-links';
import { makeToolHarness, numberedLines, type ToolHarness } from './tool-fixtures';

const PRIVATE_NOTES: Record<string, string> = {
    'Notes/Quokka.md': '---\ntags: [private]\n---\n# Quokka\n## Secret heading\nthe block ^b1\n',
    'Notes/Okapi.md': 'Inline #private/health note.\n',
    'Journal/Tapir.md': 'In an excluded folder.\n',
};
const PRIVATE_NAMES = ['Quokka', 'Okapi', 'Tapir', 'Journal'];

const LINKING =
    '# Links [[Okapi]]\n' +
    'Whole: ![[Quokka]]\n' +
    'Heading: ![[Quokka#Secret heading]]\n' +
    'Block: ![[Quokka^b1]]\n' +
    'Alias: [[Okapi|my doctor]] and [day](Journal/Tapir.md)\n' +
    'Visible: [[Plain]]\n';

let h: ToolHarness | undefined;

afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

async function harness(files: Record<string, string>): Promise<ToolHarness> {
    h = await makeToolHarness({ ...PRIVATE_NOTES, 'Plain.md': 'Nothing hidden here.\n', ...files });
    return h;
}

function expectNoPrivateName(text: string): void {
    for (const name of PRIVATE_NAMES) expect(text).not.toContain(name);
    expect(text).not.toContain('my doctor');
}

describe('reading a note that links to hidden notes (docs/RELIABILITY.md row 12)', () => {
    it('shows every link form to a hidden note as the placeholder, on the same line numbers', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const result = await t.run('read_note', { path: 'Links.md' });
        expectNoPrivateName(result.content);
        expect(result.content).toContain(`1\t# Links ${HIDDEN_LINK}\n`);
        expect(result.content).toContain(`2\tWhole: ${HIDDEN_EMBED}\n`);
        expect(result.content).toContain(`3\tHeading: ${HIDDEN_EMBED}\n`);
        expect(result.content).toContain(`4\tBlock: ${HIDDEN_EMBED}\n`);
        expect(result.content).toContain(`5\tAlias: ${HIDDEN_LINK} and ${HIDDEN_LINK}\n`);
        expect(result.content).toContain('6\tVisible: [[Plain]]');
        expect(result.content).toContain('cannot be rewritten whole');
    });

    it('redacts in every window of a long note, not only the first', async () => {
        const t = await harness({ 'Long.md': `${numberedLines(600)}tail [[Quokka]]\n` });
        const second = await t.run('read_note', { path: 'Long.md', start_line: 401 });
        expect(second.content).toContain(`601\ttail ${HIDDEN_LINK}`);
        expectNoPrivateName(second.content);
    });

    it('redacts links in headings shown by note_outline', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const outline = await t.run('note_outline', { path: 'Links.md' });
        expect(outline.content).toContain(`1\t# Links ${HIDDEN_LINK}`);
        expectNoPrivateName(outline.content);
    });

    it('does not mention placeholders for a note without hidden links', async () => {
        const t = await harness({});
        const result = await t.run('read_note', { path: 'Plain.md' });
        expect(result.content).not.toContain(HIDDEN_LINK);
    });
});

describe('searching notes that link to hidden notes (docs/RELIABILITY.md row 12)', () => {
    it('shows snippets with the placeholder', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const result = await t.run('search_notes', { query: 'whole' });
        expect(result.content).toContain(`Links.md:2: Whole: ${HIDDEN_EMBED}`);
        const everything = await t.run('search_notes', { query: '.*', regex: true, limit: 200 });
        expectNoPrivateName(everything.content);
        expect(everything.content).toContain(`Links.md:5: Alias: ${HIDDEN_LINK} and ${HIDDEN_LINK}`);
    });

    it('finds nothing for a name that occurs only inside hidden links, exactly as for a name that is nowhere', async () => {
        const t = await harness({ 'Links.md': LINKING });
        for (const query of ['Quokka', 'Okapi', 'my doctor', 'Secret heading', 'b1', 'Journal/Tapir']) {
            const result = await t.run('search_notes', { query });
            expect(result.content).toBe(`No matches for text ${JSON.stringify(query)}.`);
        }
        const pattern = await t.run('search_notes', { query: 'Quok+a', regex: true });
        expect(pattern.content).toBe('No matches for text "Quok+a".'.replace('text', 'pattern'));
    });

    it('still finds a private name written as plain prose in a public note (it is not a link, so not redacted)', async () => {
        // Documented limit: prose cannot be told apart from a reference, so it goes out as the person wrote it.
        const t = await harness({ 'Zoo.md': 'We saw a Quokka today.\n' });
        const result = await t.run('search_notes', { query: 'quokka' });
        expect(result.content).toContain('Zoo.md:1: We saw a Quokka today.');
    });
});

describe('changing a note that links to hidden notes (docs/RELIABILITY.md rows 2 and 7)', () => {
    it('refuses rewrite_note even after a full read, since a rewrite would destroy the hidden links', async () => {
        const t = await harness({ 'Links.md': LINKING });
        await t.run('read_note', { path: 'Links.md' });
        const before = t.temp.readRaw('Links.md');
        const result = await t.run('rewrite_note', { path: 'Links.md', content: 'All new.\n' });
        expect(result.isError).toBe(true);
        expect(result.content).toContain('links to notes hidden by the privacy settings');
        expect(result.content).toContain('Use edit_note with anchors');
        expectNoPrivateName(result.content);
        expect(t.temp.readRaw('Links.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('refuses an edit whose old or new text holds the placeholder', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const before = t.temp.readRaw('Links.md');
        const edits = [
            { old: `Whole: ${HIDDEN_EMBED}`, new: 'Whole: gone' },
            { old: 'Visible: [[Plain]]', new: `Visible: ${HIDDEN_LINK}` },
        ];
        for (const edit of edits) {
            const result = await t.run('edit_note', { path: 'Links.md', edits: [edit] });
            expect(result.isError).toBe(true);
            expect(result.content).toContain('Leave it out of both "old" and "new"');
            expect(result.content).toContain('Nothing was changed.');
        }
        expect(t.temp.readRaw('Links.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('refuses an edit that reaches into a placeholder without naming it whole', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const before = t.temp.readRaw('Links.md');
        const result = await t.run('edit_note', { path: 'Links.md', edits: [{ old: 'Whole: ![[hid', new: 'x' }] });
        expect(result.isError).toBe(true);
        expect(result.content).toContain('reaches into');
        expect(t.temp.readRaw('Links.md').equals(before)).toBe(true);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('answers a guessed hidden link exactly like text that is nowhere, so edits cannot probe for names', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const guessed = await t.run('edit_note', { path: 'Links.md', edits: [{ old: '![[Quokka]]', new: 'x' }] });
        const nowhere = await t.run('edit_note', { path: 'Links.md', edits: [{ old: '![[Zzzzzz]]', new: 'x' }] });
        expect(guessed.isError).toBe(true);
        expect(guessed.content).toBe(nowhere.content);
        expect(t.submit).not.toHaveBeenCalled();
    });

    it('applies edits next to hidden links and keeps the links’ bytes', async () => {
        const t = await harness({ 'Links.md': LINKING });
        const result = await t.run('edit_note', {
            path: 'Links.md',
            edits: [
                { old: 'Whole: ', new: 'Entire note: ' },
                { old: ' and ', new: ' plus ' },
                { old: 'Visible: [[Plain]]', new: 'Visible: [[Plain]] (checked)' },
            ],
        });
        expect(result.isError).toBeUndefined();
        expect(result.content).toContain('Edited "Links.md"');
        expect(t.temp.readRaw('Links.md').toString('utf8')).toBe(
            LINKING.replace('Whole: ', 'Entire note: ')
                .replace(' and [day]', ' plus [day]')
                .replace('Visible: [[Plain]]', 'Visible: [[Plain]] (checked)'),
        );
        // The person was shown the real text, links included; only the model's view is redacted.
        expect(t.approvals.shown[0]?.proposed).toContain('Entire note: ![[Quokka]]');
    });

    it('matches anchors in the text the model saw: a word also hidden inside a link is still unique', async () => {
        const text = 'We saw a Quokka.\nSee [[Quokka]].\r\n';
        const t = await harness({ 'Zoo.md': text });
        const result = await t.run('edit_note', { path: 'Zoo.md', edits: [{ old: 'a Quokka', new: 'two Quokkas' }] });
        expect(result.isError).toBeUndefined();
        expect(t.temp.readRaw('Zoo.md').toString('utf8')).toBe('We saw two Quokkas.\nSee [[Quokka]].\r\n');
    });

    it('keeps CRLF line endings and the hidden link when an edit spans lines around it', async () => {
        const text = 'one\r\ntwo ![[Quokka]]\r\nthree\r\n';
        const t = await harness({ 'Crlf.md': text });
        const result = await t.run('edit_note', { path: 'Crlf.md', edits: [{ old: 'one\ntwo ', new: 'ONE\nTWO ' }] });
        expect(result.isError).toBeUndefined();
        expect(t.temp.readRaw('Crlf.md').toString('utf8')).toBe('ONE\r\nTWO ![[Quokka]]\r\nthree\r\n');
    });
});
