/**
 * A vault moved, renamed, deleted or unmounted while a long-running command serves it. Without a check it looks like
 * a vault with no notes and no jobs, for ever: `vault-agent mcp` told its client "0 notes" (or that notes were
 * excluded), and `run --watch` waited silently. The built `dist/cli.js` on a real folder, driven by the official MCP
 * client; the folder is renamed away, or removed and made again, under it.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TempVault } from '../support/temp-vault';
import { buildCli, type CliHome, perTest, runCli, serveMcp } from './cli-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: [] } });
const GONE = /the vault folder "[^"]+" was moved, renamed, deleted or unmounted/u;
const made = perTest();

beforeAll(async () => {
    await buildCli();
}, 60_000);

async function vault(): Promise<{ temp: TempVault; home: CliHome }> {
    const temp = await made.vault({
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Ideas.md': '# Ideas\nA walrus idea.\n',
        'Plans.md': '# Plans\nA walrus plan.\n',
    });
    return { temp, home: await made.home() };
}

function textOf(result: Awaited<ReturnType<Awaited<ReturnType<typeof serveMcp>>['client']['callTool']>>): string {
    return (result.content as { text: string }[]).map((part) => part.text).join('\n');
}

describe('the vault folder goes away under a long-running command', () => {
    it('vault-agent mcp refuses every call and says why, once, instead of serving an empty vault', async () => {
        const { temp, home } = await vault();
        const { client, stderr } = await serveMcp(temp.root, home.dir, 'vault-gone-test');
        try {
            const before = await client.callTool({ name: 'read_note', arguments: { path: 'Ideas.md' } });
            expect(textOf(before)).toContain('A walrus idea.');
            renameSync(temp.root, `${temp.root}-moved`);
            try {
                for (const [name, args] of [
                    ['read_note', { path: 'Ideas.md' }],
                    ['search_notes', { query: 'walrus' }],
                    ['list_notes', {}],
                    ['create_note', { path: 'Agent/Outputs/New.md', content: 'x' }],
                ] as const) {
                    const answer = await client.callTool({ name, arguments: args });
                    expect(answer.isError).toBe(true);
                    expect(textOf(answer)).toMatch(GONE);
                    expect(textOf(answer)).toContain('start vault-agent mcp again on the vault where it is now');
                }
                expect(stderr().match(/every call is refused/gu)).toHaveLength(1);
            } finally {
                renameSync(`${temp.root}-moved`, temp.root);
            }
        } finally {
            await client.close();
        }
    }, 60_000);

    it('vault-agent mcp refuses every call when another folder took the place of the vault folder', async () => {
        const { temp, home } = await vault();
        const { client } = await serveMcp(temp.root, home.dir, 'vault-gone-test');
        try {
            await client.callTool({ name: 'list_notes', arguments: {} });
            renameSync(temp.root, `${temp.root}-old`);
            mkdirSync(temp.root);
            try {
                const answer = await client.callTool({ name: 'list_notes', arguments: {} });
                expect(answer.isError).toBe(true);
                expect(textOf(answer)).toMatch(/another folder took the place of the vault folder/u);
            } finally {
                rmSync(temp.root, { recursive: true });
                renameSync(`${temp.root}-old`, temp.root);
            }
        } finally {
            await client.close();
        }
    }, 60_000);

    it('run --watch stops, says why and exits non-zero', async () => {
        const { temp, home } = await vault();
        const started = Date.now();
        const moved = `${temp.root}-moved`;
        const run = runCli(['run', '--watch', '--vault', temp.root], {
            home: home.dir,
            env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' },
            timeoutMs: 30_000,
            onSpawn: () => setTimeout(() => renameSync(temp.root, moved), 3_000),
        });
        const ended = await run;
        renameSync(moved, temp.root);
        expect(ended.stderr).toMatch(GONE);
        expect(ended.stderr).toContain('Start it again on the vault where it is now.');
        expect(ended.code).toBe(1);
        // Noticed within a few seconds of the move, not at the test's time limit.
        expect(Date.now() - started).toBeLessThan(15_000);
    }, 60_000);
});
