/**
 * A test run never writes into the real user's home. The run's global setup (`tests/support/user-state-setup.ts`)
 * points `HOME` and `XDG_CONFIG_HOME` at a temp folder, and fails the run when the real state folders changed while it
 * ran. Here the path that used to leak: `vault-agent mcp` started by the official MCP client with the client's default
 * environment, which passes `HOME` on but drops `XDG_CONFIG_HOME` — the server's index snapshot must land under the
 * run's home, and nowhere in the real state folders.
 */
import { existsSync, utimesSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vaultStateFile } from '../../src/cli/cli-context';
import { buildCli, CLI } from '../cli/cli-harness';
import { REAL_STATE_FOLDERS_VARIABLE } from '../support/user-state-setup';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    temp = await makeTempVault({ 'Plan.md': '# Plan\n\nA walrus plan.\n' });
    // Last edited an hour ago: outside the racy window, so the server's index snapshot holds the note.
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(nodePath.join(temp.root, 'Plan.md'), old, old);
}, 60_000);

afterAll(async () => {
    await temp.cleanup();
});

/** The real state folders the run watches, as the global setup recorded them. */
function realStateFolders(): string[] {
    return JSON.parse(process.env[REAL_STATE_FOLDERS_VARIABLE] ?? '[]') as string[];
}

describe('test runs keep out of the real home', () => {
    it('gives the run a home and state folder of its own, outside the real home', () => {
        const real = os.userInfo().homedir;
        const home = process.env.HOME ?? '';
        expect(home).not.toBe('');
        expect(os.homedir()).toBe(home);
        expect(nodePath.relative(real, home).startsWith('..')).toBe(true);
        const xdg = process.env.XDG_CONFIG_HOME ?? '';
        expect(nodePath.relative(real, xdg).startsWith('..')).toBe(true);
        // The watched folders include the account's own, whatever HOME the run was started with.
        expect(realStateFolders()).toContain(nodePath.join(real, '.config', 'vault-agent'));
    });

    it('keeps the index snapshot of an MCP server started with the client default environment under the run home', async () => {
        // No `env`: the SDK passes HOME, PATH and a few more on, and not XDG_CONFIG_HOME.
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root, '--default-settings'],
        });
        const client = new Client({ name: 'vault-agent-isolation-test', version: '1' });
        await client.connect(transport);
        try {
            const result = await client.callTool({ name: 'read_note', arguments: { path: 'Plan.md' } });
            expect(JSON.stringify(result.content)).toContain('walrus');
            // A listing waits for the opened vault and judges every note, so the server has notes indexed to write (a
            // note read while the vault opens comes from its own file, and a server ended at once writes nothing).
            await client.callTool({ name: 'list_notes', arguments: {} });
        } finally {
            // Closing stdin makes the server write its snapshot and exit.
            await client.close();
        }
        const underRunHome = vaultStateFile({ HOME: process.env.HOME }, temp.root, 'index');
        const deadline = Date.now() + 10_000;
        while (!existsSync(underRunHome) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        expect(existsSync(underRunHome)).toBe(true);
        for (const folder of realStateFolders()) {
            const inReal = vaultStateFile({ XDG_CONFIG_HOME: nodePath.dirname(folder) }, temp.root, 'index');
            expect(existsSync(nodePath.dirname(inReal))).toBe(false);
        }
    }, 60_000);
});
