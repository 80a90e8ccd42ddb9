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

        // Math: no tag inside a formula (inline, over two lines, or a display block); prices in prose hide nothing, and
        // a tag glued to the end of a formula or a code span is one.
        expect(vault.metadata('Math.md')?.shownTags).toEqual([
            '#after-inline',
            '#between-prices',
            '#after-display',
            '#after-two-lines',
            '#unclosed-span',
            '#still-prose',
            '#glued-to-math',
            '#glued-to-code',
        ]);

        expect([...vault.backlinks('Hub.md')].sort()).toEqual([
            'Callouts.md',
            'Comments.md',
            'Indented code.md',
            'Math.md',
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
        const math = vault.metadata('Math.md')?.tags ?? [];
        for (const tag of ['#not-a-tag', '#display-block', '#inside-two-lines']) expect(math).toContain(tag);
        const indented = vault.metadata('Indented code.md')?.tags ?? [];
        for (const tag of ['#indented-tag', '#tabbed-tag', '#step-code', '#quote-code'])
            expect(indented).toContain(tag);

        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        for (const path of [
            'Private in HTML comment.md',
            'Private in percent comment.md',
            'Private in callout code.md',
            'Private in indented code.md',
            'Private in math.md',
        ]) {
            expect(gate.isExcluded(path)).toBe(true);
            expect(gate.isTextExcluded(path, await vault.read(path))).toBe(true);
            // Obsidian shows no tag on these notes; the gate still does not let them through.
            expect(vault.metadata(path)?.shownTags).toEqual([]);
        }
        expect(gate.isExcluded('Plain.md')).toBe(false);
    });

    it('excludes every note Obsidian shows as private, also where the tag is glued to a formula or an escape', async () => {
        const vault = await openFixture();
        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        for (const path of ['Private after math.md', 'Private after an escape.md']) {
            // Obsidian's tag pane lists these notes under #private: so must the gate.
            expect(vault.metadata(path)?.shownTags).toEqual(['#private']);
            expect(gate.isExcluded(path)).toBe(true);
            expect(gate.isTextExcluded(path, await vault.read(path))).toBe(true);
        }
    });
});

describe('parseNote: comments and code', () => {
    it('ends a comment mid-line and reads what follows it', () => {
        const note = parseNote('Text <!-- [[A]]\n[[B]] --> [[C]] #c\n%% [[D]] %% [[E]]\n');
        expect(note.links.map((l) => l.link)).toEqual(['C', 'E']);
        expect(note.shownTags).toEqual(['#c']);
    });

    it('hides the whole line that closes an HTML block, text after the closer too', () => {
        const note = parseNote('<!-- [[A]]\n[[B]] --> [[C]] #c\n[[D]] #d\n');
        expect(note.links.map((l) => l.link)).toEqual(['D']);
        expect(note.shownTags).toEqual(['#d']);
        expect(note.tags).toEqual(['#c', '#d']);
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
    // Each row: the line, whether Obsidian shows `#x` there, and whether the exclusion reading takes it (decision 0004:
    // wider, so every shown tag excludes; a `#` Obsidian reads as escaped, or glued to a word, excludes nothing).
    it.each([
        ['at the start of a line', '#x', true, true],
        ['after a space or a tab', 'a #x and b\t#x', true, true],
        ['after a no-break space or an ideographic space', 'a\u00a0#x b\u3000#x', true, true],
        ['after an underscore, as in emphasis', 'a _#x_ b', true, true],
        ['in a table cell', '| a | b |\n|---|---|\n|#x|b|', true, true],
        ['after a pipe in prose, outside any table', 'a |#x', false, true],
        ['right after another shown tag', '#a#x', true, true],
        ['in the text of a Markdown link', '[see #x](Note.md)', true, true],
        ['after an opening bracket', '(#x)', false, true],
        ['after a quote mark', '"#x"', false, true],
        ['after a full stop or a colon', 'a.#x Tags:#x', false, true],
        ['after a dash of another script', 'a\u2014#x', false, false],
        ['right after a tag that is not shown', '(#a#x)', false, true],
        ['after bold marks with a partner', 'see **#x** now', true, true],
        ['after a closing star', 'an *odd one*#x', true, true],
        ['after strikethrough marks with a partner', 'old ~~#x~~', true, true],
        ['after highlight marks with a partner', 'mark ==#x== it', true, true],
        ['after a lone star', 'a *#x b', false, true],
        ['after a single tilde', 'a ~#x~ b', false, true],
        ['after an underscore inside a word', 'snake_#x', false, true],
        ['after a code span', 'run `make`#x', true, true],
        ['after a wikilink', 'see [[Hub]]#x', true, true],
        ['after an HTML comment', 'a <!-- note -->#x', true, true],
        ['after an HTML tag', 'one<br>#x', true, true],
        ['after a formula', 'so $y$#x', true, true],
        ['after an escaped bracket', 'a \\]#x', true, true],
        ['after an escaped backslash', 'a \\\\#x', true, true],
        ['after a backslash that escapes the hash', 'a \\#x', false, false],
        ['after quote markers at the start of a line', '> >#x', true, true],
        ['after a greater-than sign in prose', 'a >#x', false, true],
        ['after a character entity', 'a &amp;#x', false, true],
        ['after a zero-width space (invisible: read for exclusion)', 'a\u200b#x', false, true],
    ])('%s', (_name, line, shown, read) => {
        const note = parseNote(`${line}\n`);
        expect(note.shownTags?.includes('#x')).toBe(shown);
        expect(note.tags?.includes('#x')).toBe(read);
    });
});

describe('parseNote: tables', () => {
    // Whether `#x` right after a cell's `|` is shown: only in a row of a table (GFM's: a header row, a delimiter row of
    // as many cells with at least one `|`, then rows up to an empty line or another block).
    it.each([
        ['a body row', '| a | b |\n| --- | :-: |\n|#x| y |\n', true],
        ['the header row', '|#x| b |\n|---|---|\n', true],
        ['a row without outer pipes', 'a | b\n--- | ---\nc |#x\n', true],
        ['a row in a callout', '> [!note]\n> | a | b |\n> |---|---|\n> |#x| y |\n', true],
        ['a body row that has no pipe of its own, then one that has', '| a |\n|---|\nplain\n|#x|\n', true],
        ['no delimiter row', '| a | b |\n|#x| y |\n', false],
        ['a delimiter row of fewer cells than the header', '| a | b | c |\n|---|---|\n|#x| y |\n', false],
        ['a delimiter row with no pipe (a setext heading)', 'a\n---\n|#x|\n', false],
        ['a line after the empty line that ends the table', '| a |\n|---|\n| b |\n\n|#x|\n', false],
        ['a line after a heading that ends the table', '| a |\n|---|\n## Next\n|#x|\n', false],
        ['a quoted line after a table outside the quote', '| a |\n|---|\n> |#x|\n', false],
        ['an escaped pipe outside a table (an escaped mark starts a tag)', 'a \\|#x\n', true],
    ])('%s', (_name, text, shown) => {
        const note = parseNote(text);
        expect(note.shownTags?.includes('#x')).toBe(shown);
        expect(note.tags).toContain('#x');
    });
});

describe('parseNote: HTML comments', () => {
    /** Whether the link `[[X]]` in `text` is read, and whether `#x` is shown; the exclusion reading always has `#x`. */
    function reads(text: string): { link: boolean; tag: boolean } {
        const note = parseNote(text);
        expect(note.tags).toContain('#x');
        return { link: note.links.some((l) => l.link === 'X'), tag: note.shownTags?.includes('#x') ?? false };
    }

    it.each([
        ['an inline comment', 'Text <!-- [[X]] #x --> more'],
        ['an inline comment over two lines', 'Text <!-- a\n[[X]] #x --> more'],
        ['an inline comment over a line holding a tab', 'Text <!-- a\n\t\n[[X]] #x --> more'],
        ['the rest of the line a block comment opens on', '<!-- a --> [[X]] #x'],
        ['an indented block comment', '   <!--a--> [[X]] #x'],
        ['a block comment after a paragraph line', 'Para\n<!-- a --> [[X]] #x'],
        ['the line that closes a block comment', '<!--\na\n--> [[X]] #x'],
        ['a block comment in a list item or a quote', '- <!-- a --> [[X]] #x\n> <!-- b --> [[X]] #x'],
        ['a block comment over an empty line', '<!-- a\n\n[[X]] #x\n-->'],
        ['a block comment that never closes', '<!-- a\n\nlater [[X]] #x'],
    ])('reads nothing in %s', (_name, text) => {
        expect(reads(`${text}\n`)).toEqual({ link: false, tag: false });
    });

    it.each([
        ['an inline comment cut by an empty line', 'Text <!-- a\n\n[[X]] #x --> more'],
        ['an inline comment cut by a line of spaces', 'Text <!-- a\n   \n[[X]] #x --> more'],
        ['an inline comment cut by a heading', 'Text <!-- a\n## [[X]] #x -->'],
        ['an inline comment that never closes', 'Text <!-- a [[X]] #x'],
        ['an opener right before >', 'Text <!--> [[X]] #x --> more'],
        ['an opener right before ->', 'Text <!---> [[X]] #x --> more'],
        ['a comment with -- inside', 'Text <!-- a -- b [[X]] #x --> more'],
        ['a comment whose text ends with -', 'Text <!-- a [[X]] #x ---> more'],
        ['the line after a block comment', '<!--\na\n-->\n[[X]] #x'],
        ['the line after a one-line block comment', '<!-- a --> b\n[[X]] #x'],
        ['text after an inline comment', 'Text <!-- a --> [[X]] #x'],
    ])('reads %s', (_name, text) => {
        expect(reads(`${text}\n`)).toEqual({ link: true, tag: true });
    });
});

describe('parseNote: math', () => {
    /** Whether `#x` in `text` is a tag Obsidian shows; it is always read for exclusion when it starts a tag at all. */
    function shows(text: string): boolean {
        const note = parseNote(text);
        expect(note.tags).toContain('#x');
        return note.shownTags?.includes('#x') ?? false;
    }

    it.each([
        ['inline math', 'Let $v = #x w$ be.'],
        ['inline math opened right after a word', 'Let v$w = #x w$ be.'],
        ['inline math with a no-break space after its opener', 'Let $\u00a0#x w$ be.'],
        ['a span past a closer that a digit follows', 'Let $a #x b$2 c$ d.'],
        ['a span past a closer after a space', 'Let $a $b #x c$ d.'],
        ['a span past an escaped dollar', 'Let $a #x b\\$ c$ d.'],
        ['an opener after an escaped backslash', 'Let \\\\$a #x b$ c.'],
        ['double dollars on one line', 'Then $$ #x = 1 $$ holds.'],
        ['double dollars before a digit', 'Then $$a #x$$9 holds.'],
        ['inline math over two lines', 'Let $a\n#x b$ be.'],
        ['inline math over a line of tabs', 'Let $a\n\t\n#x b$ be.'],
        ['a closer at the start of the next line', 'Let $a #x\n$ be.'],
        ['an opener at the end of a line', 'Let $\n#x b$ be.'],
        ['a display block', 'Text\n\n$$\n#x\n$$\n'],
        ['a display block over an empty line', '$$\na\n\n#x\n$$\n'],
        ['a display block that never closes', '$$ a\n\nlater #x\n'],
        ['a display block whose closer has text after it', '$$\na\n$$ #x\n'],
        ['a single dollar after double dollars that never close', 'Let $$a #x b$ c.'],
        ['a CRLF display block', '$$\r\n#x\r\n$$\r\n'],
    ])('hides a tag in %s', (_name, text) => {
        expect(shows(`${text}\n`)).toBe(false);
    });

    it.each([
        ['prose between two prices', 'It costs $5, or #x for $10.'],
        ['a dollar before a space', 'Pay $ #x $ now.'],
        ['a dollar before a tab', 'Pay $\t#x b$ now.'],
        ['an escaped opener', 'Pay \\$a #x b$ now.'],
        ['a closer that a digit follows', 'Let $a #x b$7 c.'],
        ['a closer after a tab', 'Let $a #x b\t$ c.'],
        ['a span that never closes', 'Let $a #x be.'],
        ['a span cut by an empty line', 'Let $a\n\n#x b$ c.'],
        ['a span cut by a line of spaces', 'Let $a\n   \n#x b$ c.'],
        ['a span cut by a CRLF empty line', 'Let $a\r\n\r\n#x b$ c.'],
        ['the text between two formulas', 'Let $a$b #x c$ d.'],
        ['double dollars cut by an empty line', 'Let $$a\n\n#x b$$ c.'],
        ['the text after a one-line display formula', '$$a = b$$ #x'],
        ['the line after a display block', '$$\na\n   $$\n#x'],
        ['dollars in code spans', 'Use `$` #x and `$`.'],
        ['a dollar in a comment', 'A <!-- $a --> #x b$.'],
        ['a formula in a fenced block', '```\n$a\n```\n#x b$'],
    ])('shows a tag in %s', (_name, text) => {
        expect(shows(`${text}\n`)).toBe(true);
    });

    it('keeps the line numbers and the links of what follows a display block', () => {
        const note = parseNote('$$\na\n$$\n## After\n[[Hub]] #x\n');
        expect(note.headings).toEqual([{ level: 2, heading: 'After', line: 3 }]);
        expect(note.links.map((l) => l.original)).toEqual(['[[Hub]]']);
        expect(note.shownTags).toEqual(['#x']);
    });
});
