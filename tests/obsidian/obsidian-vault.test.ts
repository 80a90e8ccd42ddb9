import type { App as ObsidianApp } from 'obsidian';
import { beforeEach, describe, expect, it } from 'vitest';
import { ObsidianVault } from '../../src/obsidian/obsidian-vault';
import { VaultError } from '../../src/kernel/vault-port';
import type { VaultChange } from '../../src/kernel/vault-port';
import { App } from '../support/obsidian-stub';

const pos = (start: number, end = start) => ({
    start: { line: start, col: 0, offset: 0 },
    end: { line: end, col: 0, offset: 0 },
});

async function makeVault(files: Record<string, string>, configDir = '.config-x') {
    const app = new App({ configDir });
    for (const [path, text] of Object.entries(files)) {
        const folders = path.split('/').slice(0, -1);
        for (let i = 1; i <= folders.length; i++) {
            const folder = folders.slice(0, i).join('/');
            if (!app.vault.getAbstractFileByPath(folder)) await app.vault.createFolder(folder);
        }
        await app.vault.create(path, text);
    }
    app.vault.calls = [];
    return { app, vault: new ObsidianVault({ app: app as unknown as ObsidianApp }) };
}

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
    const error = await promise.then(
        () => null,
        (e: unknown) => e,
    );
    if (!(error instanceof VaultError)) throw new Error(`expected a VaultError, got ${String(error)}`);
    return error;
}

describe('ObsidianVault metadata', () => {
    it('says nothing about a note until Obsidian has indexed it (fail closed)', async () => {
        const { app, vault } = await makeVault({ 'Journal/Day.md': '#private' });
        expect(vault.metadata('Journal/Day.md')).toBeUndefined();
        app.metadataCache.setCache('Journal/Day.md', { tags: [{ tag: '#private', position: pos(0) }] });
        expect(vault.metadata('Journal/Day.md')?.tags).toEqual(['#private']);
    });

    it('reports every tag form, frontmatter and inline, with its case as written', async () => {
        const { app, vault } = await makeVault({ 'Health.md': 'x' });
        app.metadataCache.setCache('Health.md', {
            frontmatter: { tags: ['Private/health', 'idea'], tag: 'Customer', aliases: 'Doctor, GP' },
            frontmatterPosition: pos(0, 4),
            tags: [
                { tag: '#private', position: pos(6) },
                { tag: '#idea', position: pos(7) },
            ],
        });
        const metadata = vault.metadata('Health.md');
        expect(metadata?.tags).toEqual(['#Private/health', '#idea', '#Customer', '#private']);
        expect(metadata?.aliases).toEqual(['Doctor', 'GP']);
        expect(metadata?.frontmatter).toMatchObject({ tag: 'Customer' });
    });

    it('treats a frontmatter block Obsidian could not parse as unknown tags', async () => {
        const { app, vault } = await makeVault({ 'Broken.md': '---\ntags: [private\n---\n' });
        app.metadataCache.setCache('Broken.md', { frontmatterPosition: pos(0, 2) });
        const metadata = vault.metadata('Broken.md');
        expect(metadata?.tags).toBeUndefined();
        expect(metadata?.frontmatterError).toMatch(/could not be parsed/);
        app.metadataCache.setCache('Broken.md', { sections: [{ type: 'yaml', position: pos(0, 2) }] });
        expect(vault.metadata('Broken.md')?.tags).toBeUndefined();
        app.metadataCache.setCache('Broken.md', {
            frontmatterPosition: pos(0, 1),
            tags: [{ tag: '#a', position: pos(3) }],
        });
        expect(vault.metadata('Broken.md')?.tags).toEqual(['#a']);
    });

    it('maps links, embeds, headings and blocks with zero-based lines', async () => {
        const { app, vault } = await makeVault({ 'Idea.md': 'x' });
        app.metadataCache.setCache('Idea.md', {
            links: [
                {
                    link: 'Paper#Method',
                    original: '[[Paper#Method|the method]]',
                    displayText: 'the method',
                    position: pos(3),
                },
                { link: 'Other', original: '[[Other]]', displayText: 'Other', position: pos(4) },
            ],
            embeds: [{ link: 'Chart.png', original: '![[Chart.png]]', displayText: 'Chart.png', position: pos(5) }],
            headings: [{ heading: 'Method', level: 2, position: pos(1) }],
            blocks: { b1: { id: 'b1', position: pos(7, 8) } },
        });
        const metadata = vault.metadata('Idea.md');
        expect(metadata?.links).toEqual([
            {
                link: 'Paper',
                subpath: '#Method',
                displayText: 'the method',
                original: '[[Paper#Method|the method]]',
                line: 3,
            },
            { link: 'Other', subpath: '', original: '[[Other]]', line: 4 },
        ]);
        expect(metadata?.embeds).toEqual([{ link: 'Chart.png', subpath: '', original: '![[Chart.png]]', line: 5 }]);
        expect(metadata?.headings).toEqual([{ level: 2, heading: 'Method', line: 1 }]);
        expect(metadata?.blocks).toEqual([{ id: 'b1', startLine: 7, endLine: 8 }]);
    });

    it('resolves links and inverts resolvedLinks into backlinks', async () => {
        const { app, vault } = await makeVault({ 'Research/Paper.md': 'p', 'Idea.md': '[[Paper]]', 'Log.md': '' });
        app.metadataCache.resolvedLinks = { 'Idea.md': { 'Research/Paper.md': 1 }, 'Log.md': {} };
        expect(vault.resolveLink('Paper', 'Idea.md')).toBe('Research/Paper.md');
        expect(vault.resolveLink('Missing', 'Idea.md')).toBeNull();
        expect(vault.backlinks('Research/Paper.md')).toEqual(['Idea.md']);
    });

    it('keeps the backlink index only while watching, and rebuilds it when links are resolved again', async () => {
        const { app, vault } = await makeVault({ 'A.md': '', 'B.md': '', 'C.md': '' });
        app.metadataCache.resolvedLinks = { 'A.md': { 'C.md': 1 } };
        vault.watch(() => undefined);
        expect(vault.backlinks('C.md')).toEqual(['A.md']);
        app.metadataCache.resolvedLinks['B.md'] = { 'C.md': 1 };
        expect(vault.backlinks('C.md')).toEqual(['A.md']);
        app.metadataCache.trigger('resolved');
        expect(vault.backlinks('C.md')).toEqual(['A.md', 'B.md']);
    });
});

describe('ObsidianVault reads and writes', () => {
    let ctx: Awaited<ReturnType<typeof makeVault>>;
    beforeEach(async () => {
        ctx = await makeVault({ 'Notes.md': 'original', 'Café.md': 'nfc', 'Daily/2026-11-20.md': 'today' });
    });

    it('reads from disk with Vault.read, never the cache, so an edit base is current', async () => {
        await expect(ctx.vault.read('Daily/2026-11-20.md')).resolves.toBe('today');
        expect(ctx.app.vault.calls).toEqual(['read']);
        expect((await rejection(ctx.vault.read('Nope.md'))).code).toBe('not-found');
    });

    it('never overwrites through a case or Unicode twin', async () => {
        for (const twin of ['Notes.md', 'notes.md', 'NOTES.md', 'Cafe\u0301.md']) {
            expect((await rejection(ctx.vault.create(twin, 'new'))).code).toBe('exists');
        }
        await expect(ctx.vault.read('Notes.md')).resolves.toBe('original');
        await expect(ctx.vault.read('Café.md')).resolves.toBe('nfc');
    });

    it('creates a note and its missing parent folders', async () => {
        await ctx.vault.create('Agent/Outputs/Report.md', 'done');
        await expect(ctx.vault.read('Agent/Outputs/Report.md')).resolves.toBe('done');
        expect(ctx.app.vault.getFolderByPath('Agent/Outputs')).not.toBeNull();
    });

    it('refuses every write into the configured config folder, and does not hard-code .obsidian', async () => {
        const target = '.config-x/plugins/vault-agent/data.json';
        expect((await rejection(ctx.vault.create(target, '{}'))).code).toBe('protected');
        expect((await rejection(ctx.vault.create('.config-x/snippets/a.css', 'x'))).code).toBe('protected');
        expect((await rejection(ctx.vault.rename('Notes.md', '.config-x/Notes.md'))).code).toBe('protected');
        expect((await rejection(ctx.vault.create('.trash/x.md', 'x'))).code).toBe('protected');
        expect((await rejection(ctx.vault.create('.git/config', 'x'))).code).toBe('protected');
        expect(ctx.app.vault.getAbstractFileByPath('.config-x')).toBeNull();
        await ctx.vault.create('.obsidian-notes/ok.md', 'not the config folder here');
    });

    it('rejects hostile paths before touching the vault', async () => {
        for (const path of ['../x.md', '..\\x.md', '/etc/passwd', 'C:\\x.md', 'a/%2e%2e/b.md', 'a\u0000.md']) {
            expect((await rejection(ctx.vault.create(path, 'x'))).code).toBe('invalid-path');
            expect((await rejection(ctx.vault.read(path))).code).toBe('invalid-path');
        }
        expect(ctx.app.vault.calls).toEqual([]);
    });

    it('applies a read-modify-write through Vault.process', async () => {
        await expect(ctx.vault.process('Notes.md', (text) => `${text}!`)).resolves.toBe('original!');
        await expect(ctx.vault.read('Notes.md')).resolves.toBe('original!');
    });

    it('renames through the file manager (which updates links) and never onto an existing note', async () => {
        await ctx.vault.rename('Notes.md', 'Archive/Old notes.md');
        expect(ctx.app.fileManager.renamed).toEqual([['Notes.md', 'Archive/Old notes.md']]);
        expect((await rejection(ctx.vault.rename('Archive/Old notes.md', 'café.md'))).code).toBe('exists');
        await ctx.vault.rename('Archive/Old notes.md', 'Archive/OLD NOTES.md');
        await expect(ctx.vault.read('Archive/OLD NOTES.md')).resolves.toBe('original');
    });

    it('trashes through the file manager, never a hard delete', async () => {
        await ctx.vault.trash('Notes.md');
        expect(ctx.app.fileManager.trashed).toEqual(['Notes.md']);
        expect(await ctx.vault.stat('Notes.md')).toBeNull();
    });

    it('lists files with their size and times, and reports changes until unsubscribed', async () => {
        const entries = await ctx.vault.list();
        expect(entries.map((e) => e.path).sort()).toEqual(['Café.md', 'Daily/2026-11-20.md', 'Notes.md']);
        expect(entries.find((e) => e.path === 'Notes.md')).toMatchObject({ size: 8 });
        const seen: VaultChange[] = [];
        const stop = ctx.vault.onChange((change) => seen.push(change));
        await ctx.vault.create('New.md', '');
        await ctx.vault.process('New.md', () => 'x');
        await ctx.vault.rename('New.md', 'Renamed.md');
        await ctx.vault.trash('Renamed.md');
        stop();
        await ctx.vault.create('Unseen.md', '');
        expect(seen).toEqual([
            { type: 'create', path: 'New.md' },
            { type: 'modify', path: 'New.md' },
            { type: 'rename', path: 'Renamed.md', oldPath: 'New.md' },
            { type: 'delete', path: 'Renamed.md' },
        ]);
    });
});
