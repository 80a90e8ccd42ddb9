/**
 * `find_notes` and `related_notes` through the built `dist/cli.js` on real folders: `vault-agent ask` with the local
 * Messages-API server scripting the model's calls, and `vault-agent mcp` driven by the official MCP client. Private
 * words find nothing through either route, including a note made private on disk between two queries.
 */
import { writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI, makeCliHome, runCli, type CliHome } from './cli-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: ['Vault'] } });

const FILES: Record<string, string> = {
    '.obsidian/plugins/vault-agent/data.json': SETTINGS,
    'Sales/Call log.md':
        '# Calls\n\nThe corporate buyers pushed back on our prices; objections noted. See [[Playbook]].\n',
    'Sales/Playbook.md': '---\naliases: [Handling pricing objections]\ntags: [sales]\n---\nHow we answer.\n',
    'Sales/Weekly.md': 'Weekly sales notes. See [[Playbook]]. #sales\n',
    'Diary.md': '#private\n\nThe zebracanary pricing objections of my own.\n',
    'Vault/Secret.md': 'The walrusmoon pricing objections.\n',
};

let server: MessagesApiServer;
let home: CliHome;
let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault(FILES);
}, 60_000);

afterAll(async () => {
    await server.close();
    await home.cleanup();
    await temp.cleanup();
});

describe('find_notes through vault-agent ask', () => {
    it('the model finds notes by topic and related notes, and private words find nothing', async () => {
        server.enqueue(
            toolUseTurn([
                { name: 'find_notes', input: { query: 'pricing objections from corporate customers' } },
                { name: 'find_notes', input: { query: 'zebracanary walrusmoon' } },
                { name: 'related_notes', input: { path: 'Sales/Playbook.md' } },
            ]),
            textTurn('Found them.'),
        );
        const count = server.messageRequests().length;
        const asked = await runCli(['ask', '--vault', temp.root, '--mode', 'read-only', 'Where are the objections?'], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: home.dir,
        });
        expect(asked.code).toBe(0);
        const requests = server.messageRequests().slice(count);
        expect(JSON.stringify(requests[0]?.body)).toContain('"find_notes"');
        const results = JSON.stringify(requests[1] === undefined ? null : toolResultsOf(requests[1]));
        expect(results).toContain('Sales/Call log.md (matched: body)');
        expect(results).toContain('Sales/Playbook.md (matched: aliases)');
        expect(results).toContain('No notes found for');
        expect(results).toMatch(/Sales\/Weekly\.md — /u);
        for (const secret of ['zebracanary pricing', 'walrusmoon pricing', 'Diary.md', 'Secret.md']) {
            expect(results).not.toContain(secret);
        }
    }, 90_000);
});

describe('find_notes through vault-agent mcp', () => {
    it('answers the official client, hides private words, and drops a note made private between two queries', async () => {
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            env: { ...process.env } as Record<string, string>,
            stderr: 'pipe',
        });
        const client = new Client({ name: 'vault-agent-test', version: '1' });
        await client.connect(transport);
        const call = async (name: string, args: Record<string, unknown>): Promise<string> => {
            const result = await client.callTool({ name, arguments: args });
            return (result.content as { text: string }[]).map((c) => c.text).join('\n');
        };
        try {
            const tools = await client.listTools();
            const names = tools.tools.map((tool) => tool.name);
            expect(names).toContain('find_notes');
            expect(names).toContain('related_notes');
            expect(tools.tools.find((t) => t.name === 'find_notes')?.annotations?.readOnlyHint).toBe(true);

            const first = await call('find_notes', { query: 'corporate buyers' });
            expect(first).toContain('Sales/Call log.md');
            expect(await call('find_notes', { query: 'zebracanary' })).toMatch(/^No notes found/u);
            expect(await call('find_notes', { query: 'walrusmoon' })).toMatch(/^No notes found/u);

            // Made private on disk, behind the server's back, between two queries.
            await writeFile(
                nodePath.join(temp.root, 'Sales', 'Call log.md'),
                '#private\n\nThe corporate buyers pushed back on our prices.\n',
            );
            const second = await call('find_notes', { query: 'corporate buyers' });
            expect(second).not.toContain('Call log');
            expect(second).not.toContain('pushed back');
            const related = await call('related_notes', { path: 'Sales/Playbook.md' });
            expect(related).not.toContain('Call log');
        } finally {
            await client.close();
        }
    }, 90_000);
});
