/**
 * `vault-agent ask` with the vault's MCP servers as tools: the built `dist/cli.js`, the real
 * `@modelcontextprotocol/server-everything` over stdio, the local Messages-API server. A server runs only after
 * consent on this device (row 20); a call shows the tool's full description and input before anything is sent, and
 * with nobody at a terminal to approve it, it is refused and the model is told so (row 18).
 */
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from './cli-harness';

const EVERYTHING = nodePath.join(
    import.meta.dirname,
    '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js',
);

let server: MessagesApiServer;
let home: CliHome;
let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault({
        'Plan.md': '# Plan\n',
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
            mcp: {
                servers: [
                    {
                        name: 'everything',
                        enabled: true,
                        transport: 'stdio',
                        command: process.execPath,
                        args: [EVERYTHING, 'stdio'],
                        env: {},
                        toolPolicies: {},
                        readOnlyTools: [],
                        readsVault: false,
                    },
                ],
            },
        }),
    });
}, 60_000);

afterAll(async () => {
    await server.close();
    await home.cleanup();
    await temp.cleanup();
});

function cli(args: string[]): ReturnType<typeof runCli> {
    return runCli([args[0] ?? '', '--vault', temp.root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
        home: home.dir,
    });
}

describe('vault-agent ask with MCP servers as tools', () => {
    it('starts only consented servers, shows a call in full, and refuses it with nobody to approve', async () => {
        server.enqueue(textTurn('No tools needed.'));
        const before = await cli(['ask', '--mode', 'ask', 'What is in the plan?']);
        expect(before.code).toBe(0);
        expect(before.stderr).toContain('MCP server "everything" was not started: it has no consent on this device');
        const offered = JSON.stringify(server.messageRequests().at(-1)?.body);
        expect(offered).not.toContain('mcp__everything__');

        expect((await cli(['mcp-allow', 'everything'])).code).toBe(0);
        server.enqueue(
            toolUseTurn([{ name: 'mcp__everything__echo', input: { message: 'sent from the vault' } }]),
            textTurn('The tool was not allowed.'),
        );
        const count = server.messageRequests().length;
        const asked = await cli(['ask', '--mode', 'ask', 'Echo something']);
        expect(asked.code).toBe(0);
        const [first, second] = server.messageRequests().slice(count);
        expect(JSON.stringify(first?.body)).toContain('mcp__everything__echo');
        expect(asked.stderr).toContain('MCP tool call: mcp__everything__echo (server "everything")');
        expect(asked.stderr).toContain('Echoes back the input string');
        expect(asked.stderr).toContain('"message": "sent from the vault"');
        expect(asked.stderr).toContain('Refused: nobody can approve MCP tool calls here');
        const result = JSON.stringify(second === undefined ? null : toolResultsOf(second));
        expect(result).not.toContain('Echo: sent from the vault');
        expect(result).toMatch(/not|refused|declined/i);
    }, 90_000);
});
