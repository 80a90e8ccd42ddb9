/**
 * A pattern that freezes a backtracking regex engine, sent to the built `vault-agent mcp` by the official MCP client:
 * `(a?){25}a{25}b` over a note with a 60-character line of `a`s took JavaScript's engine minutes, during which the
 * server answered nothing. On the linear-time engine the search answers at once, and a `read_note` sent while it runs
 * is answered within a second.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const REPO = nodePath.resolve(__dirname, '../..');
const CLI = nodePath.join(REPO, 'dist/cli.js');
const SETTINGS = { version: 1, privacy: { excludedTags: ['private'], excludedFolders: [] } };

function ensureBuilt(): void {
    const newest = Math.max(
        ...execFileSync('find', [nodePath.join(REPO, 'src'), '-name', '*.ts'], { encoding: 'utf8' })
            .split('\n')
            .filter((f) => f !== '')
            .map((f) => statSync(f).mtimeMs),
    );
    if (existsSync(CLI) && statSync(CLI).mtimeMs >= newest) return;
    execFileSync('node', ['esbuild.config.mjs', 'production'], { cwd: REPO, stdio: 'ignore' });
}

function textOf(result: unknown): string {
    const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
    return content.map((part) => part.text ?? '').join('');
}

let vault: TempVault;
let client: Client;

beforeAll(async () => {
    ensureBuilt();
    vault = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
        'Long line.md': `# Long line\n${'a'.repeat(60)}\n`,
        // Many notes with such lines, so a backtracking engine would be busy for hours, not minutes.
        ...Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`Filler/${i}.md`, `${'a'.repeat(60)}\n`])),
        'Plan.md': '# Plan\nShip it.\n',
    });
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', vault.root],
        stderr: 'pipe',
    });
    client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
}, 60_000);

afterAll(async () => {
    await client?.close();
    await vault?.cleanup();
});

describe('vault-agent mcp with a catastrophic pattern', () => {
    it('answers search_notes promptly, and a read_note sent alongside within a second', async () => {
        const started = performance.now();
        const search = client
            .callTool({ name: 'search_notes', arguments: { query: '(a?){25}a{25}b', regex: true } })
            .then((result) => ({ result, ms: performance.now() - started }));
        const read = client
            .callTool({ name: 'read_note', arguments: { path: 'Plan.md' } })
            .then((result) => ({ result, ms: performance.now() - started }));
        const [searched, readDone] = await Promise.all([search, read]);
        expect(textOf(searched.result)).toBe('No matches for pattern "(a?){25}a{25}b".');
        expect(searched.ms).toBeLessThan(2_000);
        expect(textOf(readDone.result)).toContain('Ship it.');
        expect(readDone.ms).toBeLessThan(1_000);

        // The same pattern where it can match: found, with the line it matched.
        const hit = await client.callTool({
            name: 'search_notes',
            arguments: { query: '(a?){25}a{25}$', regex: true },
        });
        expect(textOf(hit)).toMatch(/^41 matches in 41 notes/u);

        const after = performance.now();
        const next = await client.callTool({ name: 'read_note', arguments: { path: 'Plan.md' } });
        expect(textOf(next)).toContain('Ship it.');
        expect(performance.now() - after).toBeLessThan(1_000);
    }, 60_000);

    it('refuses a backreference with a clear message to the model', async () => {
        const result = await client.callTool({ name: 'search_notes', arguments: { query: '(a)\\1', regex: true } });
        expect(result.isError).toBe(true);
        expect(textOf(result)).toMatch(
            /^Regex refused: search patterns must run without backtracking, which rules out backreferences/u,
        );
    });
});
