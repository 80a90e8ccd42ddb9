/**
 * The note index kept between runs (decision 0022): FsVault on real folders with a real snapshot file, and the built
 * `dist/cli.js mcp` started twice on one vault through the official MCP client. A note is taken from the snapshot only
 * while its file is provably the one it was parsed from; nothing excluded is ever written into the snapshot.
 *
 * What it cannot show: a file system whose clock ticks so coarsely that two edits within one tick keep every time
 * stamp (the racy window covers two seconds, as git's does); the tests age their files instead of waiting.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { FsVault, type FsVaultOptions } from '../../src/vault/fs-vault-node';
import { IndexSnapshotFile, SNAPSHOT_VERSION } from '../../src/vault/index-snapshot-node';
import { buildCli, CLI } from '../cli/cli-harness';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const PRIVACY = { excludedTags: ['private'], excludedFolders: ['Journal/'] };

let temp: TempVault;
let state: string;
let file: string;

const abs = (path: string): string => nodePath.join(temp.root, ...path.split('/'));
const snapshot: NonNullable<FsVaultOptions['snapshot']> = (owner) => new IndexSnapshotFile(file, owner);

/** Sets a file's times an hour back, as a note last edited long ago (outside the racy window). */
function age(path: string): void {
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(abs(path), old, old);
}

async function open(): Promise<FsVault> {
    return FsVault.open(temp.root, { configDir: '.obsidian', snapshot });
}

function keepVisible(vault: FsVault): (path: string) => boolean {
    const gate = new ExclusionGate({ vault, privacy: PRIVACY });
    return (path) => !gate.isExcluded(path);
}

beforeEach(async () => {
    temp = await makeTempVault({
        'Plan.md': '---\nstatus: draft\n---\n# Plan\n\nSee [[Ideas]]. #work\n',
        'Ideas.md': '# Ideas\n\n## Walrus\n\nA walrus idea. ^w1\n',
        'Secret.md': '---\ncodename: heron\n---\n# Heron\n\nThe heron plan. #private\n',
        'Journal/Monday.md': '# Monday\n\nWent to the osprey lake.\n',
    });
    for (const path of ['Plan.md', 'Ideas.md', 'Secret.md', 'Journal/Monday.md']) age(path);
    state = await mkdtemp(nodePath.join(tmpdir(), 'vault-agent-index-'));
    file = nodePath.join(state, 'index.json');
});

afterEach(async () => {
    await temp.cleanup();
    await rm(state, { recursive: true, force: true });
});

describe('the index snapshot (FsVault)', () => {
    it('lets the next open take every unchanged visible note from the snapshot, with the same metadata', async () => {
        const first = await open();
        expect(first.lastScanStats.read).toBe(4);
        expect(first.saveSnapshot(keepVisible(first))).toBe(2);
        const second = await open();
        expect(second.lastScanStats).toMatchObject({ files: 4, parsed: 4, read: 2 });
        for (const path of ['Plan.md', 'Ideas.md']) expect(second.metadata(path)).toEqual(first.metadata(path));
        expect(second.backlinks('Ideas.md')).toEqual(['Plan.md']);
        // The index did not change: nothing is written again.
        expect(second.saveSnapshot(keepVisible(second))).toBeNull();
    });

    it('never writes an excluded note into the snapshot, by tag or by folder', async () => {
        const vault = await open();
        vault.saveSnapshot(keepVisible(vault));
        const text = readFileSync(file, 'utf8');
        expect(text).toContain('Plan.md');
        for (const word of ['Secret.md', 'heron', 'codename', 'Monday', 'osprey', 'Journal']) {
            expect(text).not.toContain(word);
        }
        expect(statSync(file).mode & 0o777).toBe(0o600);
        // The next open still judges them: read from the notes themselves.
        const next = await open();
        const gate = new ExclusionGate({ vault: next, privacy: PRIVACY });
        expect(gate.isExcluded('Secret.md')).toBe(true);
        expect(gate.isExcluded('Journal/Monday.md')).toBe(true);
    });

    it('reads a note again when it was edited to the same size with its old modification time restored', async () => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        const before = statSync(abs('Plan.md'));
        // The same length with another tag, and the old modification time put back: only the change time tells.
        writeFileSync(abs('Plan.md'), '---\nstatus: draft\n---\n# Plan\n\nSee [[Ideas]]. #priv\n');
        utimesSync(abs('Plan.md'), before.atime, before.mtime);
        expect(statSync(abs('Plan.md'))).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs });
        const second = await open();
        expect(second.metadata('Plan.md')?.tags).toEqual(['#priv']);
        expect(second.lastScanStats.read).toBe(3);
    });

    it('keeps a note edited within the racy window out of the snapshot until it has settled', async () => {
        writeFileSync(abs('Fresh.md'), '# Fresh\n\nJust written. #new\n');
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        expect(readFileSync(file, 'utf8')).not.toContain('Fresh.md');
        age('Fresh.md');
        const second = await open();
        expect(second.lastScanStats.read).toBe(3);
        second.saveSnapshot(keepVisible(second));
        expect(readFileSync(file, 'utf8')).toContain('Fresh.md');
    });

    it.each([
        ['garbage', 'not json at all'],
        ['null', 'null'],
        [
            'another version',
            JSON.stringify({ version: SNAPSHOT_VERSION + 1, root: '', configDir: '.obsidian', notes: {} }),
        ],
        ['a cut-off file', null],
    ])('counts a snapshot holding %s as absent and reads every note', async (_, content) => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        if (content === null) writeFileSync(file, readFileSync(file).subarray(0, -10));
        else writeFileSync(file, content);
        const second = await open();
        expect(second.lastScanStats.read).toBe(4);
        expect(second.metadata('Plan.md')?.tags).toEqual(['#work']);
    });

    it('reads a note whose row holds no metadata of the expected shape from the note itself', async () => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        const bytes = readFileSync(file);
        // Same length, so the file still decodes: only this row's metadata is broken.
        const at = bytes.indexOf('"links":[', bytes.indexOf('Plan.md'));
        bytes.write('"links":{', at);
        writeFileSync(file, bytes);
        const second = await open();
        expect(second.lastScanStats.read).toBe(2);
        expect(second.metadata('Plan.md')?.tags).toEqual(['#work']);
        expect(second.metadata('Plan.md')?.links.map((link) => link.link)).toEqual(['Ideas']);
    });

    it('reads a note whose row holds tags of another shape from the note itself, and heals the row', async () => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        const bytes = readFileSync(file);
        // Same length: the tags field of Plan.md's row reads `{"#work"],null]`, which is not a tags field.
        const at = bytes.indexOf('[["#work"],null]', bytes.indexOf('Plan.md'));
        expect(at).toBeGreaterThan(0);
        bytes.write('{', at);
        writeFileSync(file, bytes);
        const second = await open();
        expect(second.tagsOf('Plan.md')?.tags).toEqual(['#work']);
        expect(second.backlinks('Ideas.md')).toEqual(['Plan.md']);
        // Read from the note (outside the racy window), it is stable again: the next save writes a good row.
        expect(second.saveSnapshot(keepVisible(second))).toBe(2);
        const third = await open();
        expect(third.lastScanStats.read).toBe(2);
        expect(third.metadata('Plan.md')?.links.map((link) => link.link)).toEqual(['Ideas']);
    });

    it('keeps a note taken from the snapshot as its stored bytes until its metadata is asked', async () => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        const second = await open();
        // The gate's tags and the backlinks come from the row's own fields; the metadata is parsed only now.
        expect(second.tagsOf('Plan.md')).toEqual({ tags: ['#work'] });
        expect(second.backlinks('Ideas.md')).toEqual(['Plan.md']);
        expect(second.metadata('Plan.md')).toEqual(first.metadata('Plan.md'));
        expect(second.metadata('Ideas.md')?.blocks).toEqual(first.metadata('Ideas.md')?.blocks);
    });

    it('ignores the snapshot of another vault', async () => {
        const first = await open();
        first.saveSnapshot(keepVisible(first));
        const other = await makeTempVault({ 'Plan.md': 'Other. #other\n' });
        try {
            const vault = await FsVault.open(other.root, { configDir: '.obsidian', snapshot });
            expect(vault.lastScanStats.read).toBe(1);
            expect(vault.metadata('Plan.md')?.tags).toEqual(['#other']);
        } finally {
            await other.cleanup();
        }
    });
});

describe('the index snapshot through vault-agent mcp (built CLI, official MCP client)', () => {
    beforeAll(async () => {
        await buildCli();
    }, 60_000);

    async function serve(): Promise<{ client: Client; stderr: () => string }> {
        let stderr = '';
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root, '--default-settings'],
            env: { ...process.env, VAULT_AGENT_DEBUG: 'scan', XDG_CONFIG_HOME: state },
            stderr: 'pipe',
        });
        transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const client = new Client({ name: 'vault-agent-test', version: '1' });
        await client.connect(transport);
        return { client, stderr: () => stderr };
    }

    function snapshotFiles(): string[] {
        const vaults = nodePath.join(state, 'vault-agent', 'vaults');
        if (!existsSync(vaults)) return [];
        return readdirSync(vaults)
            .map((name) => nodePath.join(vaults, name, 'index.json'))
            .filter((path) => existsSync(path));
    }

    async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
        const deadline = Date.now() + ms;
        while (!check()) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    async function read(client: Client, path: string): Promise<string> {
        const result = await client.callTool({ name: 'read_note', arguments: { path } });
        return (result.content as { text: string }[]).map((c) => c.text).join('\n');
    }

    it('starts the second time from the snapshot, and a note made private in between stays hidden', async () => {
        const first = await serve();
        expect(await read(first.client, 'Plan.md')).toContain('See [[Ideas]]');
        expect(first.stderr()).toMatch(/\(start\): 4 files in \d+ ms, 4 notes to read when first needed/);
        // The snapshot is written a little after start (and at the latest when the server closes).
        await until(() => snapshotFiles().length === 1, 'the snapshot to be written');
        await first.client.close();
        const written = readFileSync(snapshotFiles()[0] ?? '', 'utf8');
        expect(written).toContain('Journal/Monday.md');
        expect(written).not.toContain('heron');

        // Between the runs, Ideas.md turns private without its size changing much; its file facts change.
        writeFileSync(abs('Ideas.md'), '# Ideas\n\n## Walrus\n\nA walrus idea. #private\n');
        const second = await serve();
        try {
            expect(await read(second.client, 'Plan.md')).toContain('See [[');
            // Secret.md (private, never in the snapshot) and Ideas.md (changed) are read; the other two are not.
            expect(second.stderr()).toMatch(/\(start\): 4 files in \d+ ms, 2 notes to read when first needed/);
            const ideas = await second.client.callTool({ name: 'read_note', arguments: { path: 'Ideas.md' } });
            expect(ideas.isError).toBe(true);
            const search = await second.client.callTool({ name: 'search_notes', arguments: { query: 'walrus' } });
            expect(JSON.stringify(search.content)).not.toContain('walrus idea');
        } finally {
            await second.client.close();
        }
    }, 60_000);
});
