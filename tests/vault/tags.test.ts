import { describe, expect, it } from 'vitest';
import { parseNote } from '../../src/vault/note-parser';
import { tagMatches } from '../../src/vault/tags';

function tagsOf(text: string): string[] | undefined {
    return parseNote(text).tags;
}

describe('frontmatter tags (docs/RELIABILITY.md row 11)', () => {
    it('reads a YAML list', () => {
        expect(tagsOf('---\ntags:\n  - private\n  - work\n---\nBody')).toEqual(['#private', '#work']);
    });

    it('reads a flow list', () => {
        expect(tagsOf('---\ntags: [private, work]\n---\n')).toEqual(['#private', '#work']);
    });

    it('reads a single string', () => {
        expect(tagsOf('---\ntags: private\n---\n')).toEqual(['#private']);
    });

    it('reads a comma-separated string', () => {
        expect(tagsOf('---\ntags: "work, private"\n---\n')).toEqual(['#work', '#private']);
    });

    it('reads a space-separated string', () => {
        expect(tagsOf('---\ntags: work private/health\n---\n')).toEqual(['#work', '#private/health']);
    });

    it('reads the singular tag: key, and the key in any case', () => {
        expect(tagsOf('---\ntag: private\n---\n')).toEqual(['#private']);
        expect(tagsOf('---\nTags: [Private]\n---\n')).toEqual(['#Private']);
        expect(tagsOf('---\nTAGS: private\n---\n')).toEqual(['#private']);
    });

    it('reads both tags: and tag: when a note has both', () => {
        expect(tagsOf('---\ntags: work\ntag: private\n---\n')).toEqual(['#work', '#private']);
    });

    it('accepts a quoted # prefix inside YAML', () => {
        expect(tagsOf('---\ntags: ["#private", "#work"]\n---\n')).toEqual(['#private', '#work']);
        expect(tagsOf('---\ntags: "#private"\n---\n')).toEqual(['#private']);
    });

    it('reads an unquoted # that YAML takes for a comment, because a person meant a tag', () => {
        expect(tagsOf('---\ntags: #private\n---\n')).toEqual(['#private']);
        expect(tagsOf('---\ntags:\n  - #private\n  - work\n---\n')).toEqual(['#work', '#private']);
    });

    it('flattens nested lists and keeps numbers as tags', () => {
        expect(tagsOf('---\ntags:\n  - [a, [private]]\n  - 2024\n---\n')).toEqual(['#a', '#private', '#2024']);
    });

    it('leaves tags unknown when the YAML is malformed', () => {
        const metadata = parseNote('---\ntags: [private\ntitle: "x\n---\nBody #work');
        expect(metadata.tags).toBeUndefined();
        expect(metadata.frontmatter).toBeNull();
        expect(metadata.frontmatterError).toMatch(/YAML/);
    });

    it('leaves tags unknown when the frontmatter is not a mapping', () => {
        expect(tagsOf('---\n- private\n- work\n---\n')).toBeUndefined();
        expect(tagsOf('---\njust a sentence\n---\n')).toBeUndefined();
    });

    it('leaves tags unknown when the frontmatter is never closed', () => {
        const metadata = parseNote('---\ntags: private\n\nThe body goes on #work');
        expect(metadata.tags).toBeUndefined();
        expect(metadata.frontmatterError).toMatch(/not closed/);
    });

    it('leaves tags unknown when the frontmatter ends its lines with lone carriage returns', () => {
        const metadata = parseNote('---\rtags: private\r---\rBody #work\r');
        expect(metadata.tags).toBeUndefined();
        expect(metadata.frontmatterError).toMatch(/lone carriage returns/);
    });

    it('reads tags a YAML merge key brings in, as Obsidian does', () => {
        expect(tagsOf('---\n<<: {tags: [private]}\n---\n')).toEqual(['#private']);
        expect(tagsOf('---\nbase: &b\n  tags: private\n<<: *b\n---\n')).toEqual(['#private']);
        expect(parseNote('---\n<<: 5\n---\n').tags).toBeUndefined();
    });

    it('reads frontmatter written with CRLF line endings and a BOM', () => {
        expect(tagsOf('\uFEFF---\r\ntags: [private]\r\n---\r\nBody #work\r\n')).toEqual(['#private', '#work']);
    });

    it('leaves tags unknown, quickly, when YAML anchors blow the tag list up', () => {
        const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
        for (let i = 1; i < 12; i++)
            levels.push(
                `l${i}: &l${i} [${Array(10)
                    .fill(i === 1 ? '*a' : `*l${i - 1}`)
                    .join(', ')}]`,
            );
        const started = Date.now();
        const metadata = parseNote(`---\n${levels.join('\n')}\ntags: [*l11]\n---\n`);
        expect(metadata.tags).toBeUndefined();
        expect(metadata.frontmatterError).toMatch(/too large|alias count/i);
        expect(Date.now() - started).toBeLessThan(2000);
    });

    it('never runs a JavaScript frontmatter engine', () => {
        const metadata = parseNote('---js\n{ tags: ["private"] }\n---\n');
        expect(metadata.frontmatter).toBeNull();
    });
});

describe('inline tags (docs/RELIABILITY.md row 11)', () => {
    it('reads #private in a sentence and #Private/health as written', () => {
        expect(tagsOf('Notes about #private things and #Private/health.')).toEqual(['#private', '#Private/health']);
    });

    it('reads a tag at the start of a line and after a tab', () => {
        expect(tagsOf('#private\n\t#work')).toEqual(['#private', '#work']);
    });

    it('reads tags after whitespace of any kind, including NBSP and the ideographic space', () => {
        expect(tagsOf('a\u00A0#one b\u3000#two')).toEqual(['#one', '#two']);
    });

    it('reads tags after punctuation that opens a phrase (fail closed)', () => {
        expect(tagsOf('(#a) "#b" [#c] *#d* _#e_ ==#f== |#g| x,#h Tags:#i end.#j %%#k%%')).toEqual([
            '#a',
            '#b',
            '#c',
            '#d',
            '#e_',
            '#e',
            '#f',
            '#g',
            '#h',
            '#i',
            '#j',
            '#k',
        ]);
    });

    it('reads a tag in underscore emphasis both with and without the closing underscore', () => {
        expect(tagsOf('_#private_ and snake_case_#work')).toEqual(['#private_', '#private', '#work']);
    });

    it('reads two tags written back to back', () => {
        expect(tagsOf('#one#two')).toEqual(['#one', '#two']);
    });

    it('stops a tag at punctuation that cannot be part of it', () => {
        expect(tagsOf('Is it #private? Yes: #private. And #work, #home!')).toEqual(['#private', '#work', '#home']);
    });

    it('reads letters of any script, emoji, digits with letters, hyphens and underscores', () => {
        expect(tagsOf('#日本語 #café #π #🔒secret #y1984 #a-b_c')).toEqual([
            '#日本語',
            '#café',
            '#π',
            '#🔒secret',
            '#y1984',
            '#a-b_c',
        ]);
    });

    it('reads tags inside heading text', () => {
        expect(tagsOf('## Title #private')).toEqual(['#private']);
    });

    it('reads tags in a link text but not in the link target', () => {
        expect(tagsOf('[About #private](Other.md#work) [[#Heading]] [[Note#Sub]]')).toEqual(['#private']);
    });

    it('reads tags inside comments, which Obsidian may hide but a person may rely on (fail closed)', () => {
        expect(tagsOf('%% #private %%\n<!-- #health -->')).toEqual(['#private', '#health']);
    });

    it('deduplicates a tag written twice', () => {
        expect(tagsOf('#private and #private again')).toEqual(['#private']);
    });

    it('reads the tags of a code fence that is never closed (fail closed)', () => {
        expect(tagsOf('Intro\n```\nstill open #private')).toEqual(['#private']);
    });
});

describe('things that are not tags', () => {
    it('ignores a heading marker', () => {
        expect(tagsOf('# Title\n## Sub title')).toEqual([]);
    });

    it('ignores all-digit tags but not digits with a letter', () => {
        expect(tagsOf('Issue #123 and #123a and #2024/q1')).toEqual(['#123a', '#2024/q1']);
    });

    it('reads a tag after an invisible format character (fail closed)', () => {
        // Zero-width space, zero-width joiner, word joiner, left-to-right mark, soft hyphen.
        expect(tagsOf('\u200B#a x\u200D#b \u2060#c \u200E#d \u00AD#e')).toEqual(['#a', '#b', '#c', '#d', '#e']);
    });

    it('reads a tag right after an emoji, with or without its modifiers (fail closed)', () => {
        expect(tagsOf('🔒#a ⚠\ufe0f#b 1\ufe0f\u20e3#c 👍🏽#d')).toEqual(['#a', '#b', '#c', '#d']);
        // Letters of any script still glue: `日本#x` and `é#x` are no tags, as in Obsidian.
        expect(tagsOf('日本#x é#y 𝐀#z')).toEqual([]);
    });

    it('reads a tag after any ASCII control character, a lone carriage return included (fail closed)', () => {
        expect(tagsOf('a\v#a b\f#b c\r#c d\u0000#d')).toEqual(['#a', '#b', '#c', '#d']);
    });

    it('ignores # after a letter, digit, slash, ampersand, hyphen or backslash', () => {
        expect(tagsOf('C# foo#bar 1#x a/#y &#x27; a-#z \\#escaped x\\\\\\#escaped')).toEqual([]);
    });

    it('reads a tag after what may close math, code or a link, and after an escaped character (fail closed)', () => {
        // Obsidian shows `$a$#x`, `` `c`#x ``, `[[a]]#x` and `\\#x`; `$#m$` is math to it, read here all the same.
        expect(tagsOf('$a$#x `c`#y [[a]]#z \\\\#w $#m$')).toEqual(['#x', '#y', '#z', '#w', '#m']);
    });

    it('ignores # inside URLs', () => {
        expect(tagsOf('See http://x.com/#anchor and https://x.com/?q=#frag and https://a.b/#/s#p')).toEqual([]);
    });

    it('ignores tags inside ``` and ~~~ fences', () => {
        expect(tagsOf('```\n#private\n```\n~~~python\n#private\n~~~\nafter #work')).toEqual(['#work']);
    });

    it('keeps a fence open until a closing fence at least as long, with no info string', () => {
        const text = '````md\n```\n#hidden1\n```js\n#hidden2\n````\n#shown';
        expect(tagsOf(text)).toEqual(['#shown']);
    });

    it('does not close a ``` fence with ~~~', () => {
        expect(tagsOf('```\n~~~\n#hidden\n```\n#shown')).toEqual(['#shown']);
    });

    it('ignores tags in inline code, of any backtick length', () => {
        expect(tagsOf('Use `#private` or ``a ` #work`` but #real')).toEqual(['#real']);
    });

    it('reads a tag after an unmatched backtick', () => {
        expect(tagsOf('a ` lone backtick #private')).toEqual(['#private']);
    });

    it('does not read body tags from the frontmatter text', () => {
        expect(tagsOf('---\ntitle: "About #private"\n---\nBody')).toEqual([]);
    });
});

describe('tagMatches', () => {
    it('matches case-insensitively, with or without #', () => {
        expect(tagMatches('#Private', 'private')).toBe(true);
        expect(tagMatches('private', '#PRIVATE')).toBe(true);
    });

    it('matches nested tags under a parent, not siblings with the same prefix', () => {
        expect(tagMatches('#Private/health', '#private')).toBe(true);
        expect(tagMatches('#privately', '#private')).toBe(false);
        expect(tagMatches('#private', '#private/health')).toBe(false);
    });
});
