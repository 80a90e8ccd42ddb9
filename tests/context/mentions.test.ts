import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbedExpander } from '../../src/context/embeds';
import { parseMentions } from '../../src/context/mention-parser';
import { MentionResolver } from '../../src/context/mentions';
import { makeCanaryVault, type CanaryVault } from './context-fixtures';

describe('parseMentions', () => {
    it('reads every mention kind with its range', () => {
        const text =
            'See @[[Note]], @[[Note#Heading]], @[[Note^b1]], @[[Note#^b2]], @[[Note|Alias]], @Projects/Alpha/, @[[My Folder/]] and @#team/core.';
        const mentions = parseMentions(text);
        expect(
            mentions.map((m) =>
                m.kind === 'note'
                    ? [m.kind, m.link, m.subpath, m.display]
                    : m.kind === 'folder'
                      ? [m.kind, m.folder]
                      : [m.kind, m.tag],
            ),
        ).toEqual([
            ['note', 'Note', '', undefined],
            ['note', 'Note', '#Heading', undefined],
            ['note', 'Note', '#^b1', undefined],
            ['note', 'Note', '#^b2', undefined],
            ['note', 'Note', '', 'Alias'],
            ['folder', 'Projects/Alpha'],
            ['folder', 'My Folder'],
            ['tag', 'team/core'],
        ]);
        for (const mention of mentions) expect(text.slice(mention.range.start, mention.range.end)).toBe(mention.raw);
    });

    it('does not read e-mail addresses, a folder name without its slash, or a path into a note as mentions', () => {
        expect(parseMentions('mail me@example.com or @Projects or @Projects/notes')).toEqual([]);
    });
});

describe('MentionResolver', () => {
    let fixture: CanaryVault;
    let resolver: MentionResolver;

    beforeEach(async () => {
        fixture = await makeCanaryVault();
        const embeds = new EmbedExpander({ vault: fixture.vault, gate: fixture.gate });
        resolver = new MentionResolver({ vault: fixture.vault, gate: fixture.gate, embeds, listLimit: 2 });
    });

    afterEach(() => fixture.cleanup());

    it('resolves a note by name, by path, and by alias, like Obsidian', async () => {
        const { items } = await resolver.resolve('@[[Alpha]] @[[projects/beta]] @[[Project A|the plan]]', null);
        expect(items.map((i) => [i.kind, i.path])).toEqual([
            ['mention', 'Projects/Alpha.md'],
            ['mention', 'Projects/Beta.md'],
        ]);
    });

    it('attaches only the named heading section or block', async () => {
        const { items } = await resolver.resolve('@[[Alpha#Goals]] @[[Alpha^risk1]]', null);
        expect(items[0]?.text).toBe('## Goals\nShip the garden planner.');
        expect(items[0]?.attributes).toEqual({ section: '#Goals', lines: '6-7' });
        expect(items[1]?.text).toBe('Weather. ^risk1');
    });

    it('attaches the whole note and says so when the section does not exist', async () => {
        const { items } = await resolver.resolve('@[[Alpha#Nowhere]]', null);
        expect(items[0]?.text).toContain('Alpha intro.');
        expect(items[0]?.remark).toContain('not found');
    });

    it('tells the person when a mention resolves to nothing, and leaves the message alone', async () => {
        const { items, message } = await resolver.resolve('@[[Nothing here]]', null);
        expect(items).toEqual([expect.objectContaining({ kind: 'missing', label: '@[[Nothing here]]' })]);
        expect(message).toBe('@[[Nothing here]]');
    });

    it('attaches a folder’s visible notes, bounded, saying how many more there are', async () => {
        await fixture.write('Projects/Gamma.md', 'gamma');
        await fixture.vault.scan();
        const { items } = await resolver.resolve('@Projects/', null);
        expect(items.map((i) => i.path)).toEqual(['Projects/AGENTS.md', 'Projects/Alpha.md']);
        expect(items[1]?.remark).toBe('2 more notes in this folder were not attached');
    });

    it('attaches the visible notes of a tag and counts the excluded ones for the person only', async () => {
        const { items, message } = await resolver.resolve('@#team', null);
        expect(items.map((i) => [i.kind, i.path])).toEqual([
            ['mention', 'Projects/Beta.md'],
            ['excluded', undefined],
        ]);
        expect(items[1]?.excludedReason).toBe('1 note with this tag: tagged #private');
        expect(message).toBe('@#team');
    });

    it('attaches a note mentioned twice only once', async () => {
        const { items } = await resolver.resolve('@[[Alpha]] and again @[[Projects/Alpha]]', null);
        expect(items).toHaveLength(1);
    });
});
