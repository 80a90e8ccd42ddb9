/**
 * The parser reads a note as Obsidian does for links, embeds, headings, block ids and shown tags: nothing inside HTML
 * comments, `%%` comments, fenced code (callouts and list items too), indented code or inline code. The exclusion tags keep their
 * fail-closed over-reading (decision 0004): a `#private` in a comment or in code inside a callout still excludes.
 *
 * The fixture vault `tests/fixtures/obsidian-reading/` holds the tricky forms; the counts asserted are those Obsidian's
 * metadata cache gives for it (links, backlinks, headings, block ids, tags). Opened with the real FsVault.
 */
import nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { FsVault } from '../../src/vault/fs-vault-node';
import { parseNote } from '../../src/vault/note-parser';

const FIXTURE = nodePath.join(__dirname, '../fixtures/obsidian-reading');

async function openFixture(): Promise<FsVault> {
    return FsVault.open(FIXTURE, { configDir: '.obsidian' });
}

describe('the fixture vault, read as Obsidian reads it', () => {
    it('counts links, embeds, headings, block ids and shown tags outside comments and code only', async () => {
        const vault = await openFixture();
        const comments = vault.metadata('Comments.md');
        expect(comments?.links.map((l) => l.original)).toEqual(['[[Hub]]']);
        expect(comments?.embeds).toEqual([]);
        expect(comments?.headings.map((h) => h.heading)).toEqual(['Real heading']);
        expect(comments?.blocks.map((b) => b.id)).toEqual(['real-block']);
        expect(comments?.shownTags).toEqual(['#shown', '#after-comments']);

        const callouts = vault.metadata('Callouts.md');
        expect(callouts?.links.map((l) => l.original)).toEqual(['[[Hub|alias]]']);
        expect(callouts?.headings).toEqual([]);
        expect(callouts?.shownTags).toEqual(['#callout-shown']);

        // Indented code: four columns past the text of its container, not after a paragraph line. A nested list indented
        // with a tab, a list item's second paragraph and a lazy paragraph line are text, and their links count.
        const indented = vault.metadata('Indented code.md');
        expect(indented?.links.map((l) => l.original)).toEqual([
            '[[Hub|lazy line]]',
            '[[Hub|nested]]',
            '[[Hub|second]]',
            '[[Hub|step]]',
        ]);
        expect(indented?.headings).toEqual([]);
        expect(indented?.blocks).toEqual([]);
        expect(indented?.shownTags).toEqual(['#lazy-shown', '#nested-shown']);

        expect([...vault.backlinks('Hub.md')].sort()).toEqual([
            'Callouts.md',
            'Comments.md',
            'Indented code.md',
            'Plain.md',
        ]);
        expect(vault.metadata('Hub.md')?.headings.map((h) => h.heading)).toEqual(['Hub', 'Section']);
    });

    it('keeps the over-reading for exclusion: tags in comments and in code inside callouts still count', async () => {
        const vault = await openFixture();
        const comments = vault.metadata('Comments.md')?.tags ?? [];
        for (const tag of ['#html-comment-tag', '#inline-html', '#inline-percent', '#percent-tag']) {
            expect(comments).toContain(tag);
        }
        expect(vault.metadata('Callouts.md')?.tags).toContain('#ff0000');
        const indented = vault.metadata('Indented code.md')?.tags ?? [];
        for (const tag of ['#indented-tag', '#tabbed-tag', '#step-code', '#quote-code'])
            expect(indented).toContain(tag);

        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        for (const path of [
            'Private in HTML comment.md',
            'Private in percent comment.md',
            'Private in callout code.md',
            'Private in indented code.md',
        ]) {
            expect(gate.isExcluded(path)).toBe(true);
            expect(gate.isTextExcluded(path, await vault.read(path))).toBe(true);
            // Obsidian shows no tag on these notes; the gate still does not let them through.
            expect(vault.metadata(path)?.shownTags).toEqual([]);
        }
        expect(gate.isExcluded('Plain.md')).toBe(false);
    });
});

describe('parseNote: comments and code', () => {
    it('ends a comment mid-line and reads what follows it', () => {
        const note = parseNote('<!-- [[A]]\n[[B]] --> [[C]] #c\n%% [[D]] %% [[E]]\n');
        expect(note.links.map((l) => l.link)).toEqual(['C', 'E']);
        expect(note.shownTags).toEqual(['#c']);
    });

    it('opens no comment inside inline code', () => {
        const note = parseNote('Code `%%` and `<!--` then [[A]] #a\n');
        expect(note.links.map((l) => l.link)).toEqual(['A']);
        expect(note.shownTags).toEqual(['#a']);
    });

    it('an unclosed %% hides the rest from links but not from the exclusion tags', () => {
        const note = parseNote('[[A]]\n%%\n[[B]]\n#private\n');
        expect(note.links.map((l) => l.link)).toEqual(['A']);
        expect(note.shownTags).toEqual([]);
        expect(note.tags).toContain('#private');
    });

    it('treats a fence in a list item or a callout as code, closed or not', () => {
        const note = parseNote('- a\n  ```\n  [[A]] #x\n  ```\n- b [[B]]\n> ```\n> [[C]] ^id\n');
        expect(note.links.map((l) => l.link)).toEqual(['B']);
        expect(note.blocks).toEqual([]);
        expect(note.shownTags).toEqual([]);
    });

    it('does not let a link in a comment mask a tag from the exclusion reading', () => {
        const note = parseNote('<!-- [[#private]] -->\n');
        expect(note.links).toEqual([]);
        expect(note.tags).toContain('#private');
    });
});

describe('parseNote: indented code', () => {
    /** The links a note's body gives, and whether `#x` is shown and still read for exclusion. */
    function read(text: string): { links: string[]; shown: boolean; excluded: boolean } {
        const note = parseNote(text);
        return {
            links: note.links.map((l) => l.link),
            shown: note.shownTags?.includes('#x') === true,
            excluded: note.tags?.includes('#x') === true,
        };
    }
    const code = { links: [], shown: false, excluded: true };
    const text = { links: ['A'], shown: true, excluded: true };

    it.each([
        ['four spaces after a blank line', 'Para\n\n    [[A]] #x\n', code],
        ['four spaces on the first line', '    [[A]] #x\n', code],
        ['a tab', '\t[[A]] #x\n', code],
        ['a tab after two spaces', '  \t[[A]] #x\n', code],
        ['right after a heading', '# H\n    [[A]] #x\n', code],
        ['after a thematic break', 'a\n\n***\n    [[A]] #x\n', code],
        ['blank lines inside the block', '    one\n\n\n    [[A]] #x\n', code],
        ['six spaces after a blank line in a list item', '- a\n\n      [[A]] #x\n', code],
        ['in a quote, four past its marker', '> q\n>\n>     [[A]] #x\n', code],
        ['in a quote, two tabs after its marker', '> q\n>\n>\t\t[[A]] #x\n', code],
        ['deep in nested tab lists', '- a\n\t- b\n\n\t\t\t\t[[A]] #x\n', code],
        ['a lazy line of a paragraph', 'Para\n    [[A]] #x\n', text],
        ['a nested list item indented four spaces', '- a\n    - [[A]] #x\n', text],
        ['a nested list item indented with a tab', '- a\n\t- [[A]] #x\n', text],
        ["a list item's second paragraph", '1. a\n\n    [[A]] #x\n', text],
        ['the text of a long ordered marker', '10. a\n\n    [[A]] #x\n', text],
        ['after a tab that follows the marker', '1.\ta\n\n\t[[A]] #x\n', text],
        ['a lazy line of a list item', '- a\n[[A]] #x\n', text],
        ['a lazy line of a quote', '> q\n    [[A]] #x\n', text],
        ['a callout body line', '> [!note] Title\n>     [[A]] #x\n', text],
        ['a tab after the quote marker', '> q\n>\n>\t[[A]] #x\n', text],
        ['inside an HTML comment the text is the comment’s', '<!--\n\n    x -->\n[[A]] #x\n', text],
    ])('%s', (_name, note, expected) => {
        expect(read(note)).toEqual(expected);
    });

    it('ends the block at the first line indented less, and hides no heading or block id inside it', () => {
        const note = parseNote('    # H [[A]] ^id\n\n    more [[B]]\nafter [[C]] ^c\n');
        expect(note.links.map((l) => l.link)).toEqual(['C']);
        expect(note.headings).toEqual([]);
        expect(note.blocks.map((b) => b.id)).toEqual(['c']);
    });

    it('opens no fence with a marker in indented code or on a deep paragraph line, and still does in a list item', () => {
        // Obsidian: the marker is the indented block's text (or the paragraph's), and what follows is read as usual.
        expect(read('Example:\n\n    ```js\n    x\n\n[[A]] #x\n')).toEqual(text);
        expect(read('Para\n    ```\n[[A]] #x\n')).toEqual(text);
        expect(read('> q\n>\n>     ```\n> [[A]] #x\n')).toEqual(text);
        // A list item's text starts at its marker's width: four spaces there is a fence in the item, and hides code.
        expect(read('- item\n    ```\n    [[A]] #x\n    ```\n')).toEqual(code);
        expect(read('1. step\n    ```\n    [[A]] #x\n')).toEqual(code);
    });

    it('keeps the line numbers of what follows', () => {
        const note = parseNote('---\ntags: [a]\n---\n\n    [[A]]\n\n## Real\n[[B]]\n');
        expect(note.links.map((l) => [l.link, l.line])).toEqual([['B', 7]]);
        expect(note.headings.map((h) => [h.heading, h.line])).toEqual([['Real', 6]]);
    });
});
