/**
 * Paging of every listing tool through `vault-agent mcp`: the built `dist/cli.js` driven by the official MCP SDK
 * `Client` over stdio on a real temp vault with a 500-note folder whose notes all link to one hub note and carry one
 * tag. Following "call again with offset=K" from the first page to the last collects every entry exactly once, and the
 * tools' input schemas offer `offset`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI } from './cli-harness';

const NOTES = 500;
let temp: TempVault;
let client: Client;

beforeAll(async () => {
    await buildCli();
    const files: Record<string, string> = {
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        }),
        'Hub.md': '# Hub\n',
        // A private note in the folder: never on any page, and it does not shift the count.
        'Big/Secret.md': 'Links [[Hub]]. #private #bulk\n',
    };
    // Long names, so a page is cut by the size bound well before the entry bound.
    for (let i = 0; i < NOTES; i++) {
        const name = `Big/Entry ${String(i).padStart(4, '0')} ${'with a long descriptive title '.repeat(2)}.md`;
        files[name] = `Entry ${i} links to [[Hub]] and [[Hub]] again. #bulk\nfindme ${i}\n`;
    }
    temp = await makeTempVault(files);
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--vault', temp.root] });
    client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
}, 60_000);

afterAll(async () => {
    await client.close();
    await temp.cleanup();
});

async function call(name: string, args: Record<string, unknown>): Promise<string> {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).not.toBe(true);
    return (result.content as { text: string }[]).map((c) => c.text).join('\n');
}

/** Calls `name` from offset 0 following "call again with offset=K" until no more; returns every page's text. */
async function allPages(name: string, args: Record<string, unknown>): Promise<string[]> {
    const pages: string[] = [];
    let offset: number | undefined;
    for (let guard = 0; guard < 100; guard++) {
        const text = await call(name, offset === undefined ? args : { ...args, offset });
        pages.push(text);
        // "[N more notes — …]" when the total is counted; "[more matches — …]" when a search stopped at a full page.
        const more = /\[(?:[\d,]+ )?more \w+ — call again with offset=(\d+)\]$/u.exec(text);
        if (more === null) return pages;
        const next = Number(more[1]);
        expect(next).toBeGreaterThan(offset ?? 0);
        offset = next;
    }
    throw new Error('paging did not end');
}

function entriesOf(pages: string[], pattern: RegExp): string[] {
    return pages.flatMap((page) => page.split('\n').filter((line) => pattern.test(line)));
}

describe('paging through vault-agent mcp', () => {
    it('offers offset in the input schema and description of every listing tool', async () => {
        const { tools } = await client.listTools();
        for (const name of ['list_notes', 'note_links', 'notes_with_tag', 'search_notes']) {
            const tool = tools.find((t) => t.name === name);
            expect(tool?.inputSchema.properties).toHaveProperty('offset');
            expect(tool?.description).toMatch(/call again with offset=K/u);
        }
    });

    it('list_notes: pages through a 500-note folder, every note exactly once, with the total', async () => {
        const pages = await allPages('list_notes', { folder: 'Big' });
        expect(pages.length).toBeGreaterThan(1);
        expect(pages[0]).toMatch(/^500 notes and 0 folders in "Big" \(1–\d+ of 500\):/u);
        const notes = entriesOf(pages, /^Big\/Entry /u);
        expect(notes).toHaveLength(NOTES);
        expect(new Set(notes).size).toBe(NOTES);
        expect(pages.join('\n')).not.toContain('Secret');
    }, 60_000);

    it('list_notes recursive, notes_with_tag and note_links backlinks page the same way', async () => {
        const recursive = entriesOf(await allPages('list_notes', { recursive: true }), /^Big\/Entry /u);
        expect(new Set(recursive).size).toBe(NOTES);
        expect(recursive).toHaveLength(NOTES);

        const tagged = await allPages('notes_with_tag', { tag: 'bulk' });
        expect(tagged[0]).toMatch(/^500 notes tagged #bulk \(1–\d+ of 500\):/u);
        const taggedNotes = entriesOf(tagged, /^Big\/Entry /u);
        expect(new Set(taggedNotes).size).toBe(NOTES);
        expect(taggedNotes).toHaveLength(NOTES);

        const links = await allPages('note_links', { path: 'Hub.md' });
        expect(links.length).toBeGreaterThan(1);
        expect(links[0]).toContain('0 links, 0 embeds, 500 backlinks');
        expect(links[1]).toMatch(/\nBacklinks \(500\), continued:\n/u);
        const backlinks = entriesOf(links, /^Big\/Entry /u);
        expect(new Set(backlinks).size).toBe(NOTES);
        expect(backlinks).toHaveLength(NOTES);
        expect(links.join('\n')).not.toContain('Secret');
    }, 60_000);

    it('search_notes: pages through every match past the limit', async () => {
        const pages = await allPages('search_notes', { query: 'findme', limit: 200 });
        // A page stops the search once it is full (more follow, uncounted); the page that reaches the end counts all.
        expect(pages[0]).toMatch(
            /^More than 200 matches for text "findme" \(1–\d+; the search stops once a page is full/u,
        );
        expect(pages.at(-1)).toMatch(/^500 matches in 500 notes for text "findme" \(\d+–500 of 500\):/u);
        const hits = entriesOf(pages, /^Big\/Entry .*:2: findme \d+$/u);
        expect(hits).toHaveLength(NOTES);
        expect(new Set(hits).size).toBe(NOTES);
    }, 60_000);

    it('says so when the offset is past the end', async () => {
        const text = await call('notes_with_tag', { tag: 'bulk', offset: 9999 });
        // The header counts them all and names no range of its own.
        expect(text).toBe(
            '500 notes tagged #bulk:\n[offset 9999 is past the end: there are 500 notes; call again with a smaller offset]',
        );
    });
});
