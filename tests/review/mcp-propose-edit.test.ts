/**
 * `propose_edit` on `vault-agent mcp`, driven by the official MCP SDK client over stdio against the built
 * `dist/cli.js`: the suggested change lands in the review inbox (the proposals folder next to the jobs folder) and
 * never in the note; a client cannot propose changes to an excluded note, nor read the proposals folder.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import { ProposalStore } from '../../src/review/proposal-store';
import { FsVault } from '../../src/vault/fs-vault-node';
import { buildCli, CLI } from '../cli/cli-harness';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const PLAN = '# Plan\n\nShip the vault agent.\n\nSee Ideas.\n';
const SECRET = `---\ntags: [private]\n---\nMy secret plan\n`;
const SETTINGS = {
    version: 1,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};
const PROPOSALS = proposalsFolderFor('Agent/Jobs');

let temp: TempVault;
let client: Client;

async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text?: string }[];
    return { text: content.map((c) => c.text ?? '').join('\n'), isError: result.isError === true };
}

beforeAll(async () => {
    await buildCli();
    temp = await makeTempVault({
        'Plan.md': PLAN,
        'Secret.md': SECRET,
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
    });
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', temp.root],
        stderr: 'pipe',
    });
    client = new Client({ name: 'claude-code', version: '1' });
    await client.connect(transport);
}, 60_000);

afterAll(async () => {
    await client.close();
    await temp.cleanup();
});

describe('propose_edit over MCP (built CLI, official SDK client)', () => {
    it('lands a suggested change in the review inbox and never in the note', async () => {
        const { tools } = await client.listTools();
        const tool = tools.find((t) => t.name === 'propose_edit');
        expect(tool?.annotations?.readOnlyHint).toBe(false);
        expect(tool?.description).toContain('NOT applied');

        const result = await call('propose_edit', {
            path: 'Plan.md',
            edits: [{ old: 'See Ideas.', new: 'See [[Ideas]].' }],
            reason: 'Link the ideas note.',
        });
        expect(result.isError).toBe(false);
        expect(result.text).toContain('Proposed, not applied');
        expect(temp.readRaw('Plan.md').toString()).toBe(PLAN);

        const vault = await FsVault.open(temp.root, { configDir: '.obsidian' });
        const store = new ProposalStore({
            vault,
            gate: () => new ExclusionGate({ vault, privacy: SETTINGS.privacy }),
            folder: () => PROPOSALS,
        });
        const inbox = await store.list();
        expect(inbox.count).toBe(1);
        expect(inbox.groups[0]?.origin).toEqual({ kind: 'mcp', id: 'claude-code', title: 'MCP client claude-code' });
        const [entry] = inbox.groups[0]?.notes[0]?.entries ?? [];
        expect(entry).toMatchObject({ kind: 'edit', path: 'Plan.md', reason: 'Link the ideas note.', hunks: 1 });
    });

    it('cannot propose a change to an excluded note, nor read the proposals folder', async () => {
        const secret = await call('propose_edit', { path: 'Secret.md', edits: [{ old: 'secret', new: 'public' }] });
        expect(secret.isError).toBe(true);
        expect(secret.text).not.toContain('My secret plan');
        expect(temp.readRaw('Secret.md').toString()).toBe(SECRET);

        const listing = await call('list_notes', { recursive: true });
        expect(listing.text).toContain('Plan.md');
        expect(listing.text).not.toContain(PROPOSALS);
        const vault = await FsVault.open(temp.root, { configDir: '.obsidian' });
        const files = (await vault.list()).filter((file) => file.path.startsWith(`${PROPOSALS}/`));
        expect(files).toHaveLength(1);
        const read = await call('read_note', { path: files[0]?.path ?? '' });
        expect(read.isError).toBe(true);
        expect(read.text).not.toContain('See [[Ideas]]');
    });
});
