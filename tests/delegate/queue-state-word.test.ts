/**
 * One state, one word, everywhere (issue 16): after a 429 the job that will run again is "Waiting" in the queue view's
 * group, the view's header and the status bar (the functions the view and the status-bar item render), and
 * "waiting" in `vault-agent status` (the built CLI, spawned on the same folder). Before, the same job read
 * "Interrupted" in the view, "Idle" in its header and "1 queued" in the status bar. A real `JobQueue` over a real temp
 * folder, the real SDK against the local Messages-API server answering 429.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QueueSnapshot } from '../../src/delegate/queue-snapshot';
import { queueStateWord } from '../../src/delegate/job-state-words';
import { groupJobs, statusBarText } from '../../src/views/queue-format';
import { buildCli, makeCliHome, runCli } from '../cli/cli-harness';
import { rateLimited } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

beforeAll(async () => {
    await buildCli();
}, 120_000);

const SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

describe('a job after a 429', () => {
    it('reads "Waiting" in the view, its header, the status bar and the CLI status', async () => {
        harness = await makeQueueHarness({
            files: {
                'Agent/Jobs/Digest.md': jobNote('Write the digest.'),
                '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
            },
        });
        harness.server.setDefault(rateLimited({ retryAfter: 0 }));
        const queue = await harness.queue({
            retry: { random: () => 0, baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
        });
        const seen = new Promise<QueueSnapshot>((resolve) => {
            const off = queue.subscribe((snapshot) => {
                const job = snapshot.jobs.find((j) => j.path === 'Agent/Jobs/Digest.md');
                if (job?.status !== 'interrupted') return;
                queue.pause();
                off();
                resolve(snapshot);
            });
        });
        void queue.runUntilIdle();
        const snapshot = await seen;
        await queue.stop();

        const group = groupJobs(snapshot.jobs).find((g) => g.jobs.some((j) => j.path === 'Agent/Jobs/Digest.md'));
        expect(group?.label).toBe('Waiting');
        expect(queueStateWord(snapshot)).toBe('Waiting');
        expect(statusBarText(snapshot)).toBe('1 waiting');
        expect(harness.temp.readRaw('Agent/Jobs/Digest.md').toString('utf8')).toContain('status: interrupted');

        const home = await makeCliHome();
        try {
            const run = await runCli(['status', '--vault', harness.temp.root], { home: home.dir });
            expect(run.code).toBe(0);
            const row = run.stdout.split('\n').find((line) => line.includes('Agent/Jobs/Digest.md')) ?? '';
            expect(row).toMatch(/^waiting\s/);
            expect(run.stdout).toContain('Waiting: 1 waiting');
            expect(run.stdout).not.toMatch(/interrupted|queued|idle/i);
        } finally {
            await home.cleanup();
        }
    });
});
