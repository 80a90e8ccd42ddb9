/**
 * Delegation over MCP, end to end: the official MCP SDK client drives `dist/cli.js mcp` over stdio, queues a job,
 * polls its status and reads its result, while `dist/cli.js run --watch` runs the queue in another child process
 * against the local Messages-API server. Both processes share a temp home, so the server sees the runner's heartbeat.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI, makeCliHome, runCli, type CliHome, type CliRun } from './cli-harness';

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
    mcpJobs: {
        enabled: true,
        budget: { turns: 5, usd: 0.1 },
        clients: { 'vault-agent-test': { turns: 3, usd: 2 } },
    },
};

let server: MessagesApiServer;
let temp: TempVault;
let home: CliHome;
let client: Client;
const PRIVATE_TEXT = `PRIVATE-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
        'Ideas.md': '# Ideas\nA walrus idea.\n',
    });
    client = await connectAs('vault-agent-test');
}, 60_000);

afterAll(async () => {
    await client?.close();
    await server?.close();
    await temp?.cleanup();
    await home?.cleanup();
});

/** The official client, connected to the built `vault-agent mcp` on the test vault under the name `name`. */
async function connectAs(name: string): Promise<Client> {
    const connected = new Client({ name, version: '1' });
    await connected.connect(
        new StdioClientTransport({
            command: process.execPath,
            args: [CLI, 'mcp', '--vault', temp.root],
            env: { PATH: process.env.PATH ?? '', HOME: home.dir, XDG_CONFIG_HOME: nodePath.join(home.dir, 'config') },
            stderr: 'pipe',
        }),
    );
    return connected;
}

async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
    const result = await client.callTool({ name, arguments: args });
    const content = result.content as { type: string; text: string }[];
    return { text: content.map((c) => c.text).join('\n'), isError: result.isError === true };
}

function jobNotes(): string[] {
    return readdirSync(nodePath.join(temp.root, 'Agent', 'Jobs')).filter((name) => name.endsWith('.md'));
}

describe('delegation over MCP', () => {
    it('an MCP client enqueues a job, polls its status and reads its result while run --watch runs', async () => {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(
            expect.arrayContaining(['enqueue_job', 'job_status', 'job_result']),
        );
        const queued = await call('enqueue_job', {
            brief: 'Summarise my ideas.',
            context: ['[[Ideas]]'],
            mode: 'read-only',
        });
        expect(queued.isError).toBe(false);
        const answer = JSON.parse(queued.text) as { job: string; status: string; runner: string; message: string };
        expect(answer).toMatchObject({ job: 'Summarise my ideas', status: 'queued', runner: 'none' });
        expect(answer.message).toContain('No runner is active');

        // The job note is an ordinary job note, marked with the client and carrying its budget.
        const note = temp.readRaw(`Agent/Jobs/${answer.job}.md`).toString();
        const read = readJobNote(`Agent/Jobs/${answer.job}.md`, note);
        expect(read.kind).toBe('job');
        if (read.kind !== 'job') return;
        expect(read.job).toMatchObject({
            client: 'vault-agent-test',
            mode: 'read-only',
            budget: { turns: 3, usd: 2 },
        });

        server.enqueue(textTurn('Walruses, mostly.'));
        let run: Promise<CliRun> | null = null;
        let stop: (() => void) | null = null;
        run = runCli(['run', '--vault', temp.root, '--watch'], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: home.dir,
            timeoutMs: 30_000,
            onSpawn: (child) => (stop = () => child.kill('SIGINT')),
        });
        try {
            let status: { status: string; runner: string } = { status: 'queued', runner: 'none' };
            let sawActive = false;
            const deadline = Date.now() + 20_000;
            while (status.status !== 'done' && Date.now() < deadline) {
                await new Promise((resolve) => setTimeout(resolve, 200));
                const polled = await call('job_status', { job: answer.job });
                expect(polled.isError).toBe(false);
                status = JSON.parse(polled.text) as typeof status;
                if (status.runner === 'active') sawActive = true;
            }
            expect(status.status).toBe('done');
            expect(sawActive).toBe(true);
            const result = await call('job_result', { job: answer.job });
            expect(result.isError).toBe(false);
            expect(result.text).toContain('Walruses, mostly.');
        } finally {
            (stop as (() => void) | null)?.();
            const ended = await run;
            expect(ended.code).toBe(0);
        }
        // Once the runner stopped, its heartbeat is gone.
        const after = await call('enqueue_job', { brief: 'Another one.' });
        expect((JSON.parse(after.text) as { runner: string }).runner).toBe('none');
    }, 60_000);

    it('refuses an output folder outside the vault and an edit mode with isError, writing nothing', async () => {
        const before = jobNotes().length;
        const outside = await call('enqueue_job', { brief: 'Write it elsewhere.', output: '../outside' });
        expect(outside).toMatchObject({ isError: true });
        expect(outside.text).toContain('not a folder inside the vault');
        const absolute = await call('enqueue_job', { brief: 'Write it elsewhere.', output: '/tmp/elsewhere' });
        expect(absolute.isError).toBe(true);
        for (const mode of ['auto-edits', 'ask', 'yolo']) {
            const edit = await call('enqueue_job', { brief: 'Rewrite my notes.', mode });
            expect(edit.isError).toBe(true);
            expect(edit.text).toContain('never in a mode that edits notes');
        }
        const other = await call('job_status', { job: '../Ideas' });
        expect(other.isError).toBe(true);
        expect(jobNotes().length).toBe(before);
    }, 30_000);

    it('answers alike whether a guessed context note is private or absent, and never names a rule', async () => {
        writeFileSync(nodePath.join(temp.root, 'Therapy.md'), `#private ${PRIVATE_TEXT}\n`);
        const jobs: string[] = [];
        for (const [brief, context] of [
            ['Summarise note one.', ['[[Therapy]]']],
            ['Summarise note two.', ['[[Nobody]]']],
            ['Summarise, skipping #private notes.', ['[[Ideas]]']],
        ] as const) {
            const queued = await call('enqueue_job', { brief, context: [...context], mode: 'read-only' });
            jobs.push((JSON.parse(queued.text) as { job: string }).job);
        }
        server.setDefault(textTurn('A summary.'));
        const run = await runCli(['run', '--vault', temp.root], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: home.dir,
            timeoutMs: 30_000,
        });
        server.setDefault(undefined);
        expect(run.code).toBe(0);
        const statuses = await Promise.all(jobs.map((job) => call('job_status', { job })));
        for (const status of statuses) {
            // The job's name and its result's name come from the brief; the rest says nothing of the vault's rules.
            const { job, result, ...answer } = JSON.parse(status.text) as {
                job: string;
                result?: string;
                status: string;
                error?: string;
            };
            expect(jobs).toContain(job);
            expect(result).toContain(job);
            expect(answer.status).toBe('done');
            expect(answer.error).toBeUndefined();
            expect(JSON.stringify(answer)).not.toMatch(/private|Therapy|excluded|privacy/iu);
        }
        expect(server.allRequestText()).not.toContain(PRIVATE_TEXT);
    }, 60_000);

    it('names the job note without the bidi overrides a client put in its title', async () => {
        const queued = await call('enqueue_job', { brief: 'Draft it.', title: 'Report \u202Etxt.exe' });
        const { job } = JSON.parse(queued.text) as { job: string };
        expect(job).toBe('Report txt.exe');
        expect(jobNotes()).toContain('Report txt.exe.md');
        expect(jobNotes().some((name) => /[\u202a-\u202e\u2066-\u2069]/u.test(name))).toBe(false);
    });

    it('refuses a client that queues in a loop once 25 jobs from MCP clients wait, under any client name', async () => {
        const waitingFromMcp = (): string[] =>
            jobNotes().filter((name) => {
                const path = `Agent/Jobs/${name}`;
                const read = readJobNote(path, temp.readRaw(path).toString());
                return read.kind === 'job' && read.job.client !== '' && read.job.status === 'queued';
            });
        let refused: { text: string; isError: boolean } | null = null;
        for (let i = 0; i < 40 && refused === null; i++) {
            const queued = await call('enqueue_job', { brief: `Look at item ${i}.`, mode: 'read-only' });
            if (queued.isError) refused = queued;
        }
        expect(refused?.text).toContain('25 jobs queued over MCP are waiting to run or running (at most 25 at once)');
        const waiting = waitingFromMcp();
        expect(waiting).toHaveLength(25);

        // The same client under another name, over a second connection, gets no new share.
        const other = await connectAs('another-name');
        try {
            const renamed = await other.callTool({ name: 'enqueue_job', arguments: { brief: 'One more.' } });
            expect(renamed.isError).toBe(true);
            expect(waitingFromMcp()).toHaveLength(25);

            // One finishes (its note says so, as a runner writes it): there is room for one more.
            const first = `Agent/Jobs/${waiting[0] ?? ''}`;
            const note = temp.readRaw(first).toString();
            writeFileSync(nodePath.join(temp.root, first), note.replace(/^status: queued$/mu, 'status: done'));
            const again = await other.callTool({ name: 'enqueue_job', arguments: { brief: 'One more.' } });
            expect(again.isError).not.toBe(true);
            const still = await call('enqueue_job', { brief: 'And another.' });
            expect(still.isError).toBe(true);
        } finally {
            await other.close();
        }
    }, 60_000);

    it('offers no job tools and queues nothing while the person has not allowed it', async () => {
        await temp.write(
            '.obsidian/plugins/vault-agent/data.json',
            JSON.stringify({ ...SETTINGS, mcpJobs: { ...SETTINGS.mcpJobs, enabled: false } }),
        );
        const before = jobNotes().length;
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).not.toContain('enqueue_job');
        const refused = await call('enqueue_job', { brief: 'Try anyway.' });
        expect(refused.isError).toBe(true);
        expect(refused.text).toContain('has not allowed MCP clients to queue jobs');
        expect(jobNotes().length).toBe(before);
    });
});
