import { afterEach, describe, expect, it } from 'vitest';
import { EMBED_UNAVAILABLE, EmbedExpander } from '../../src/context/embeds';
import { ExclusionGate } from '../../src/context/exclusions';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault | undefined;
afterEach(() => temp?.cleanup());

async function expanderFor(files: Record<string, string>, maxDepth?: number) {
    temp = await makeTempVault(files);
    const gate = new ExclusionGate({
        vault: temp.vault,
        privacy: { excludedTags: ['private'], excludedFolders: ['Secret/'] },
    });
    return new EmbedExpander({ vault: temp.vault, gate, maxDepth });
}

describe('EmbedExpander', () => {
    it('expands a note, a heading section and a block in place', async () => {
        const expander = await expanderFor({
            'A.md': 'top\n![[B]]\n![[B#Two]]\n![[B^k]]',
            'B.md': '# One\nfirst\n# Two\nsecond\n\nblock text ^k',
        });
        const text = await expander.expand('top\n![[B]]\n![[B#Two]]\n![[B^k]]', 'A.md');
        expect(text).toContain('<embed source="B">\n# One\nfirst\n# Two\nsecond\n\nblock text ^k\n</embed>');
        expect(text).toContain('<embed source="B#Two">\n# Two\nsecond\n\nblock text ^k\n</embed>');
        expect(text).toContain('<embed source="B#^k">\nblock text ^k\n</embed>');
    });

    it('stops at the depth limit and says so', async () => {
        const expander = await expanderFor(
            { 'A.md': '![[B]]', 'B.md': 'b ![[C]]', 'C.md': 'c ![[D]]', 'D.md': 'DDD' },
            3,
        );
        const text = await expander.expand('![[B]]', 'A.md');
        expect(text).toContain('b ');
        expect(text).toContain('c [embedded note not expanded: nested too deep: D]');
        expect(text).not.toContain('DDD');
    });

    it('is cycle-safe: a note that embeds itself, directly or through another, is expanded once', async () => {
        const expander = await expanderFor({ 'A.md': 'a ![[B]]', 'B.md': 'b ![[A]] ![[B]]' }, 10);
        const text = await expander.expand('a ![[B]]', 'A.md');
        expect(text.match(/it embeds itself/g)).toHaveLength(2);
    });

    it('leaves embeds inside code alone and neutralises them as text', async () => {
        const expander = await expanderFor({ 'A.md': '', 'B.md': 'bee' });
        const text = await expander.expand('```\n![[B]]\n```\n`![[B]]`', 'A.md');
        expect(text).not.toContain('bee');
    });

    it('drops the names of hidden notes from links in code, block links and Markdown links, as the read tools do', async () => {
        const expander = await expanderFor({ 'A.md': '', 'Quokka.md': '#private x', 'Secret/Okapi.md': 'o' });
        const text = await expander.expand(
            '```\nsee [[Quokka]]\n```\n`[[Secret/Okapi]]` and [[Quokka^b1]] and [doc](Quokka.md) and ![[Quokka^b1]]',
            'A.md',
        );
        expect(text).not.toMatch(/Quokka|Okapi/);
    });

    it('names nothing for excluded and missing targets, and the same placeholder for both', async () => {
        const expander = await expanderFor({
            'A.md': '',
            'P.md': '#private x',
            'Secret/S.md': 's',
            'Secret/img.png': 'png',
        });
        const text = await expander.expand('![[P]] ![[Secret/S]] ![[Gone]] ![[img.png]]', 'A.md');
        expect(text).toBe([EMBED_UNAVAILABLE, EMBED_UNAVAILABLE, EMBED_UNAVAILABLE, EMBED_UNAVAILABLE].join(' '));
    });
});
