/**
 * Batch jobs through the built `dist/cli.js`, against the local Messages-API server: the due jobs go out in one
 * Message Batch, a `run` killed (SIGKILL) while the batch is processed leaves every job waiting on it in its note,
 * and the next `run`, a second process, polls that same batch and writes each result once.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import nodePath from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import { textTurn } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { runCli, type CliRun, serverSuite } from './cli-harness';

const SETTINGS = JSON.stringify({
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 2 },
});
const JOBS = 20;

const suite = serverSuite();
let temp: TempVault | undefined;

function cli(args: string[], onSpawn?: (child: ChildProcessWithoutNullStreams) => void): Promise<CliRun> {
    return runCli(args, {
        env: { ANTHROPIC_API_KEY: suite.server.apiKey, ANTHROPIC_BASE_URL: suite.server.baseURL },
        home: suite.home.dir,
        timeoutMs: 60_000,
        ...(onSpawn !== undefined ? { onSpawn } : {}),
    });
}

function job(path: string): JobNote {
    const read = readJobNote(path, temp!.readRaw(path).toString());
    if (read.kind !== 'job') throw new Error(`${path} is not a job`);
    return read.job;
}

function outputs(): string[] {
    const folder = nodePath.join(temp!.root, 'Agent', 'Outputs');
    return existsSync(folder) ? readdirSync(folder) : [];
}

const batchPosts = (): number => suite.server.countOf('/v1/messages/batches', 'POST');

describe('batch jobs survive a restart mid-batch', () => {
    it('a run killed while its batch is processed; the next run polls the same batch and writes each result once', async () => {
        const files: Record<string, string> = { '.obsidian/plugins/vault-agent/data.json': SETTINGS };
        const paths: string[] = [];
        for (let i = 1; i <= JOBS; i++) {
            const path = `Agent/Jobs/Summary ${i}.md`;
            paths.push(path);
            files[path] = `---\nvault-agent: job\nstatus: queued\nbatch: true\n---\nSummarise topic ${i}.\n`;
        }
        temp = suite.keep(await makeTempVault(files));
        suite.server.setResponder(() => textTurn('A summary.'));
        suite.server.setBatchPollsBeforeEnd(Number.POSITIVE_INFINITY);

        // The first runner sends the batch and polls it; it is killed while the batch is still processing.
        let child: ChildProcessWithoutNullStreams | undefined;
        const first = cli(['run', '--vault', temp.root, '--batch-poll', '0.1'], (c) => (child = c));
        const deadline = Date.now() + 30_000;
        const polls = (): number =>
            suite.server.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/v1/messages/batches/'))
                .length;
        while (!(paths.every((path) => job(path).batchId !== '') && polls() >= 2)) {
            if (Date.now() > deadline) throw new Error('the first runner never sent and polled its batch');
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        child?.kill('SIGKILL');
        await first;
        expect(batchPosts()).toBe(1);
        const batchId = job(paths[0] ?? '').batchId;
        for (const path of paths) expect(job(path)).toMatchObject({ status: 'queued', batchId, lease: null });
        expect(outputs()).toEqual([]);

        // The second runner, a new process, finds the batch in the job notes; it has ended by now.
        suite.server.setBatchPollsBeforeEnd(0);
        const second = await cli(['run', '--vault', temp.root, '--batch-poll', '0.1']);
        expect(second.code).toBe(0);
        expect(batchPosts()).toBe(1);
        for (const path of paths) {
            const ended = job(path);
            expect(ended.status).toBe('done');
            expect(ended.batchId).toBe(batchId);
            expect(temp.readRaw(`${ended.artifact.slice(2, -2)}.md`).toString()).toContain('A summary.');
        }
        expect(outputs()).toHaveLength(JOBS);

        // A third run finds nothing to send or write: every result was written once.
        const third = await cli(['run', '--vault', temp.root, '--batch-poll', '0.1']);
        expect(third.code).toBe(0);
        expect(batchPosts()).toBe(1);
        expect(outputs()).toHaveLength(JOBS);
        suite.server.setResponder(undefined);
    }, 120_000);
});
