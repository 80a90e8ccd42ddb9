import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import type { VaultPort } from '../../src/kernel/vault-port';
import { VaultError } from '../../src/kernel/vault-port';
import { rateLimited, spendCap, stall, textTurn } from '../support/messages-api-server';
import { briefOf, clockAhead, jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

function statusOf(h: QueueHarness, path: string): string {
    const read = readJobNote(path, h.temp.readRaw(path).toString('utf8'));
    return read.kind === 'job' ? read.job.status : read.kind;
}

async function outputs(h: QueueHarness): Promise<string[]> {
    const { readdirSync, existsSync } = await import('node:fs');
    const dir = `${h.temp.root}/Agent/Outputs`;
    return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function jobs(count: number): Record<string, string> {
    return Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`Agent/Jobs/Job ${i}.md`, jobNote(`Brief ${i}.`)]),
    );
}

describe('queue faults', () => {
    it('pauses the whole queue on a spend cap, with a notice, and sends nothing after it (row 24)', async () => {
        harness = await makeQueueHarness({ files: jobs(3), concurrency: 1 });
        harness.server.enqueue(spendCap());
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expect(harness.server.messageRequests()).toHaveLength(1);
        const snapshot = queue.snapshot();
        expect(snapshot.state).toBe('paused');
        expect(snapshot.pause?.reason).toBe('spend-cap');
        expect(harness.notices.messages.some((n) => n.kind === 'error' && /spend/i.test(n.message))).toBe(true);
        expect(statusOf(harness, 'Agent/Jobs/Job 1.md')).toBe('queued');
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('interrupted');

        harness.server.setDefault(textTurn('Done.'));
        queue.resume();
        await queue.runUntilIdle();
        for (let i = 0; i < 3; i++) expect(statusOf(harness, `Agent/Jobs/Job ${i}.md`)).toBe('done');
        expect(await outputs(harness)).toHaveLength(3);
    });

    it('shares one throttle across jobs under a 429 storm: retry-after is honoured and requests stay bounded (row 24)', async () => {
        harness = await makeQueueHarness({ files: jobs(6), concurrency: 3 });
        let limited = 0;
        harness.server.setResponder(() => {
            if (limited < 3) {
                limited++;
                return rateLimited({ retryAfter: 1 });
            }
            return textTurn('Done.');
        });
        const queue = await harness.queue();
        await queue.runUntilIdle();
        const requests = harness.server.messageRequests();
        expect(requests.length).toBe(6 + 3);
        const firstLimited = requests[0]?.time ?? 0;
        // After the first 429 nobody asked again before its retry-after (1 s) had passed.
        const after = requests.slice(3).map((r) => r.time - firstLimited);
        expect(Math.min(...after)).toBeGreaterThanOrEqual(950);
        for (let i = 0; i < 6; i++) expect(statusOf(harness, `Agent/Jobs/Job ${i}.md`)).toBe('done');
    });

    it('after a runner is killed mid-job, a new runner shows the job interrupted, runs it again, and leaves one artifact (row 29)', async () => {
        harness = await makeQueueHarness({ files: jobs(1) });
        harness.server.enqueue(stall({ after: 'text', turn: textTurn('Half') }));
        // The killed runner's vault stops writing the moment it "dies", like a process that is gone.
        let dead = false;
        const vault = harness.temp.vault;
        const dying: VaultPort = Object.assign(Object.create(vault) as VaultPort, {
            process: (path: string, fn: (text: string) => string) =>
                dead ? Promise.reject(new VaultError('io', 'process gone')) : vault.process(path, fn),
            create: (path: string, text: string) =>
                dead ? Promise.reject(new VaultError('io', 'process gone')) : vault.create(path, text),
        });
        const first = await harness.queue({ vault: dying, leaseMs: 60_000 });
        first.start();
        while (harness.server.messageRequests().length === 0) await new Promise((r) => setTimeout(r, 10));
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('running');
        dead = true;
        await first.stop();
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('running');

        harness.server.enqueue(textTurn('The full result.'));
        const later = await harness.queue({ ownVault: true, clock: clockAhead(120_000), leaseMs: 60_000 });
        const seen: string[] = [];
        later.subscribe((s) => seen.push(s.jobs[0]?.status ?? ''));
        await later.runUntilIdle();
        expect(seen[0]).toBe('interrupted');
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('done');
        expect(await outputs(harness)).toHaveLength(1);
        expect(harness.temp.readRaw('Agent/Jobs/Job 0.md').toString('utf8')).toContain('Interrupted:');
    });

    it('runs each job once when two runners share one vault (row 29)', async () => {
        harness = await makeQueueHarness({ files: jobs(8), concurrency: 3, latencyMs: 30 });
        harness.server.setResponder((request) => textTurn(`Answer to ${briefOf(request)}`));
        const one = await harness.queue({ ownVault: true });
        const two = await harness.queue({ ownVault: true });
        await Promise.all([one.runUntilIdle(), two.runUntilIdle()]);
        const briefs = harness.server.messageRequests().map(briefOf).sort();
        expect(briefs).toEqual(Array.from({ length: 8 }, (_, i) => `Brief ${i}.`).sort());
        expect(await outputs(harness)).toHaveLength(8);
        for (let i = 0; i < 8; i++) expect(statusOf(harness, `Agent/Jobs/Job ${i}.md`)).toBe('done');
    });

    it('cancels a running job; retry queues it again', async () => {
        harness = await makeQueueHarness({ files: jobs(1) });
        harness.server.enqueue(stall({ after: 'text', turn: textTurn('Working') }));
        const queue = await harness.queue();
        const done = queue.runUntilIdle();
        while (harness.server.messageRequests().length === 0) await new Promise((r) => setTimeout(r, 10));
        await queue.cancel('Agent/Jobs/Job 0.md');
        await done;
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('cancelled');
        expect(await outputs(harness)).toHaveLength(0);
        harness.server.enqueue(textTurn('Done.'));
        await queue.retry('Agent/Jobs/Job 0.md');
        await queue.runUntilIdle();
        expect(statusOf(harness, 'Agent/Jobs/Job 0.md')).toBe('done');
    });
});
