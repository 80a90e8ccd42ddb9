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

        // HTML: a colour in a tag's attributes is no tag, nor is text in an HTML block; Markdown after it is read.
        expect(vault.metadata('HTML.md')?.shownTags).toEqual(['#real-tag', '#after-html']);

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

describe('parseNote: HTML', () => {
    /** The tags `text` shows, and those it reads for exclusion. */
    function tagsOf(text: string): { shown: string[]; excluded: string[] } {
        const note = parseNote(text);
        return { shown: note.shownTags ?? [], excluded: note.tags ?? [] };
    }

    it('shows no tag from inside an HTML tag, and still reads it for exclusion', () => {
        expect(tagsOf('Red: <span style="color:#ff0000">text #real</span>, <font color="#00ff00">x</font>\n')).toEqual({
            shown: ['#real'],
            excluded: ['#ff0000', '#real', '#00ff00'],
        });
    });

    it.each([
        ['a block tag, to the next blank line', '<div>\nhello #x\n</div>\n', false],
        ['a block tag with its text on one line', '<p>x #x</p>\n', false],
        ['a lone tag after a blank line', 'Para\n\n<custom-box>\n#x\n', false],
        ['raw HTML, to its closing tag across blank lines', '<pre>\n\n#x\n</pre>\n', false],
        ['after the blank line that ends the block', '<div>\nhello\n\n#x\n', true],
        ['after the closing tag of raw HTML', '<style>\np { color: red }\n</style>\n#x\n', true],
        ['a lone tag right after a paragraph line', 'Para\n<custom-box>\n#x\n', true],
        ['a comparison, which is no tag', 'a < b #x > c\n', true],
        ['an inline tag in a paragraph (the text between is Markdown)', 'Some <b>bold #x</b> text\n', true],
    ])('%s', (_name, text, shown) => {
        const tags = tagsOf(text);
        expect(tags.shown.includes('#x')).toBe(shown);
        expect(tags.excluded).toContain('#x');
    });
});

describe('parseNote: where a shown tag starts', () => {
    it.each([
        ['at the start of a line', '#x', true],
        ['after a space or a tab', 'a #x and b\t#x', true],
        ['after a no-break space or an ideographic space', 'a\u00a0#x b\u3000#x', true],
        ['after an underscore, as in emphasis', 'a _#x_ b', true],
        ['in a table cell', '|#x|b|', true],
        ['right after another shown tag', '#a#x', true],
        ['in the text of a Markdown link', '[see #x](Note.md)', true],
        ['after an opening bracket', '(#x)', false],
        ['after a quote mark', '"#x"', false],
        ['after a full stop or a colon', 'a.#x Tags:#x', false],
        ['after a dash of another script', 'a\u2014#x', false],
        ['right after a tag that is not shown', '(#a#x)', false],
    ])('%s', (_name, line, shown) => {
        const note = parseNote(`${line}\n`);
        expect(note.shownTags?.includes('#x')).toBe(shown);
        // The exclusion reading is wider (decision 0004): every one of these still excludes a note tagged so.
        if (line !== 'a\u2014#x') expect(note.tags).toContain('#x');
    });
});
