/**
 * `vault-agent mcp` learns about changes from the file system, not from a rescan per call: the built `dist/cli.js` as
 * a child process, driven by the official MCP SDK `Client` over stdio, on a real temp vault changed on disk behind the
 * server's back (create, edit, delete, rename, folders, a note turned #private). `VAULT_AGENT_DEBUG=scan` makes the
 * server say on stderr each time it walks the whole vault, which proves that calls do not.
 *
 * What it cannot show: a watcher that loses events without telling (inotify queue overflow is not reported by Node).
 * Most tests change files at a person's pace; one writes 3,000 notes in a burst, as a sync or a `git checkout` does.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI } from './cli-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: ['Secret/'] } });

let temp: TempVault;
let client: Client;
let stderr = '';

beforeAll(async () => {
    await buildCli();
}, 60_000);

beforeEach(async () => {
    const files: Record<string, string> = {
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Plan.md': '# Plan\n\nShip it. See [[Ideas]].\n',
        'Ideas.md': '# Ideas\n\nA walrus idea.\n',
        'Diary/Monday.md': 'Went walking.\n',
    };
    for (let i = 0; i < 300; i++) files[`Archive/Old ${i}.md`] = `Old note ${i} #archive\n`;
    temp = await makeTempVault(files);
    stderr = '';
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', temp.root],
        env: { ...process.env, VAULT_AGENT_DEBUG: 'scan' },
        stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
    // The watcher is in place once the server said so (every folder watched before the opening scan listed it).
    await until(() => /watching \d+ folders/.test(stderr), 'the watcher to be ready');
}, 60_000);

afterEach(async () => {
    await client.close();
    await temp.cleanup();
});

async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text: string }[];
    return { text: content.map((c) => c.text).join('\n'), isError: result.isError === true };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 2_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${what}; stderr:\n${stderr}`);
}

function fullScans(): number {
    return (stderr.match(/full scan #/g) ?? []).length;
}

const abs = (path: string): string => nodePath.join(temp.root, ...path.split('/'));

describe('vault-agent mcp follows the file system without rescanning per call', () => {
    it('makes no full scan for any call once the watcher is ready', async () => {
        const before = fullScans();
        for (let i = 0; i < 10; i++) {
            expect((await call('read_note', { path: 'Plan.md' })).text).toContain('Ship it.');
            expect((await call('list_notes', {})).text).toContain('Plan.md');
            expect((await call('search_notes', { query: 'walrus' })).text).toContain('Ideas.md');
            expect((await call('notes_with_tag', { tag: 'archive' })).isError).toBe(false);
        }
        expect(fullScans()).toBe(before);
    }, 60_000);

    it('sees a note created, edited, renamed and deleted on disk in the next calls', async () => {
        const scans = fullScans();
        await writeFile(abs('Fresh.md'), '# Fresh\n\nA quokka appears. #zoo\n');
        // Named by a call before the watcher reported it: judged and read on the spot.
        expect((await call('read_note', { path: 'Fresh.md' })).text).toContain('quokka');
        await until(async () => (await call('list_notes', {})).text.includes('Fresh.md'), 'Fresh.md listed');
        await until(async () => (await call('notes_with_tag', { tag: 'zoo' })).text.includes('Fresh.md'), 'tag #zoo');

        await writeFile(abs('Fresh.md'), '# Fresh\n\nA wombat now. #farm\n');
        await until(
            async () => (await call('notes_with_tag', { tag: 'farm' })).text.includes('Fresh.md'),
            'the edit indexed',
        );
        expect((await call('notes_with_tag', { tag: 'zoo' })).text).not.toContain('Fresh.md');
        expect((await call('search_notes', { query: 'wombat' })).text).toContain('Fresh.md');

        await rename(abs('Fresh.md'), abs('Diary/Moved.md'));
        await until(async () => {
            const listed = (await call('list_notes', { recursive: true })).text;
            return listed.includes('Diary/Moved.md') && !listed.includes('Fresh.md');
        }, 'the rename');
        expect((await call('read_note', { path: 'Fresh.md' })).isError).toBe(true);

        await rm(abs('Diary/Moved.md'));
        await until(
            async () => !(await call('list_notes', { recursive: true })).text.includes('Moved.md'),
            'the delete',
        );
        expect((await call('read_note', { path: 'Diary/Moved.md' })).isError).toBe(true);
        expect(fullScans()).toBe(scans);
    }, 60_000);

    it('follows folders added, renamed and removed, with the notes in them, and backlinks', async () => {
        const scans = fullScans();
        await mkdir(abs('Projects/Deep'), { recursive: true });
        await writeFile(abs('Projects/Deep/Alpha.md'), 'Alpha links to [[Ideas]].\n');
        await writeFile(abs('Projects/Beta.md'), 'Beta.\n');
        await until(async () => {
            const listed = (await call('list_notes', { folder: 'Projects', recursive: true })).text;
            return listed.includes('Projects/Deep/Alpha.md') && listed.includes('Projects/Beta.md');
        }, 'the new folder');
        await until(
            async () => (await call('note_links', { path: 'Ideas.md' })).text.includes('Projects/Deep/Alpha.md'),
            'the backlink',
        );

        await rename(abs('Projects'), abs('Work'));
        await until(async () => {
            const listed = (await call('list_notes', { recursive: true })).text;
            return listed.includes('Work/Deep/Alpha.md') && !listed.includes('Projects/');
        }, 'the folder rename');

        await rm(abs('Archive'), { recursive: true });
        await until(
            async () => !(await call('list_notes', { recursive: true })).text.includes('Archive/'),
            'the folder removal',
        );
        expect((await call('notes_with_tag', { tag: 'archive' })).text).not.toContain('Archive/');
        expect(fullScans()).toBe(scans);
    }, 60_000);

    it('sees 3,000 notes written in a burst into new nested folders, without a full scan', async () => {
        const scans = fullScans();
        await Promise.all(
            Array.from({ length: 30 }, async (_, d) => {
                await mkdir(abs(`Burst/D${d}/Sub`), { recursive: true });
                for (let i = 0; i < 100; i++) await writeFile(abs(`Burst/D${d}/Sub/N${i}.md`), `A quokka ${d}-${i}.\n`);
            }),
        );
        await until(
            async () => (await call('list_notes', { folder: 'Burst', recursive: true })).text.startsWith('3,000 notes'),
            'all 3,000 notes listed',
            15_000,
        );
        expect((await call('search_notes', { query: 'quokka 29-99' })).text).toContain('Burst/D29/Sub/N99.md');
        expect(fullScans()).toBe(scans);
    }, 60_000);

    it('keeps out a folder moved into an excluded folder, from the next call', async () => {
        expect((await call('read_note', { path: 'Diary/Monday.md' })).text).toContain('walking');
        await mkdir(abs('Secret'));
        await rename(abs('Diary'), abs('Secret/Diary'));
        const read = await call('read_note', { path: 'Secret/Diary/Monday.md' });
        expect(read.isError).toBe(true);
        expect(read.text).not.toContain('walking');
        expect((await call('search_notes', { query: 'walking' })).text).not.toContain('Monday.md');
        await until(
            async () => !(await call('list_notes', { recursive: true })).text.includes('Monday.md'),
            'the moved note unlisted',
        );
    }, 60_000);

    it('never returns a note made #private on disk, from the moment it is written', async () => {
        expect((await call('read_note', { path: 'Ideas.md' })).text).toContain('walrus');
        await writeFile(abs('Ideas.md'), '# Ideas\n\nA walrus secret. #private\n');
        // Every call from now on, reported by the watcher yet or not, must keep it out.
        const deadline = Date.now() + 1_500;
        while (Date.now() < deadline) {
            const read = await call('read_note', { path: 'Ideas.md' });
            expect(read.isError).toBe(true);
            expect(read.text).not.toContain('walrus');
            expect((await call('search_notes', { query: 'walrus' })).text).not.toContain('Ideas.md');
            expect((await call('note_links', { path: 'Ideas.md' })).text).not.toContain('walrus');
        }
        await until(async () => !(await call('list_notes', {})).text.includes('Ideas.md'), 'Ideas.md unlisted');
        expect((await call('note_links', { path: 'Plan.md' })).text).not.toContain('Ideas.md');
    }, 60_000);

    it('judges a note linked hard into the excluded folder by that name too, until that name is gone', async () => {
        const { linkSync } = await import('node:fs');
        await mkdir(abs('Secret'), { recursive: true });
        await writeFile(abs('Secret/Diary.md'), 'Dear diary, a secret okapi.\n');
        // Another name of the same file: each name is the file itself, an edit under one shows under both.
        linkSync(abs('Secret/Diary.md'), abs('Shared.md'));
        await writeFile(abs('Marker.md'), 'Written after the link.\n');
        await until(async () => (await call('list_notes', {})).text.includes('Marker.md'), 'the marker listed');
        expect((await call('list_notes', {})).text).not.toContain('Shared.md');
        for (const [name, args] of [
            ['read_note', { path: 'Shared.md' }],
            ['search_notes', { query: 'okapi' }],
            ['note_outline', { path: 'Shared.md' }],
        ] as const) {
            expect((await call(name, args)).text, name).not.toContain('Dear diary');
        }
        // With its name in the excluded folder gone, the file has one name left, and that one is visible.
        await rm(abs('Secret/Diary.md'));
        await until(async () => (await call('list_notes', {})).text.includes('Shared.md'), 'the other name listed');
        expect((await call('read_note', { path: 'Shared.md' })).text).toContain('Dear diary');
    }, 60_000);

    it('judges a symlink by its target when the target turns #private', async () => {
        await writeFile(abs('Target.md'), 'Target text, a narwhal.\n');
        const { symlinkSync } = await import('node:fs');
        symlinkSync(abs('Target.md'), abs('Alias.md'));
        await until(async () => (await call('list_notes', {})).text.includes('Alias.md'), 'the link listed');
        expect((await call('read_note', { path: 'Alias.md' })).text).toContain('narwhal');
        await writeFile(abs('Target.md'), 'Target text, a narwhal. #private\n');
        const read = await call('read_note', { path: 'Alias.md' });
        expect(read.isError).toBe(true);
        expect(read.text).not.toContain('narwhal');
        await until(async () => !(await call('list_notes', {})).text.includes('Alias.md'), 'the link unlisted');
    }, 60_000);
});
