/**
 * Queue throughput rows: 100 jobs at concurrency 8 against the local Messages API with a fixed model latency must
 * finish within 1.15× of the ideal schedule (ceil(100 / 8) × latency); under a scripted burst of 429s the total number
 * of model requests must stay within 1.2× of the number of jobs (one shared throttle, no stampede). Real FsVault on a
 * temp folder, the real SDK, real leases and artifacts; the model server runs in a worker thread, as the real one runs
 * on another machine.
 */
import { Worker } from 'node:worker_threads';
import { createModelClient } from '../src/agent/model-client';
import { CheckpointStore } from '../src/agent/changes/checkpoints';
import { Throttle } from '../src/agent/loop/throttle';
import { ExclusionGate } from '../src/context/exclusions';
import { JobQueue } from '../src/delegate/job-queue';
import { renderJobNote } from '../src/delegate/job-spec';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import { makeTempVault } from '../tests/support/temp-vault';
import type { BenchResult, BenchRow } from './bench-row';

const JOBS = 100;
const CONCURRENCY = 8;
const LATENCY_MS = 200;
const BURST = 12;

interface QueueRun {
    wallMs: number;
    requests: number;
    done: number;
}

/** The worker-thread model server, as the queue rows use it. */
export interface WorkerServer {
    baseURL: string;
    apiKey: string;
    /** Model requests so far. */
    requests(): Promise<number>;
    /** When each model request arrived (`Date.now()` ms), in order. */
    times(): Promise<number[]>;
    close(): Promise<void>;
}

/** Starts the local Messages API in a worker thread: every answer after `latencyMs`, the first `burst` ones 429s. */
export async function startWorkerServer(latencyMs: number, burst: number): Promise<WorkerServer> {
    const worker = new Worker(new URL('./model-server-worker.mjs', import.meta.url), {
        workerData: { latencyMs, burst },
    });
    const ask = <T>(message: string | null): Promise<T> =>
        new Promise<T>((resolve, reject) => {
            worker.once('message', resolve);
            worker.once('error', reject);
            if (message !== null) worker.postMessage(message);
        });
    const { baseURL, apiKey } = await ask<{ baseURL: string; apiKey: string }>(null);
    return {
        baseURL,
        apiKey,
        requests: async () => (await ask<{ count: number }>('count')).count,
        times: async () => (await ask<{ times: number[] }>('times')).times,
        close: async () => {
            await ask('close');
            await worker.terminate();
        },
    };
}

async function runQueue(burst: number): Promise<QueueRun> {
    const server = await startWorkerServer(LATENCY_MS, burst);
    const files: Record<string, string> = {};
    for (let i = 0; i < JOBS; i++) {
        files[`Agent/Jobs/Job ${i}.md`] = renderJobNote(
            { title: `Job ${i}`, brief: `Summarise item ${i}.` },
            Date.now(),
        );
    }
    const temp = await makeTempVault(files);
    const settings = {
        model: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
        delegate: { ...DEFAULT_SETTINGS.delegate, concurrency: CONCURRENCY },
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
    });
    try {
        const started = performance.now();
        await queue.runUntilIdle();
        const wallMs = performance.now() - started;
        const done = queue.snapshot().jobs.filter((job) => job.status === 'done').length;
        return { wallMs, requests: await server.requests(), done };
    } finally {
        await server.close();
        await temp.cleanup();
    }
}

/** 100 jobs, concurrency 8, 200 ms model latency: wall time against the ideal schedule. */
export const queueThroughputRow: BenchRow = {
    name: 'queue throughput (100 jobs × 8)',
    async run(): Promise<BenchResult> {
        const ideal = Math.ceil(JOBS / CONCURRENCY) * LATENCY_MS;
        const run = await runQueue(0);
        const ratio = run.wallMs / ideal;
        return {
            value: ratio,
            unit: '× ideal',
            target: '≤ 1.15× ideal',
            pass: ratio <= 1.15 && run.done === JOBS,
            note: `${Math.round(run.wallMs)} ms for ${run.done}/${JOBS} jobs; ideal ceil(${JOBS}/${CONCURRENCY}) × ${LATENCY_MS} ms = ${ideal} ms; ${run.requests} requests`,
        };
    },
};

/** The same queue under a burst of 429s (retry-after 1 s): total requests against the number of jobs. */
export const queueRateLimitRow: BenchRow = {
    name: 'queue requests under a 429 burst',
    async run(): Promise<BenchResult> {
        const run = await runQueue(BURST);
        const ratio = run.requests / JOBS;
        return {
            value: ratio,
            unit: '× jobs',
            target: '≤ 1.2× jobs',
            pass: ratio <= 1.2 && run.done === JOBS,
            note: `${run.requests} requests for ${run.done}/${JOBS} jobs after ${BURST} scripted 429s; ${Math.round(run.wallMs)} ms`,
        };
    },
};
