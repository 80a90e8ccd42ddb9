/**
 * `vault-agent mcp` answers `read_note` while the vault is still opening (decision 0027), and nothing private comes
 * out of that: the built `dist/cli.js` as a child process, driven by the official MCP SDK `Client` over stdio, on a
 * real temp vault big enough that its opening walk is still running when the first call comes. Each test asks one
 * note right after the handshake; `VAULT_AGENT_DEBUG=scan` makes the server say whether that call was answered while
 * the vault opened or waited for it, and when the opening scan was done, which proves the call came during the walk.
 */
import { linkSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, serveMcp } from './cli-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: ['Secret'] } });

/** Enough notes that the opening walk takes a while on any machine. */
const FILLER = 6_000;

let temp: TempVault;
let state: string;
let client: Client | null = null;
let stderrOf: () => string = () => '';

beforeAll(async () => {
    await buildCli();
    const files: Record<string, string> = {
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Open.md': '# Open\n\nA public note about otters.\n',
        'Tagged.md': '---\ntags: [private]\n---\nA secret kept by its frontmatter tag.\n',
        'Inline.md': 'A secret kept by an inline tag. #private\n',
        'Secret/Inside.md': 'A secret kept by its excluded folder.\n',
        'Points.md': 'A public note that names [[Tagged]] and [[Open]].\n',
    };
    for (let i = 0; i < FILLER; i++) files[`Filler ${i % 60}/Note ${i}.md`] = `Filler note ${i}.\n`;
    temp = await makeTempVault(files);
    // A note that is a symbolic link into the excluded folder, and a folder that is one.
    symlinkSync(nodePath.join(temp.root, 'Secret', 'Inside.md'), nodePath.join(temp.root, 'Linked.md'));
    symlinkSync(nodePath.join(temp.root, 'Secret'), nodePath.join(temp.root, 'Shortcut'));
    // And one that is another name of the same file (a hard link): no name leads anywhere, each is the file.
    linkSync(nodePath.join(temp.root, 'Secret', 'Inside.md'), nodePath.join(temp.root, 'Hard.md'));
    state = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-opening-state-'));
}, 120_000);

afterAll(async () => {
    await temp.cleanup();
    await rm(state, { recursive: true, force: true });
});

afterEach(async () => {
    await client?.close();
    client = null;
});

/** Starts a server on the vault and asks `path` of `read_note` right after the handshake. */
async function readAtStart(path: string): Promise<{ text: string; isError: boolean }> {
    const served = await serveMcp(temp.root, state, 'vault-agent-opening-test');
    client = served.client;
    stderrOf = served.stderr;
    const result = await client.callTool({ name: 'read_note', arguments: { path } });
    const content = result.content as { type: string; text: string }[];
    return { text: content.map((c) => c.text).join('\n'), isError: result.isError === true };
}

/** How the one call went by the server's word, and whether the opening scan was done before it said so. */
async function howItWent(): Promise<'answered while opening' | 'waited for the vault'> {
    const deadline = Date.now() + 10_000;
    while (!/full scan #1 \(start\)/.test(stderrOf()) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stderr = stderrOf();
    const scanned = stderr.indexOf('full scan #1 (start)');
    const answered = stderr.indexOf('read_note answered while the vault opens');
    const waited = stderr.indexOf('read_note waits for the vault to open');
    expect(scanned, stderr).toBeGreaterThan(-1);
    if (answered !== -1) {
        expect(answered, 'answered before the opening scan was done').toBeLessThan(scanned);
        return 'answered while opening';
    }
    expect(waited, `the call came while the vault was opening:\n${stderr}`).toBeGreaterThan(-1);
    expect(waited).toBeLessThan(scanned);
    return 'waited for the vault';
}

describe('vault-agent mcp answers read_note while the vault opens, and withholds private notes then too', () => {
    it('answers a public note from its own file before the opening walk is done', async () => {
        const result = await readAtStart('Open.md');
        expect(result.isError).toBe(false);
        expect(result.text).toContain('A public note about otters.');
        expect(await howItWent()).toBe('answered while opening');
        // The same answer as the opened vault gives.
        const again = await client?.callTool({ name: 'read_note', arguments: { path: 'Open.md' } });
        expect((again?.content as { text: string }[]).map((c) => c.text).join('\n')).toBe(result.text);
    }, 60_000);

    it('withholds a note tagged #private (frontmatter or inline) or in an excluded folder, asked during the opening walk', async () => {
        for (const path of ['Tagged.md', 'Inline.md', 'Secret/Inside.md']) {
            const result = await readAtStart(path);
            expect(result.isError).toBe(true);
            expect(result.text).toBe(
                `Not found: there is no note at "${path}". Use list_notes or search_notes to find notes.`,
            );
            expect(result.text).not.toContain('secret');
            expect(await howItWent()).toBe('answered while opening');
            await client?.close();
            client = null;
        }
    }, 60_000);

    it('withholds a symbolic or hard link into an excluded folder, or a note reached through one, asked during the opening walk', async () => {
        for (const path of ['Linked.md', 'Shortcut/Inside.md', 'Hard.md']) {
            const result = await readAtStart(path);
            expect(result.isError).toBe(true);
            expect(result.text).toContain('Not found');
            expect(result.text).not.toContain('secret');
            // The note alone cannot tell where a link leads: the call waits for the opened vault, which judges it.
            expect(await howItWent()).toBe('waited for the vault');
            await client?.close();
            client = null;
        }
    }, 60_000);

    it('waits for the opened vault to read a note whose links need it, and hides the private one it names', async () => {
        const result = await readAtStart('Points.md');
        expect(result.isError).toBe(false);
        expect(result.text).toContain('[[hidden note]]');
        expect(result.text).toContain('[[Open]]');
        expect(result.text).not.toContain('Tagged');
        expect(await howItWent()).toBe('waited for the vault');
    }, 60_000);
});
