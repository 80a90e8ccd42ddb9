/**
 * Visibility is decided on the text that is returned or sent, not on an older scan (issue 14, item 3), through the
 * built `dist/cli.js`:
 * - `vault-agent mcp`, driven by the official MCP client: a note flips between public and `#private` on disk (atomic
 *   renames from this process) while `read_note` calls are in flight; no answer ever carries the private version.
 * - `ask` and a one-shot `run`: the model reads a public note, the note is tagged `#private` on disk between two
 *   requests (the local Messages-API server edits it while answering), and the next request no longer carries it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, makeCliHome, runCli, type CliHome } from '../../cli/cli-harness';
import {
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type MessagesApiServer,
    type RecordedRequest,
    type ScriptedResponse,
} from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Secrets/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};
const SETTINGS_FILE = { '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS) };

let home: CliHome;

beforeAll(async () => {
    await buildCli();
    home = await makeCliHome();
}, 60_000);

afterAll(async () => {
    await home.cleanup();
});

/** Replaces a vault file atomically (temp file, rename), as editors and Sync do, so no read sees half a file. */
function replaceFile(root: string, path: string, text: string): void {
    const abs = nodePath.join(root, ...path.split('/'));
    const tmp = `${nodePath.dirname(abs)}/.flip-${Math.random().toString(36).slice(2)}`;
    writeFileSync(tmp, text);
    renameSync(tmp, abs);
}

describe('MCP read_note while the note turns private', () => {
    let temp: TempVault;
    let client: Client;
    const PRIVATE_CANARY = `PRIVATE${Math.random().toString(36).slice(2)}CANARY`;
    const publicText = '# Flip\nThe public version.\n';
    const privateText = `---\ntags: [private]\n---\n# Flip\n${PRIVATE_CANARY} the private version #private\n`;

    beforeAll(async () => {
        temp = await makeTempVault({ 'Flip.md': publicText, 'Other.md': 'Another note.\n', ...SETTINGS_FILE });
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        client = new Client({ name: 'vault-agent-flip-test', version: '1' });
        await client.connect(transport);
    }, 30_000);

    afterAll(async () => {
        await client.close();
        await temp.cleanup();
    });

    async function readFlip(): Promise<string> {
        const result = await client.callTool({ name: 'read_note', arguments: { path: 'Flip.md' } });
        return (result.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
    }

    it('never returns the private text, with calls in flight around every flip', async () => {
        const answers: string[] = [];
        let publicReads = 0;
        for (let round = 0; round < 30; round++) {
            replaceFile(temp.root, 'Flip.md', publicText);
            // The server learns of the public version from file-system events, a few milliseconds later: until then
            // the note still counts as private (the safe side). Wait for it, so that each round flips a visible note.
            let visible = false;
            for (let waited = 0; waited < 100 && !visible; waited++) {
                visible = (await readFlip()).includes('The public version.');
                if (!visible) await new Promise((resolve) => setTimeout(resolve, 20));
            }
            // The note was read as visible before this round's flip (whether the calls in flight below are served
            // before or after the flip is a race the server may win either way).
            if (visible) publicReads++;
            // Calls in flight, then the flip while they run, then more calls after it.
            const inFlight = Array.from({ length: 4 }, () => readFlip());
            await new Promise((resolve) => setTimeout(resolve, round % 3));
            replaceFile(temp.root, 'Flip.md', privateText);
            const after = await Promise.all([...inFlight, readFlip(), readFlip()]);
            answers.push(...after);
            publicReads += after.filter((text) => text.includes('The public version.')).length;
            // Every call issued after the flip finished says "not found".
            expect(after[4]).toContain('Not found');
            expect(after[5]).toContain('Not found');
        }
        for (const answer of answers) expect(answer).not.toContain(PRIVATE_CANARY);
        // The public version was read in every round: the test did exercise reads of a visible note between flips.
        expect(publicReads).toBeGreaterThanOrEqual(30);
    }, 60_000);
});

describe('ask and run: a note tagged #private between two requests is gone from the next one', () => {
    let server: MessagesApiServer;
    let temp: TempVault;
    const CANARY = `READTIME${Math.random().toString(36).slice(2)}CANARY`;
    const publicNote = `# Notes\n${CANARY} read while public\n`;
    const privateNote = `---\ntags: [private]\n---\n# Notes\n${CANARY} read while public\n`;

    beforeAll(async () => {
        server = await startMessagesApiServer();
        temp = await makeTempVault({ 'Notes.md': publicNote, 'Plan.md': '# Plan\nShip it.\n', ...SETTINGS_FILE });
    }, 30_000);

    afterAll(async () => {
        await server.close();
        await temp.cleanup();
    });

    /**
     * The model: reads Notes.md; when the request carrying the read arrives, the note is tagged private on disk
     * before the answer (list_notes) goes back; the request after that ends the turn.
     */
    function scriptFlip(): RecordedRequest[] {
        const seen: RecordedRequest[] = [];
        let step = 0;
        server.setResponder((request): ScriptedResponse => {
            seen.push(request);
            step++;
            if (step === 1) return toolUseTurn([{ name: 'read_note', input: { path: 'Notes.md' } }]);
            if (step === 2) {
                replaceFile(temp.root, 'Notes.md', privateNote);
                return toolUseTurn([{ name: 'list_notes', input: {} }]);
            }
            return textTurn('Done.');
        });
        return seen;
    }

    const env = (): Record<string, string> => ({
        ANTHROPIC_API_KEY: server.apiKey,
        ANTHROPIC_BASE_URL: server.baseURL,
    });

    it('ask: the request after the edit on disk no longer carries the note', async () => {
        replaceFile(temp.root, 'Notes.md', publicNote);
        const seen = scriptFlip();
        const run = await runCli(['ask', '--vault', temp.root, 'What do my notes say?'], {
            env: env(),
            home: home.dir,
        });
        expect(run.code).toBe(0);
        expect(seen).toHaveLength(3);
        // The note was public when read, so the request right after the read carried it.
        expect(seen[1]?.rawBody).toContain(CANARY);
        expect(seen[2]?.rawBody).not.toContain(CANARY);
        expect(run.stdout).not.toContain(CANARY);
    });

    it('ask: a mentioned note tagged private after the first request is gone from the next one', async () => {
        replaceFile(temp.root, 'Notes.md', publicNote);
        const seen: RecordedRequest[] = [];
        server.setResponder((request): ScriptedResponse => {
            seen.push(request);
            if (seen.length === 1) {
                replaceFile(temp.root, 'Notes.md', privateNote);
                return toolUseTurn([{ name: 'list_notes', input: {} }]);
            }
            return textTurn('Done.');
        });
        const run = await runCli(['ask', '--vault', temp.root, 'Summarise @[[Notes]] please.'], {
            env: env(),
            home: home.dir,
        });
        expect(run.code).toBe(0);
        expect(seen).toHaveLength(2);
        expect(seen[0]?.rawBody).toContain(CANARY);
        expect(seen[1]?.rawBody).not.toContain(CANARY);
    });

    it('run: a job that read the note no longer sends it once it is tagged private', async () => {
        replaceFile(temp.root, 'Notes.md', publicNote);
        const queued = await runCli(['enqueue', '--vault', temp.root, 'Summarise my notes.'], {
            env: env(),
            home: home.dir,
        });
        expect(queued.code).toBe(0);
        const seen = scriptFlip();
        const run = await runCli(['run', '--vault', temp.root], { env: env(), home: home.dir, timeoutMs: 30_000 });
        expect(run.stderr).toContain('1 done');
        expect(seen.length).toBeGreaterThanOrEqual(3);
        expect(seen[1]?.rawBody).toContain(CANARY);
        for (const request of seen.slice(2)) expect(request.rawBody).not.toContain(CANARY);
    });
});
