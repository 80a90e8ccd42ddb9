/**
 * A one-shot command (`vault-agent ask`) started while another program keeps rewriting a private note in place, as an
 * editor or a sync tool may (truncate, then write in pieces; `#private` is its last line): the built `dist/cli.js`, a
 * real second process writing, the local Messages-API server, and the model asking for `list_notes`. The opening reads
 * every note; one read while it was being written is read again once whole, or held back while it keeps changing
 * (decision 0036). Before, most runs named the private note to the model from its first half.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPING_WRITER } from '../support/in-place-writer';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from './cli-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: [] } });
const PRIVATE_TEXT = `${'a secret line of a long private note\n'.repeat(4000)}#private\n`;

let server: MessagesApiServer;
let home: CliHome;
let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        'Log.md': '# Log\n',
        'Secret.md': PRIVATE_TEXT,
    });
}, 60_000);

afterAll(async () => {
    await server.close();
    await home.cleanup();
    await temp.cleanup();
});

describe('a one-shot command started while a private note is rewritten in place', () => {
    it('never names the note to the model, and says a note is not shown yet', async () => {
        const source = nodePath.join(home.dir, 'secret-source.txt');
        await writeFile(source, PRIVATE_TEXT);
        const writer = spawn(process.execPath, [
            '-e',
            LOOPING_WRITER,
            nodePath.join(temp.root, 'Secret.md'),
            source,
            '30000',
        ]);
        try {
            await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
            const listings: string[] = [];
            for (let round = 0; round < 5; round++) {
                server.enqueue(toolUseTurn([{ name: 'list_notes', input: {} }]), textTurn('Listed.'));
                const run = await runCli(['ask', '--vault', temp.root, 'What notes are there?'], {
                    env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
                    home: home.dir,
                });
                expect(run.code).toBe(0);
                listings.push(toolResultsOf(server.messageRequests().at(-1)!)[0]?.text ?? '');
            }
            for (const listing of listings) {
                expect(listing).toContain('Log.md');
                expect(listing).not.toContain('Secret');
                expect(listing).toContain('not shown until its tags are known');
            }
        } finally {
            writer.kill();
        }
    }, 90_000);
});
