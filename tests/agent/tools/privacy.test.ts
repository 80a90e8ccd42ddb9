/**
 * docs/RELIABILITY.md row 12 for the tools: excluded notes do not exist for the model through any read tool. The
 * private notes carry a canary and distinctive names; no tool output may contain either, and "not found" for an
 * excluded note is the very same text as for a missing one.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeToolHarness, type ToolHarness } from './tool-fixtures';

const CANARY = `canary-${randomUUID()}`;

/** Every private note, and the name fragments that must never be shown (each name is unique in the vault). */
const PRIVATE_NOTES: Record<string, string> = {
    'Zebra-list.md': `---\ntags:\n  - work\n  - private\n---\n# Zebra list\n${CANARY} list form\n[[Public]]\n`,
    'Yak-flow.md': `---\ntags: [private, misc]\n---\n# Yak\n${CANARY} flow form\n`,
    'Xerus-string.md': `---\ntags: private\n---\n${CANARY} string form\n`,
    'Walrus-tag.md': `---\ntag: Private/finance\n---\n${CANARY} tag: key, nested, capitalised\n`,
    'Vole-inline.md': `# Vole\nSome text #Private/health and ${CANARY}\n[[Public]]\n`,
    'Journal/Urchin-day.md': `# Urchin\n${CANARY} in an excluded folder, no tag\n[[Public]]\n`,
    'Journal/2024/Tapir-deep.md': `${CANARY} in a subfolder of the excluded folder\n`,
};
const PRIVATE_NAMES = ['Zebra', 'Yak', 'Xerus', 'Walrus', 'Vole', 'Urchin', 'Tapir', 'Journal'];

const PUBLIC_NOTES: Record<string, string> = {
    'Public.md':
        '---\ntags: [project]\n---\n# Public\nSee the plan in [[Visible]].\nPrivate refs: [[Zebra-list]], ' +
        '[[Vole-inline#Vole]], ![[Yak-flow]], [[Journal/Urchin-day]], [[Walrus-tag|money]].\n',
    'Visible.md': '# Visible\nBack to [[Public]]. #project/alpha\n',
    'Folder/Other.md': 'Nothing to see; links to [[Public]].\n',
};

let h: ToolHarness;

beforeEach(async () => {
    h = await makeToolHarness({ ...PRIVATE_NOTES, ...PUBLIC_NOTES });
});

afterEach(async () => {
    await h.temp.cleanup();
});

/** Fails when `text` names or quotes a private note. */
function expectNothingPrivate(text: string): void {
    expect(text).not.toContain(CANARY);
    for (const name of PRIVATE_NAMES) expect(text).not.toContain(name);
}

describe('read tools and excluded notes (docs/RELIABILITY.md row 12)', () => {
    it('never lists a private note, in the root, recursively or in the excluded folder', async () => {
        const root = await h.run('list_notes', {});
        const all = await h.run('list_notes', { recursive: true });
        expectNothingPrivate(root.content);
        expectNothingPrivate(all.content);
        expect(all.content).toContain('Public.md');
        expect(all.content).toContain('Folder/Other.md');
        // The only trace is a count, for the whole vault.
        expect(all.content).toContain('7 notes are excluded by the privacy settings');

        const journal = await h.run('list_notes', { folder: 'Journal' });
        const missing = await h.run('list_notes', { folder: 'Nowhere' });
        expect(journal.isError).toBe(true);
        expect(journal.content.replace('"Journal"', '"X"')).toBe(missing.content.replace('"Nowhere"', '"X"'));
    });

    it('answers a guessed path of a private note exactly like a missing note', async () => {
        const missing = await h.run('read_note', { path: 'Nope.md' });
        expect(missing.isError).toBe(true);
        for (const path of [...Object.keys(PRIVATE_NOTES), 'Zebra-list', 'journal/urchin-day.md', 'zebra-list.md']) {
            for (const tool of ['read_note', 'note_outline', 'note_links']) {
                const result = await h.run(tool, { path });
                const other = await h.run(tool, { path: 'Nope.md' });
                expect(result.isError).toBe(true);
                expect(result.content).not.toContain(CANARY);
                expect(result.content.split(path).join('P')).toBe(other.content.split('Nope.md').join('P'));
            }
        }
    });

    it('never returns a match, snippet or count from a private note when searching for a word only it contains', async () => {
        const result = await h.run('search_notes', { query: CANARY });
        const nowhere = await h.run('search_notes', { query: 'word-in-no-note' });
        expect(result.content).toBe(`No matches for text ${JSON.stringify(CANARY)}.`);
        expect(nowhere.content).toBe('No matches for text "word-in-no-note".');
        const regex = await h.run('search_notes', { query: 'form$', regex: true });
        expect(regex.content).toBe('No matches for pattern "form$".');
        // A letter every note contains: only public notes answer (the public note's own text may name a private one).
        const words = await h.run('search_notes', { query: 'e', limit: 200 });
        expect(words.content).not.toContain(CANARY);
        const paths = new Set(
            words.content
                .split('\n')
                .slice(1)
                .map((line) => line.split(':')[0]),
        );
        expect([...paths].sort()).toEqual(Object.keys(PUBLIC_NOTES).sort());
    });

    it('drops links to and backlinks from private notes in note_links of a public note', async () => {
        const result = await h.run('note_links', { path: 'Public.md' });
        expectNothingPrivate(result.content);
        expect(result.content).toContain('[[Visible]] → Visible.md');
        expect(result.content).toContain('Embeds: none.');
        expect(result.content).toMatch(/Backlinks \(2\):\nFolder\/Other\.md\nVisible\.md/u);
    });

    it('finds no note for an excluded tag, with the same answer as for an unused tag', async () => {
        for (const tag of ['private', '#Private', 'private/health', 'Private/finance']) {
            const result = await h.run('notes_with_tag', { tag });
            expect(result.content).toBe(`No notes tagged #${tag.replace('#', '').toLowerCase()}.`);
        }
        const project = await h.run('notes_with_tag', { tag: 'project' });
        expect(project.content).toBe('2 notes tagged #project:\nPublic.md (#project)\nVisible.md (#project/alpha)');
    });

    it('hides everything, and says only "not found", while the settings are locked', async () => {
        const locked = await makeToolHarness(PUBLIC_NOTES, { privacy: null });
        try {
            const read = await locked.run('read_note', { path: 'Public.md' });
            expect(read.content).toBe(
                'Not found: there is no note at "Public.md". Use list_notes or search_notes to find notes.',
            );
            const search = await locked.run('search_notes', { query: 'Public' });
            expect(search.content).toBe('No matches for text "Public".');
        } finally {
            await locked.temp.cleanup();
        }
    });
});
