import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseNote } from '../../src/vault/note-parser';

describe('frontmatter', () => {
    it('parses the block on line 1 and counts its lines in body line numbers', () => {
        const metadata = parseNote('---\ntitle: Plan\naliases: [Roadmap, Q3]\n---\n# Heading\n[[Other]]');
        expect(metadata.frontmatter).toEqual({ title: 'Plan', aliases: ['Roadmap', 'Q3'] });
        expect(metadata.aliases).toEqual(['Roadmap', 'Q3']);
        expect(metadata.headings).toEqual([{ level: 1, heading: 'Heading', line: 4 }]);
        expect(metadata.links[0]?.line).toBe(5);
    });

    it('reads alias: as a comma-separated string', () => {
        expect(parseNote('---\nAlias: Roadmap, Plan B\n---\n').aliases).toEqual(['Roadmap', 'Plan B']);
    });

    it('has no frontmatter when line 1 is not ---', () => {
        const metadata = parseNote('\n---\ntags: private\n---\n');
        expect(metadata.frontmatter).toBeNull();
        expect(metadata.frontmatterError).toBeUndefined();
        expect(metadata.tags).toEqual([]);
    });

    it('does not take --- inside a body code fence for frontmatter', () => {
        const metadata = parseNote('Intro\n```yaml\n---\ntags: [x]\n---\n```\n#real');
        expect(metadata.frontmatter).toBeNull();
        expect(metadata.tags).toEqual(['#real']);
    });

    it('ends the frontmatter at the first --- line, so a later --- in a body code fence is body text', () => {
        const metadata = parseNote('---\ntags: [a]\n---\n```\n---\n#hidden\n```\n#shown');
        expect(metadata.frontmatter).toEqual({ tags: ['a'] });
        expect(metadata.tags).toEqual(['#a', '#shown']);
    });

    it('treats an empty block as an empty mapping', () => {
        expect(parseNote('---\n---\nBody').frontmatter).toEqual({});
        expect(parseNote('---\n# just a comment\n---\n').frontmatter).toEqual({});
    });

    it('accepts a YAML ... end line when no --- closes the block', () => {
        const metadata = parseNote('---\ntags: private\n...\nBody');
        expect(metadata.frontmatter).toEqual({ tags: 'private' });
        expect(metadata.tags).toEqual(['#private']);
    });

    it('reports malformed YAML without throwing and still reads the body', () => {
        const metadata = parseNote('---\ntitle: [unclosed\n---\n## Heading\n[[Link]]');
        expect(metadata.frontmatter).toBeNull();
        expect(metadata.frontmatterError).toBeTruthy();
        expect(metadata.headings).toEqual([{ level: 2, heading: 'Heading', line: 3 }]);
        expect(metadata.links.map((l) => l.link)).toEqual(['Link']);
    });

    it('keeps line numbers right with CRLF line endings and a BOM', () => {
        const metadata = parseNote('\uFEFF---\r\ntitle: x\r\n---\r\n# One\r\ntext [[Two]]\r\n');
        expect(metadata.frontmatter).toEqual({ title: 'x' });
        expect(metadata.headings).toEqual([{ level: 1, heading: 'One', line: 3 }]);
        expect(metadata.links).toEqual([{ link: 'Two', subpath: '', original: '[[Two]]', line: 4 }]);
    });
});

describe('wikilinks and embeds', () => {
    it('splits link, subpath and alias as Obsidian does', () => {
        const text = [
            '[[Note]] [[Note|alias]]',
            '[[Note#Heading]] [[Note#^block]]',
            '[[Folder/Note.md]] [[#Local heading]]',
        ].join('\n');
        expect(parseNote(text).links).toEqual([
            { link: 'Note', subpath: '', original: '[[Note]]', line: 0 },
            { link: 'Note', subpath: '', displayText: 'alias', original: '[[Note|alias]]', line: 0 },
            { link: 'Note', subpath: '#Heading', original: '[[Note#Heading]]', line: 1 },
            { link: 'Note', subpath: '#^block', original: '[[Note#^block]]', line: 1 },
            { link: 'Folder/Note.md', subpath: '', original: '[[Folder/Note.md]]', line: 2 },
            { link: '', subpath: '#Local heading', original: '[[#Local heading]]', line: 2 },
        ]);
    });

    it('puts ![[…]] in embeds, not links', () => {
        const metadata = parseNote('See ![[Private]] and ![[img.png|200]]\n![[Private#H]]');
        expect(metadata.links).toEqual([]);
        expect(metadata.embeds).toEqual([
            { link: 'Private', subpath: '', original: '![[Private]]', line: 0 },
            { link: 'img.png', subpath: '', displayText: '200', original: '![[img.png|200]]', line: 0 },
            { link: 'Private', subpath: '#H', original: '![[Private#H]]', line: 1 },
        ]);
    });

    it('drops the backslash of an escaped pipe inside a table', () => {
        const link = parseNote('| a | [[Note\\|alias]] |').links[0];
        expect(link).toMatchObject({ link: 'Note', displayText: 'alias' });
    });

    it('ignores links inside code fences and inline code', () => {
        const metadata = parseNote('```\n[[Hidden]]\n```\n`[[Also hidden]]` [[Shown]]\n~~~\n![[x.png]]\n~~~');
        expect(metadata.links.map((l) => l.link)).toEqual(['Shown']);
        expect(metadata.embeds).toEqual([]);
    });
});

describe('Markdown links', () => {
    it('reads note links URL-decoded, with the subpath apart', () => {
        const metadata = parseNote('[text](Note.md) and [t](Folder/My%20Note.md#Some%20Heading)');
        expect(metadata.links).toEqual([
            { link: 'Note.md', subpath: '', displayText: 'text', original: '[text](Note.md)', line: 0 },
            {
                link: 'Folder/My Note.md',
                subpath: '#Some Heading',
                displayText: 't',
                original: '[t](Folder/My%20Note.md#Some%20Heading)',
                line: 0,
            },
        ]);
    });

    it('reads angle-bracket destinations and drops link titles', () => {
        const metadata = parseNote('[a](<My Note.md> "Title") [b](Other.md \'t\')');
        expect(metadata.links.map((l) => l.link)).toEqual(['My Note.md', 'Other.md']);
    });

    it('ignores links that leave the vault', () => {
        const text = '[w](https://example.com/a.md) [m](mailto:a@b.c) [o](obsidian://open?x) [p](//host/x.md)';
        expect(parseNote(text).links).toEqual([]);
    });

    it('keeps a malformed percent-escape as written', () => {
        expect(parseNote('[x](100%25%zz.md)').links[0]?.link).toBe('100%25%zz.md');
    });

    it('puts ![alt](file) in embeds, including an image inside a link', () => {
        const metadata = parseNote('![alt](img.png)\n[![badge](b.svg)](https://x.y)');
        expect(metadata.embeds.map((e) => [e.link, e.line])).toEqual([
            ['img.png', 0],
            ['b.svg', 1],
        ]);
        expect(metadata.links).toEqual([]);
    });
});

describe('headings', () => {
    it('reads ATX headings of levels 1 to 6, without closing hashes', () => {
        const text = '# One\n###### Six ##\n####### Seven is text\n#NotAHeading\n   ## Indented';
        expect(parseNote(text).headings).toEqual([
            { level: 1, heading: 'One', line: 0 },
            { level: 6, heading: 'Six', line: 1 },
            { level: 2, heading: 'Indented', line: 4 },
        ]);
    });

    it('ignores headings inside code fences', () => {
        expect(parseNote('```sh\n# comment\n```\n# Real').headings).toEqual([{ level: 1, heading: 'Real', line: 3 }]);
    });
});

describe('block ids', () => {
    it('names the paragraph an id ends, from its first line to the id line', () => {
        const text = 'Intro\n\nFirst line\nsecond line ^para-1\n\n- item one ^item\n- item two';
        expect(parseNote(text).blocks).toEqual([
            { id: 'para-1', startLine: 2, endLine: 3 },
            { id: 'item', startLine: 5, endLine: 5 },
        ]);
    });

    it('names the block before an id that stands alone after a blank line', () => {
        const text = '| a | b |\n|---|---|\n| 1 | 2 |\n\n^table';
        expect(parseNote(text).blocks).toEqual([{ id: 'table', startLine: 0, endLine: 4 }]);
    });

    it('ignores a caret inside words and inline code', () => {
        expect(parseNote('x^2 and `code ^id`').blocks).toEqual([]);
    });
});

describe('robustness', () => {
    it('parses an empty note', () => {
        expect(parseNote('')).toEqual({
            frontmatter: null,
            tags: [],
            shownTags: [],
            aliases: [],
            links: [],
            embeds: [],
            headings: [],
            blocks: [],
        });
    });

    it('never throws, every tag it reports starts with #, and every tag it shows is read for exclusion (any text)', () => {
        const pieces = fc.constantFrom(
            '---',
            '```',
            '~~~',
            '`',
            '#',
            '[[',
            ']]',
            '](',
            ')',
            '^id',
            '\r\n',
            '\n',
            ' ',
            'a',
            'é',
            '%',
            '    ',
            '\t',
            '- ',
            '> ',
            '1. ',
            '<!--',
            '-->',
            '<div>',
            '<span style="color:#f00">',
            '</pre>',
            '$',
            '$$',
            '\\',
            '**',
            '_',
            '~~',
            '==',
            '>',
            '<br>',
        );
        fc.assert(
            fc.property(fc.array(fc.oneof(pieces, fc.string()), { maxLength: 60 }), (parts) => {
                const metadata = parseNote(parts.join(''));
                for (const tag of metadata.tags ?? []) expect(tag.startsWith('#') && tag.length > 1).toBe(true);
                // Code and comments hide tags from what is shown, never from the exclusion reading.
                if (metadata.tags !== undefined)
                    for (const tag of metadata.shownTags ?? []) expect(metadata.tags).toContain(tag);
            }),
            { numRuns: 1000 },
        );
    });

    it('parses a 5 MB note', () => {
        const text = 'Line with [[Link]] and #tag\n'.repeat(200_000);
        const metadata = parseNote(text);
        expect(metadata.links).toHaveLength(200_000);
        expect(metadata.tags).toEqual(['#tag']);
    });
});
