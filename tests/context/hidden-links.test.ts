/**
 * docs/RELIABILITY.md row 12, the link route: a visible note's links and embeds of excluded notes are replaced by one
 * placeholder that names nothing, in every link form, while everything else in the text stays byte for byte.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import {
    containsHiddenPlaceholder,
    HIDDEN_EMBED,
    HIDDEN_LINK,
    isHiddenLink,
    originalOffset,
    redactHiddenLinks,
    touchesRedaction,
    type RedactedText,
} from '../../src/context/hidden-links';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const FILES: Record<string, string> = {
    'Notes/Quokka.md': '---\ntags: [private]\n---\n# Quokka\n## Secret\ntext ^b1\n',
    'Journal/Tapir.md': 'In the excluded folder.\n',
    'Journal/My day.md': 'A day in the excluded folder.\n',
    'Journal/photo.png': 'not really a picture',
    'Public.md': '# Public\n',
    'Projects/Alpha.md': '# Alpha\n',
};

let temp: TempVault;
let gate: ExclusionGate;

beforeEach(async () => {
    temp = await makeTempVault(FILES);
    gate = new ExclusionGate({
        vault: temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    });
});

afterEach(async () => {
    await temp.cleanup();
});

function redact(text: string, source = 'Public.md'): RedactedText {
    return redactHiddenLinks(text, source, { vault: temp.vault, gate });
}

describe('redactHiddenLinks', () => {
    it.each([
        ['a wikilink', 'See [[Quokka]].', `See ${HIDDEN_LINK}.`],
        ['an embed', 'See ![[Quokka]].', `See ${HIDDEN_EMBED}.`],
        ['an embed of a heading', '![[Quokka#Secret]]', HIDDEN_EMBED],
        ['an embed of a block typed without #', '![[Quokka^b1]]', HIDDEN_EMBED],
        ['a block link', '[[Quokka#^b1]]', HIDDEN_LINK],
        ['an alias, which may describe the note', '[[Quokka|my doctor]]', HIDDEN_LINK],
        ['an escaped alias in a table', '| [[Quokka\\|my doctor]] |', `| ${HIDDEN_LINK} |`],
        ['a path into an excluded folder', '[[Journal/Tapir]]', HIDDEN_LINK],
        ['a Markdown link', '[the note](Notes/Quokka.md)', HIDDEN_LINK],
        ['a Markdown embed', '![pic](Journal/photo.png)', HIDDEN_EMBED],
        ['a Markdown link with a title', '[x](Journal/Tapir.md "title")', HIDDEN_LINK],
        ['a Markdown link with an encoded space', '[x](Journal/My%20day.md)', HIDDEN_LINK],
        ['a Markdown link in angle brackets', '[x](<Journal/My day.md>)', HIDDEN_LINK],
        ['a Markdown link with a bare space', '[x](Journal/My day.md)', HIDDEN_LINK],
        ['a Markdown link with a heading', '[x](Notes/Quokka.md#Secret)', HIDDEN_LINK],
        ['an attachment in an excluded folder', '![[Journal/photo.png]]', HIDDEN_EMBED],
        ['a link in inline code (still a name)', '`[[Quokka]]`', `\`${HIDDEN_LINK}\``],
        ['a link in a frontmatter value', '---\nrelated: "[[Quokka]]"\n---\n', `---\nrelated: "${HIDDEN_LINK}"\n---\n`],
    ])('replaces %s', (_form, text, expected) => {
        const result = redact(text);
        expect(result.text).toBe(expected);
        expect(result.redactions).toBe(1);
    });

    it('replaces a link inside a fenced code block too: the parser does not read it, but it names the note', () => {
        const result = redact('```\n[[Quokka]] and ![[Tapir]]\n```\n');
        expect(result.text).toBe(`\`\`\`\n${HIDDEN_LINK} and ${HIDDEN_EMBED}\n\`\`\`\n`);
        expect(result.redactions).toBe(2);
    });

    it('uses one placeholder for every hidden note, so two hidden links cannot be told apart', () => {
        const a = redact('[[Quokka]]').text;
        const b = redact('[[Journal/Tapir|alias]]').text;
        expect(a).toBe(b);
        expect(redact('![[Quokka#Secret]]').text).toBe(redact('![[Journal/My day]]').text);
    });

    it('keeps links to visible notes, unresolved links, self-links and web links byte for byte', () => {
        const text =
            '[[Public]] ![[Projects/Alpha#Alpha]] [[Nowhere]] [[#Heading]] [[Public|alias]] ' +
            '[site](https://example.org/Quokka.md) [a](Projects/Alpha.md) <https://x.org>\n';
        const result = redact(text);
        expect(result.text).toBe(text);
        expect(result.redactions).toBe(0);
        expect(result.spans).toEqual([]);
    });

    it('redacts an unresolved link whose path lies in an excluded folder (fail closed: the index may lag)', () => {
        expect(redact('[[Journal/Not written yet]]').text).toBe(HIDDEN_LINK);
        expect(redact('[x](Journal/Later.md)').text).toBe(HIDDEN_LINK);
        // An unresolved link elsewhere names nothing that exists.
        expect(redact('[[Somewhere/Not written yet]]').text).toBe('[[Somewhere/Not written yet]]');
    });

    it('leaves a private name in ordinary prose alone: nothing marks it as a reference, so it cannot be told apart', () => {
        // Documented limit: redacting every word that equals a note name would garble ordinary text.
        const text = 'I saw a Quokka at the zoo; the Tapir slept. Quokka.md is a file name in prose.\n';
        expect(redact(text).text).toBe(text);
    });

    it('keeps every line break, CRLF included, so line numbers do not move', () => {
        const text = 'one [[Quokka]]\r\ntwo ![[Journal/Tapir#H]] and [[Public]]\r\nthree\r\n';
        const result = redact(text);
        expect(result.text).toBe(`one ${HIDDEN_LINK}\r\ntwo ${HIDDEN_EMBED} and [[Public]]\r\nthree\r\n`);
        expect(result.text.split('\n')).toHaveLength(text.split('\n').length);
    });

    it('replaces adjacent hidden links each on their own, and a hidden embed wrapped in a visible link', () => {
        expect(redact('[[Quokka]][[Journal/Tapir]]').text).toBe(`${HIDDEN_LINK}${HIDDEN_LINK}`);
        expect(redact('[![[Quokka]]](Public.md)').text).toBe(`[${HIDDEN_EMBED}](Public.md)`);
    });

    it('maps offsets outside placeholders back to the note’s own text', () => {
        const text = 'ab [[Quokka]] cd ![[Journal/Tapir]] ef';
        const result = redact(text);
        const shown = result.text;
        for (const word of ['ab', 'cd', 'ef']) {
            const at = shown.indexOf(word);
            const real = originalOffset(result, at);
            expect(text.slice(real, real + 2)).toBe(word);
            expect(originalOffset(result, at + 2) - real).toBe(2);
        }
        const placeholderAt = shown.indexOf(HIDDEN_LINK);
        expect(touchesRedaction(result, placeholderAt - 3, placeholderAt)).toBe(false);
        expect(touchesRedaction(result, placeholderAt - 3, placeholderAt + 1)).toBe(true);
        expect(
            touchesRedaction(result, placeholderAt + HIDDEN_LINK.length, placeholderAt + HIDDEN_LINK.length + 2),
        ).toBe(false);
        expect(result.spans.map((s) => text.slice(s.start, s.end))).toEqual(['[[Quokka]]', '![[Journal/Tapir]]']);
    });

    it('resolves from the source note’s folder, as Obsidian does', () => {
        expect(
            isHiddenLink({ link: '../Journal/Tapir', subpath: '', original: '', line: 0 }, 'Projects/Alpha.md', {
                vault: temp.vault,
                gate,
            }),
        ).toBe(true);
        expect(redact('[[Alpha]]', 'Projects/Alpha.md').redactions).toBe(0);
    });

    it('recognises the placeholder in text the model writes', () => {
        expect(containsHiddenPlaceholder(`x ${HIDDEN_EMBED} y`)).toBe(true);
        expect(containsHiddenPlaceholder('[[hidden]] note')).toBe(false);
    });
});
