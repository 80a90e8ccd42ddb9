/**
 * `vault-agent run` with the device's spend control and the vault's MCP servers: the built `dist/cli.js` against the
 * local Messages-API server. The daily cap from the vault's settings stops the run with nothing sent past it
 * (docs/RELIABILITY.md row 24), a configured MCP server without consent on this device is never started (row 20), and a
 * job note tagged private is never sent (row 136), and one that cannot be written is left as it is (row 137).
 */
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { textTurn } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { runCli, serverSuite } from './cli-harness';

const SETTINGS_FILE = '.obsidian/plugins/vault-agent/data.json';

function settings(extra: Record<string, unknown>): string {
    return JSON.stringify({
        version: 2,
        privacy: { excludedTags: ['private'], excludedFolders: [] },
        delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
        ...extra,
    });
}

const suite = serverSuite();

async function vaultWith(extra: Record<string, unknown>): Promise<TempVault> {
    const temp = await makeTempVault({ 'Plan.md': '# Plan\n', [SETTINGS_FILE]: settings(extra) });
    suite.keep(temp);
    return temp;
}

function cli(args: string[], root: string): ReturnType<typeof runCli> {
    return runCli([args[0] ?? '', '--vault', root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: suite.server.apiKey, ANTHROPIC_BASE_URL: suite.server.baseURL },
        home: suite.home.dir,
    });
}

describe('vault-agent run with spend control and MCP servers', () => {
    it.each([[0.2], ['$0.20']])(
        'pauses the queue at the daily cap %j from the vault settings and sends nothing past it',
        async (cap) => {
            // $10 per million output tokens: the first answer costs $0.30, past the $0.20 cap. Each case starts the day anew.
            rmSync(nodePath.join(suite.home.dir, 'config', 'vault-agent', 'spend.json'), { force: true });
            suite.server.setResponder(() => textTurn('Result.', { usage: { output_tokens: 30_000 } }));
            const temp = await vaultWith({ spend: { dailyCapUsd: cap, compactAtShare: 0.8 } });
            const jobs: string[] = [];
            for (const n of [1, 2, 3])
                jobs.push((await cli(['enqueue', `Brief number ${n}`], temp.root)).stdout.trim());
            const before = suite.server.messageRequests().length;
            const run = await cli(['run'], temp.root);
            expect(suite.server.messageRequests().length - before).toBe(1);
            expect(run.code).toBe(1);
            const notes = jobs.map((path) => temp.readRaw(path).toString());
            expect(notes.filter((note) => note.includes('status: done'))).toHaveLength(1);
            // The cap pauses the whole queue (row 24): the job that hit it waits as interrupted, the last one stays queued;
            // neither is failed, and both run once the cap allows.
            expect(notes.filter((note) => note.includes('status: failed'))).toHaveLength(0);
            expect(notes.filter((note) => /status: (interrupted|queued)/.test(note))).toHaveLength(2);
            expect(notes.join('\n')).toContain('spend cap of $0.20');
            expect(run.stderr).toContain('the queue stopped');
            const ledger = readFileSync(nodePath.join(suite.home.dir, 'config', 'vault-agent', 'spend.json'), 'utf8');
            expect(ledger.length).toBeGreaterThan(0);
        },
        60_000,
    );

    it('never starts an MCP server that has no consent on this device, and says how to allow it', async () => {
        suite.server.setResponder(() => textTurn('Done.'));
        const marker = nodePath.join(suite.home.dir, 'server-was-started');
        const temp = await vaultWith({
            mcp: {
                servers: [
                    {
                        name: 'notes-sync',
                        enabled: true,
                        transport: 'stdio',
                        command: process.execPath,
                        args: ['-e', `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'started')`],
                        env: {},
                        toolPolicies: {},
                        readOnlyTools: [],
                        readsVault: false,
                    },
                ],
            },
        });
        const job = (await cli(['enqueue', 'A brief'], temp.root)).stdout.trim();
        const run = await cli(['run'], temp.root);
        expect(run.stderr).toContain('MCP server "notes-sync" was not started: it has no consent on this device');
        expect(run.stderr).toContain(`vault-agent mcp-allow --vault`);
        expect(run.code).toBe(0);
        expect(temp.readRaw(job).toString()).toContain('status: done');
        expect(() => readFileSync(marker)).toThrow();

        const allow = await cli(['mcp-allow', 'notes-sync'], temp.root);
        expect(allow.code).toBe(0);
        expect(allow.stderr).toContain(`"notes-sync" may now run on this device: ${process.execPath} -e`);
        await cli(['enqueue', 'Another brief'], temp.root);
        const again = await cli(['run'], temp.root);
        expect(again.stderr).not.toContain('was not started');
        expect(readFileSync(marker, 'utf8')).toBe('started');
    }, 60_000);

    it('never sends a job note tagged private, says why on the terminal and exits non-zero', async () => {
        suite.server.setResponder(() => textTurn('Result.'));
        const temp = await vaultWith({});
        const before = suite.server.messageRequests().length;
        // `enqueue` refuses such a brief at once, writing nothing.
        const refused = await cli(['enqueue', 'Summarise my week. #private PRIVATE-BRIEF'], temp.root);
        expect(refused.code).not.toBe(0);
        expect(refused.stderr).toContain('Not queued: The job note would be tagged #private');
        expect(refused.stderr).toContain('write it in backticks (`#private`)');
        // A person who writes the tag into a job note by hand: the queue refuses it as it takes the lease.
        const job = (await cli(['enqueue', 'Summarise my week.'], temp.root)).stdout.trim();
        writeFileSync(
            nodePath.join(temp.root, job),
            temp.readRaw(job).toString().replace('Summarise my week.', 'Summarise my week. #private PRIVATE-BRIEF'),
        );
        const run = await cli(['run'], temp.root);
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/failed +Agent\/Jobs\/.*: Not run: this job note is tagged #private/u);
        expect(run.stderr).toContain('1 job(s) ran: 1 failed');
        expect(suite.server.messageRequests().length).toBe(before);
        expect(suite.server.allRequestText()).not.toContain('PRIVATE-BRIEF');
        const note = temp.readRaw(job).toString();
        expect(note).toContain('status: failed');
        expect(note).toContain('this job note is tagged #private');
    }, 60_000);

    // In a child process: before, the queue took such a note again at once, in a loop of promises no timer or signal
    // could interrupt (a batch job: at every other scan, so the run never ended). The child is killed after 20 s.
    async function linkedJobRun(batch: string): Promise<void> {
        const temp = await vaultWith({});
        const job = (await cli(['enqueue', 'Through a link LINKED-BRIEF.'], temp.root)).stdout.trim();
        const text = temp.readRaw(job).toString().replace('mode: delegate\n', `mode: delegate\n${batch}`);
        writeFileSync(nodePath.join(temp.root, 'Real job.md'), text);
        rmSync(nodePath.join(temp.root, job));
        symlinkSync('../../Real job.md', nodePath.join(temp.root, job));
        const before = suite.server.requests.length;
        const run = await cli(['run'], temp.root);
        // Left as it is, and said: a run under cron sees it in the exit code too (row 137).
        expect(run.code).toBe(1);
        expect(run.stderr.split(`cannot run the job note "${job}"`)).toHaveLength(2);
        expect(run.stderr).toContain('leads through a symbolic link; nothing is written through links');
        expect(run.stderr).toContain('no job ran; 1 still queued; 1 job note(s) left as they are (see above).');
        expect(suite.server.requests.length).toBe(before);
        expect(readFileSync(nodePath.join(temp.root, 'Real job.md'), 'utf8')).toBe(text);
    }

    it('leaves a job whose note it cannot write (a symbolic link) as it is: said once, nothing sent, and the run ends', async () => {
        await linkedJobRun('');
    }, 30_000);

    it('leaves a batch job whose note it cannot write (a symbolic link) as it is: said once, nothing sent, and the run ends', async () => {
        await linkedJobRun('batch: true\n');
    }, 30_000);

    it('exits 1 when a job note cannot be read as a job: left as it is, said, and the other jobs run', async () => {
        const temp = await vaultWith({});
        const good = (await cli(['enqueue', 'A fine job.'], temp.root)).stdout.trim();
        const broken = good.replace(/[^/]+$/u, 'Broken job.md');
        const text = '---\nvault-agent: job\nstatus: queued\nstatus: done\n---\nTwo statuses.\n';
        writeFileSync(nodePath.join(temp.root, broken), text);
        suite.server.enqueue(textTurn('Fine.'));
        const run = await cli(['run'], temp.root);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(`cannot read the job note "${broken}" (the key "status" appears twice)`);
        expect(run.stderr).toContain('1 job(s) ran: 1 done; 1 job note(s) left as they are (see above).');
        expect(readFileSync(nodePath.join(temp.root, broken), 'utf8')).toBe(text);
    }, 30_000);
});
