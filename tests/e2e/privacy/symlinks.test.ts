/**
 * Symbolic links on disk against the exclusions (issue 14, item 1), through the built `dist/cli.js`: `ask` against the
 * local Messages-API server with a model that calls the read tools on every link, `vault-agent mcp` driven by the
 * official MCP client, and a job under `run`. A link is judged by where it really leads: a file link or a folder link
 * into an excluded folder (or onto a note an excluded glob matches) is excluded, a link that leads outside the vault is
 * never read, and no write follows a link (a note created "inside" the output folder through a link to `Secrets/`
 * must be refused, not land in `Secrets/`).
 */
import { symlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
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
} from '../../support/messages-api-server';
import { makeOutsideFolder, makeTempVault, type TempVault } from '../../support/temp-vault';

const CANARY = `CANARY${Math.random().toString(36).slice(2)}LINKED`;
const OUTSIDE_CANARY = `OUTSIDE${Math.random().toString(36).slice(2)}CANARY`;
/** A word only the excluded notes hold, to search for (the query is echoed back, the canary must not be). */
const NEEDLE = 'zebrafinch';

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Secrets/', '*.hidden.md'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

const FILES: Record<string, string> = {
    'Secrets/Diary.md': `# Diary\n${NEEDLE} ${CANARY} in the excluded folder\n`,
    'Secrets/Deep/Older.md': `${NEEDLE} ${CANARY} deeper\n`,
    'Notes/Plans.hidden.md': `${NEEDLE} ${CANARY} matched by the glob\n`,
    'Plan.md': '# Plan\nShip the vault agent.\n',
    'Embedder.md': 'Embeds: ![[Shortcut]] ![[Pointer]] ![[Linked/Diary]] and [[Shortcut]].\n',
    'Agent/Outputs/Readme.md': 'Outputs go here.\n',
    'Agent/Jobs/About.md': 'Job notes live here.\n',
    '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
};

/** Every link the model (or MCP client) tries, by the path it names. */
const LINKED_PATHS = [
    'Shortcut.md',
    'Pointer.md',
    'Linked/Diary.md',
    'Linked/Deep/Older.md',
    'Inner/Link/Diary.md',
    'Outside.md',
    'Far/Away.md',
];

let temp: TempVault;
let outside: { root: string; cleanup(): Promise<void> };
let home: CliHome;
let server: MessagesApiServer;

function link(target: string, path: string): void {
    symlinkSync(target, nodePath.join(temp.root, ...path.split('/')));
}

beforeAll(async () => {
    await buildCli();
    temp = await makeTempVault({ ...FILES, 'Inner/Plain.md': 'A plain note.\n' });
    outside = await makeOutsideFolder();
    await writeFile(nodePath.join(outside.root, 'Away.md'), `${NEEDLE} ${OUTSIDE_CANARY} outside the vault\n`);
    link('Secrets/Diary.md', 'Shortcut.md');
    link('Notes/Plans.hidden.md', 'Pointer.md');
    link('Secrets', 'Linked');
    link('../Secrets', 'Inner/Link');
    link(nodePath.join(outside.root, 'Away.md'), 'Outside.md');
    link(outside.root, 'Far');
    link('../../Secrets', 'Agent/Outputs/s');
    link('../Jobs', 'Agent/Outputs/j');
    link('Plan.md', 'Plan link.md');
    home = await makeCliHome();
    server = await startMessagesApiServer();
}, 60_000);

afterAll(async () => {
    await server.close();
    await temp.cleanup();
    await outside.cleanup();
    await home.cleanup();
});

function bodies(requests: RecordedRequest[]): string {
    return requests.map((request) => request.rawBody).join('\n');
}

function expectNoLeak(text: string): void {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(OUTSIDE_CANARY);
}

describe('symbolic links: ask (built CLI, local Messages API)', () => {
    it('mentions, embeds, read_note, search_notes and list_notes judge every link by its target, and never read outside the vault', async () => {
        const reads = LINKED_PATHS.map((path) => ({ name: 'read_note', input: { path } }));
        server.enqueue(
            toolUseTurn([
                ...reads,
                { name: 'read_note', input: { path: 'Plan link.md' } },
                { name: 'search_notes', input: { query: NEEDLE } },
                { name: 'list_notes', input: { recursive: true } },
                { name: 'list_notes', input: { folder: 'Linked', recursive: true } },
                { name: 'list_notes', input: { folder: 'Far' } },
                { name: 'note_outline', input: { path: 'Shortcut.md' } },
                { name: 'note_links', input: { path: 'Shortcut.md' } },
            ]),
            textTurn('Done.'),
        );
        const before = server.messageRequests().length;
        // Mentions (of links, a linked folder, and a note embedding links) go through the context builder.
        const prompt = 'Read every note: @[[Shortcut]] @[[Pointer]] @Linked/ @[[Linked/Diary]] @[[Embedder]]';
        const run = await runCli(['ask', '--vault', temp.root, prompt], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: home.dir,
        });
        expect(run.stderr).not.toContain('Error');
        expect(run.code).toBe(0);
        const requests = server.messageRequests().slice(before);
        expect(requests).toHaveLength(2);
        const sent = bodies(requests);
        expectNoLeak(sent);
        expectNoLeak(run.stdout + run.stderr);
        // The tools did run: a link to a visible note is still read through.
        expect(sent).toContain('Ship the vault agent.');
    });
});

describe('symbolic links: vault-agent mcp (official MCP client over stdio)', () => {
    let client: Client;

    beforeAll(async () => {
        const transport = new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            stderr: 'pipe',
        });
        client = new Client({ name: 'vault-agent-symlink-test', version: '1' });
        await client.connect(transport);
    }, 30_000);

    afterAll(async () => {
        await client.close();
    });

    async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
        const result = await client.callTool({ name, arguments: args });
        const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');
        return { text, isError: result.isError === true };
    }

    it('answers every read tool on links without the excluded or outside text', async () => {
        const texts: string[] = [];
        for (const path of LINKED_PATHS) {
            const read = await call('read_note', { path });
            expect(read.isError).toBe(true);
            texts.push(read.text);
            texts.push((await call('note_outline', { path })).text);
            texts.push((await call('note_links', { path })).text);
        }
        texts.push((await call('search_notes', { query: NEEDLE })).text);
        const listing = await call('list_notes', { recursive: true });
        texts.push(listing.text);
        texts.push((await call('list_notes', { folder: 'Linked', recursive: true })).text);
        texts.push((await call('notes_with_tag', { tag: 'private' })).text);
        expectNoLeak(texts.join('\n'));
        expect(listing.text).not.toContain('Shortcut.md');
        expect(listing.text).not.toContain('Pointer.md');
        expect(listing.text).toContain('Plan link.md');
        expect((await call('read_note', { path: 'Plan link.md' })).text).toContain('Ship the vault agent.');
    });

    it('refuses create_note through a folder link in the output folder, and writes nothing into Secrets/', async () => {
        const made = await call('create_note', { path: 'Agent/Outputs/s/x.md', content: 'through the link' });
        // Refused before anything is written, and said as an error to the client.
        expect(made.text).toMatch(/not a location|Nothing was written|symbolic link/);
        expect(made.isError).toBe(true);
        expect(temp.exists('Secrets/x.md')).toBe(false);
        // A link inside the output folder into the jobs folder is no way to plant a job note either.
        const planted = await call('create_note', {
            path: 'Agent/Outputs/j/Evil.md',
            content: '---\nvault-agent: job\n---\nx',
        });
        expect(planted.isError).toBe(true);
        expect(temp.exists('Agent/Jobs/Evil.md')).toBe(false);
        const ok = await call('create_note', { path: 'Agent/Outputs/Fine.md', content: 'a fine note' });
        expect(ok.isError).toBe(false);
        expect(temp.readRaw('Agent/Outputs/Fine.md').toString()).toBe('a fine note');
    });
});

describe('symbolic links: a job under run (built CLI)', () => {
    it('a job that creates a note through a folder link in its output folder is refused; Secrets/ stays as it was', async () => {
        const env = { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL };
        const queued = await runCli(['enqueue', '--vault', temp.root, 'Write the summary through s.'], {
            env,
            home: home.dir,
        });
        expect(queued.code).toBe(0);
        server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Agent/Outputs/s/Job.md', content: 'from a job' } }]),
            textTurn('Could not write it.'),
        );
        const before = server.messageRequests().length;
        const run = await runCli(['run', '--vault', temp.root], { env, home: home.dir, timeoutMs: 30_000 });
        expect(server.messageRequests().length).toBeGreaterThan(before);
        expect(temp.exists('Secrets/Job.md')).toBe(false);
        expectNoLeak(bodies(server.messageRequests().slice(before)) + run.stdout + run.stderr);
    });
});
