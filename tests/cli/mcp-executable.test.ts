/**
 * Issue 14, item 5 over MCP: a note an MCP client creates with `create_note` is a write nobody approved, so code other
 * plugins run is made inert before it lands, and the result tells the client. The built `dist/cli.js mcp` is driven by
 * the official MCP SDK client over stdio, on a real temp vault read back from disk.
 */
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI } from './cli-harness';

const SETTINGS = {
    version: 1,
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

describe('vault-agent mcp create_note with code other plugins run', () => {
    let temp: TempVault;
    let client: Client;

    beforeAll(async () => {
        await buildCli();
        temp = await makeTempVault({ '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS) });
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        client = new Client({ name: 'vault-agent-test', version: '1' });
        await client.connect(transport);
    }, 120_000);

    afterAll(async () => {
        await client?.close();
        await temp?.cleanup();
    });

    it('writes the note with Dataview JS, inline $= and Templater made inert, and says so', async () => {
        const content =
            '# Board\n\n```dataviewjs\ndv.el("b", 1)\n```\n\n`$= dv.pages().length`\n\n<%* tp.file.move("/x") %>\n';
        const result = await client.callTool({
            name: 'create_note',
            arguments: { path: 'Agent/Outputs/Board.md', content },
        });
        const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
        expect(result.isError).not.toBe(true);
        expect(text).toContain('Nobody approved this write, so code that other plugins run was made inert');
        const written = temp.readRaw(nodePath.join('Agent/Outputs/Board.md')).toString();
        expect(written).not.toMatch(/^`{3,}[ \t]*dataviewjs/m);
        expect(written).not.toMatch(/`[ \t]*\$=/);
        expect(written).not.toContain('<%');
        expect(written).toContain('dv.el("b", 1)');
    });

    it('writes a note without such code exactly as given, and says nothing about it', async () => {
        const content = '# Plain\n\n```js\nconst a = 1;\n```\n';
        const result = await client.callTool({
            name: 'create_note',
            arguments: { path: 'Agent/Outputs/Plain.md', content },
        });
        const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
        expect(text).not.toContain('inert');
        expect(temp.readRaw('Agent/Outputs/Plain.md').toString()).toBe(content);
    });
});
