/**
 * The parser reads a note as Obsidian does for links, embeds, headings, block ids and shown tags: nothing inside HTML
 * comments, `%%` comments, fenced code (callouts and list items too) or inline code. The exclusion tags keep their
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

        expect([...vault.backlinks('Hub.md')].sort()).toEqual(['Callouts.md', 'Comments.md', 'Plain.md']);
        expect(vault.metadata('Hub.md')?.headings.map((h) => h.heading)).toEqual(['Hub', 'Section']);
    });

    it('keeps the over-reading for exclusion: tags in comments and in code inside callouts still count', async () => {
        const vault = await openFixture();
        const comments = vault.metadata('Comments.md')?.tags ?? [];
        for (const tag of ['#html-comment-tag', '#inline-html', '#inline-percent', '#percent-tag']) {
            expect(comments).toContain(tag);
        }
        expect(vault.metadata('Callouts.md')?.tags).toContain('#ff0000');

        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        for (const path of [
            'Private in HTML comment.md',
            'Private in percent comment.md',
            'Private in callout code.md',
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
