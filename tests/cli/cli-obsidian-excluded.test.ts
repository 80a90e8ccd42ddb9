/**
 * Obsidian's own Excluded files (`userIgnoreFilters` in `<vault>/.obsidian/app.json`) through the built
 * `dist/cli.js`: `ask` against the local Messages-API server and `mcp` driven by the official MCP client. A canary in
 * each excluded note must reach neither the server nor the client. A path prefix and a `/regex/` filter both count;
 * an edit to app.json counts from the next call of a running `mcp`; a filter that cannot be evaluated safely excludes
 * every note; the setting `privacy.obsidianExcludedFiles: false` turns the source off.
 */
import { writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI, makeCliHome, runCli, type CliHome } from './cli-harness';

const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-OBSIDIAN`;

const NOTES: Record<string, string> = {
    'Plan.md': '# Plan\nShip it. #project\n',
    'Archive/Old plan.md': `# Old plan\n${CANARY} archived by prefix #project\n`,
    'Drafts/Idea.draft.md': `# Idea\n${CANARY} draft by regex #project\n`,
};

const FILTERS = ['Archive/', '/\\.draft\\.md$/'];

let home: CliHome;
let api: MessagesApiServer;
const vaults: TempVault[] = [];

async function vault(filters: unknown, privacy: Record<string, unknown> = {}): Promise<TempVault> {
    const temp = await makeTempVault({
        ...NOTES,
        '.obsidian/app.json': JSON.stringify({ userIgnoreFilters: filters, alwaysUpdateLinks: true }),
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: [], ...privacy },
        }),
    });
    vaults.push(temp);
    return temp;
}

function writeAppJson(temp: TempVault, filters: unknown): void {
    writeFileSync(nodePath.join(temp.root, '.obsidian', 'app.json'), JSON.stringify({ userIgnoreFilters: filters }));
}

async function ask(temp: TempVault, prompt: string) {
    const before = api.messageRequests().length;
    const run = await runCli(['ask', '--vault', temp.root, prompt], {
        env: { ANTHROPIC_API_KEY: api.apiKey, ANTHROPIC_BASE_URL: api.baseURL },
        home: home.dir,
    });
    const sent = api
        .messageRequests()
        .slice(before)
        .map((request) => JSON.stringify(request.body))
        .join('\n');
    return { ...run, sent };
}

async function mcp(temp: TempVault) {
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', temp.root],
        stderr: 'pipe',
    });
    const client = new Client({ name: 'vault-agent-test', version: '1' });
    await client.connect(transport);
    const call = async (name: string, args: Record<string, unknown>): Promise<string> => {
        const result = await client.callTool({ name, arguments: args });
        return (result.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
    };
    return { client, call };
}

beforeAll(async () => {
    await buildCli();
    home = await makeCliHome();
    api = await startMessagesApiServer({ defaultResponse: textTurn('Answered.') });
}, 60_000);

afterAll(async () => {
    await api.close();
    await Promise.all(vaults.map((temp) => temp.cleanup()));
    await home.cleanup();
});

describe("ask honours Obsidian's Excluded files", () => {
    it('a prefix filter and a /regex/ filter keep their notes out of the request', async () => {
        const temp = await vault(FILTERS);
        const run = await ask(temp, 'Compare @[[Plan]] with @[[Archive/Old plan]] and @[[Drafts/Idea.draft]]');
        expect(run.code).toBe(0);
        expect(run.sent).toContain('Ship it.');
        expect(run.sent).not.toContain(CANARY);
        expect(run.stdout + run.stderr).not.toContain(CANARY);
    });

    it('with the setting off, the same notes are sent', async () => {
        const temp = await vault(FILTERS, { obsidianExcludedFiles: false });
        const run = await ask(temp, 'Compare @[[Archive/Old plan]] and @[[Drafts/Idea.draft]]');
        expect(run.code).toBe(0);
        expect(run.sent).toContain(`${CANARY} archived by prefix`);
        expect(run.sent).toContain(`${CANARY} draft by regex`);
    });

    it('a filter that cannot be evaluated safely excludes every note, and says so', async () => {
        const temp = await vault(['/Plan(?=\\.md)/']);
        const run = await ask(temp, 'What does @[[Plan]] say? And @[[Archive/Old plan]]?');
        expect(run.sent).not.toContain('Ship it.');
        expect(run.sent).not.toContain(CANARY);
        expect(run.stderr).toContain("Obsidian's Excluded files could not be read");
    });

    it('a damaged app.json excludes every note', async () => {
        const temp = await vault(FILTERS);
        writeFileSync(nodePath.join(temp.root, '.obsidian', 'app.json'), '{"userIgnoreFilters": ["Archive/"');
        const run = await ask(temp, 'What does @[[Plan]] say?');
        expect(run.sent).not.toContain('Ship it.');
        expect(run.stderr).toContain('app.json is not valid JSON');
    });
});

describe("mcp honours Obsidian's Excluded files (official MCP client)", () => {
    it('listing, reading and searching never show an excluded note; an edit to app.json counts from the next call', async () => {
        const temp = await vault(FILTERS);
        const { client, call } = await mcp(temp);
        try {
            const listing = await call('list_notes', { recursive: true });
            expect(listing).toContain('Plan.md');
            expect(listing).not.toContain('Old plan');
            expect(listing).not.toContain('Idea.draft');
            expect(await call('search_notes', { query: 'project' })).not.toContain(CANARY);
            expect(await call('read_note', { path: 'Archive/Old plan.md' })).not.toContain(CANARY);
            expect(await call('read_note', { path: 'Drafts/Idea.draft.md' })).not.toContain(CANARY);

            writeAppJson(temp, ['Plan']);
            const after = await call('list_notes', { recursive: true });
            expect(after).not.toContain('Plan.md');
            expect(after).toContain('Old plan');
        } finally {
            await client.close();
        }
    }, 30_000);
});
