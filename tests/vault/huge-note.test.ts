/**
 * A note far larger than any a person writes (a log or an export pasted into the vault) is listed but never read: its
 * text would be held whole, several times over, while it is read and parsed (a 400 MB one took 18 s and 3 GB to
 * open). Its tags are then unknown, so the gate excludes it (fail closed), and a read says it is too large. On a real
 * folder, and through the built `vault-agent mcp` with the official client.
 */
import { writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { VaultError } from '../../src/kernel/vault-port';
import { FsVault } from '../../src/vault/fs-vault-node';
import { MAX_NOTE_BYTES } from '../../src/vault/stored-note';
import { buildCli, perTest, serveMcp } from '../cli/cli-harness';
import type { TempVault } from '../support/temp-vault';

const CANARY = `log-line-${Math.random().toString(36).slice(2)}`;
const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: [] } });

const made = perTest();

beforeAll(async () => {
    await buildCli();
}, 60_000);

/** A vault with `Log.md` just over the limit (a line naming the canary, repeated) and a small note linking to it. */
async function vaultWithHugeNote(): Promise<TempVault> {
    const temp = await made.vault({
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Plan.md': '# Plan\nSee [[Log]].\n',
    });
    const line = `${CANARY} [[Plan]] #ops\n`;
    writeFileSync(
        nodePath.join(temp.root, 'Log.md'),
        line.repeat(Math.ceil((MAX_NOTE_BYTES + 1024 * 1024) / line.length)),
    );
    return temp;
}

describe('a note too large to read', () => {
    it('is listed, never read: its tags unknown, so excluded, and a read of it says why', async () => {
        const huge = await vaultWithHugeNote();
        const vault = await FsVault.open(huge.root, { configDir: '.obsidian' });
        expect((await vault.list()).map((file) => file.path).sort()).toEqual(['Log.md', 'Plan.md']);
        expect(vault.metadata('Log.md')?.tags).toBeUndefined();
        expect(vault.metadata('Log.md')?.frontmatterError).toBe('the note is too large to read (over 32 MB)');
        // Its links were never read: Plan has no backlink from it.
        expect(vault.backlinks('Plan.md')).toEqual([]);
        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        expect(gate.isExcluded('Log.md')).toBe(true);
        expect(gate.isExcluded('Plan.md')).toBe(false);
        const read = vault.read('Log.md');
        await expect(read).rejects.toBeInstanceOf(VaultError);
        await expect(read).rejects.toThrow(/"Log.md" is too large to read: 33\.0 MB, over the 32 MB a note may be/u);
    });

    it('with frontmatter over 1 MB (a list of 100,000 links) has its properties unread, and is excluded', async () => {
        const list = Array.from({ length: 100_000 }, (_, i) => `  - "[[Note ${i}]]"`).join('\n');
        const temp = await made.vault({
            'Index.md': `---\nrelated:\n${list}\n---\n${CANARY}\n`,
            'Plan.md': '# Plan\n',
        });
        const vault = await FsVault.open(temp.root, { configDir: '.obsidian' });
        const metadata = vault.metadata('Index.md');
        expect(metadata?.frontmatterError).toBe('The frontmatter is too large to read (over 1024 KB)');
        expect(metadata?.tags).toBeUndefined();
        const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: [] } });
        expect(gate.isExcluded('Index.md')).toBe(true);
        expect(gate.isExcluded('Plan.md')).toBe(false);
    });

    it('is never searched, quoted or named by vault-agent mcp', async () => {
        const huge = await vaultWithHugeNote();
        const home = await made.home();
        const { client } = await serveMcp(huge.root, home.dir, 'huge-note-test');
        try {
            const text = async (name: string, args: Record<string, unknown>): Promise<string> => {
                const result = await client.callTool({ name, arguments: args });
                return (result.content as { text: string }[]).map((part) => part.text).join('\n');
            };
            expect(await text('search_notes', { query: CANARY })).toContain('No matches');
            const listing = await text('list_notes', {});
            expect(listing).toContain('Plan.md');
            expect(listing).not.toContain('Log.md');
            expect(listing).toContain('too large to read');
            expect(await text('read_note', { path: 'Log.md' })).toContain('Not found');
            expect(await text('notes_with_tag', { tag: 'ops' })).not.toContain('Log');
        } finally {
            await client.close();
        }
    }, 60_000);
});
