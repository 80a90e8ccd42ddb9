/**
 * 1,000 batch jobs (`batch: true`) through the real queue, leases and FsVault, against the local Messages-API
 * server's Message Batches: how many batches were sent, model requests per job, the most places of the concurrency
 * limit held while the batch was processed, and whether every result was written exactly once.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createModelClient } from '../../src/agent/model-client';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { Throttle } from '../../src/agent/loop/throttle';
import { ExclusionGate } from '../../src/context/exclusions';
import { BatchJobs } from '../../src/delegate/batch';
import { MESSAGE_BATCH_LIMITS } from '../../src/delegate/batch-limits';
import { JobQueue } from '../../src/delegate/job-queue';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { startMessagesApiServer, textTurn } from '../../tests/support/messages-api-server';
import { makeTempVault } from '../../tests/support/temp-vault';
import type { BenchResult, BenchRow } from '../bench-row';

const JOBS = 1_000;

/** The 1,000-job batch row. */
export const batchJobsRow: BenchRow = {
    name: 'batch jobs (1,000)',
    async run(): Promise<BenchResult> {
        const server = await startMessagesApiServer({ batchPollsBeforeEnd: 3 });
        server.setResponder(() => textTurn('A summary.'));
        const files: Record<string, string> = {};
        for (let i = 0; i < JOBS; i++) {
            files[`Agent/Jobs/Job ${i}.md`] =
                `---\nvault-agent: job\nstatus: queued\nbatch: true\n---\nSummarise item ${i}.\n`;
        }
        const temp = await makeTempVault(files);
        const settings = {
            model: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
            delegate: { ...DEFAULT_SETTINGS.delegate, concurrency: 8 },
        };
        const vault = temp.vault;
        const memory = { load: () => Promise.resolve(null), save: () => Promise.resolve() };
        const queue = new JobQueue({
            vault,
            gate: () => new ExclusionGate({ vault, privacy: DEFAULT_SETTINGS.privacy }),
            client: () =>
                createModelClient({ secrets: { get: () => Promise.resolve(server.apiKey) }, settings: settings.model }),
            throttle: new Throttle(),
            notifier: { notify: () => undefined },
            checkpoints: new CheckpointStore({ vault, persistence: memory }),
            settings: () => settings,
            deviceId: 'bench',
            pollMs: 500,
            extensions: [new BatchJobs({ polling: { firstPollMs: 200, maxPollMs: 2_000 } })],
        });
        let slotsHeld = 0;
        const sampler = setInterval(() => {
            if (server.countOf('/v1/messages/batches', 'POST') > 0) slotsHeld = Math.max(slotsHeld, queue.slotsHeld());
        }, 2);
        try {
            const started = performance.now();
            await queue.runUntilIdle();
            const wallMs = performance.now() - started;
            clearInterval(sampler);
            const posts = server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches');
            const modelRequests = posts.reduce((n, r) => n + (r.body as { requests: unknown[] }).requests.length, 0);
            const done = queue.snapshot().jobs.filter((job) => job.status === 'done').length;
            const written = readdirSync(join(temp.root, 'Agent', 'Outputs')).length;
            const allowed = Math.ceil(JOBS / Math.min(10_000, MESSAGE_BATCH_LIMITS.maxRequests));
            const once = done === JOBS && written === JOBS;
            return {
                value: posts.length,
                unit: 'batches',
                target: `≤ ${allowed} batch, 0 slots held, every result written once`,
                pass: posts.length <= allowed && slotsHeld === 0 && once && modelRequests === JOBS,
                note:
                    `${modelRequests / JOBS} model request per job; at most ${slotsHeld} queue slots held while the ` +
                    `batch ran; ${done}/${JOBS} done, ${written} result notes; ${server.requests.length} HTTP ` +
                    `requests in all; ${Math.round(wallMs)} ms`,
            };
        } finally {
            clearInterval(sampler);
            await server.close();
            await temp.cleanup();
        }
    },
};
