import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/agent/model-client';
import { ModelError } from '../../src/agent/model-errors';
import { BatchJobs } from '../../src/delegate/batch';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { readJobNote } from '../../src/delegate/job-note';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

let harness: QueueHarness | undefined;
let server: MessagesApiServer | undefined;
afterEach(async () => {
    await harness?.cleanup();
    await server?.close();
    harness = undefined;
    server = undefined;
});

/** Polls quickly, for tests. */
const FAST = { polling: { firstPollMs: 10, maxPollMs: 40 } };

function jobAt(path: string) {
    const read = readJobNote(path, harness!.temp.readRaw(path).toString('utf8'));
    if (read.kind !== 'job') throw new Error(`${path} is not a job note`);
    return read.job;
}

describe('batch jobs', () => {
    it('collects the due batch jobs into one Message Batch, holds no slot while it waits, and writes each result once', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 3 });
        const files: Record<string, string> = { 'Calls.md': 'Acme wants exports.\n' };
        for (let i = 1; i <= 5; i++) {
            files[`Agent/Jobs/Digest ${i}.md`] = jobNote(`Digest the calls, part ${i}.`, {
                batch: 'true',
                context: '["[[Calls]]"]',
            });
        }
        harness = await makeQueueHarness({ server, files });
        server.setDefault(textTurn('Digest: exports.'));
        const queue = await harness.queue({ pollMs: 5, extensions: [new BatchJobs(FAST)] });
        let slotsWhileWaiting = 0;
        const sampler = setInterval(() => {
            // Places in the concurrency limit, from the moment the batch is sent until its results are in.
            if (server!.countOf('/v1/messages/batches', 'POST') > 0) {
                slotsWhileWaiting = Math.max(slotsWhileWaiting, queue.slotsHeld());
            }
        }, 1);
        await queue.runUntilIdle();
        clearInterval(sampler);

        expect(server.countOf('/v1/messages/batches', 'POST')).toBe(1);
        expect(server.messageRequests().filter((r) => r.batchCustomId === undefined)).toHaveLength(0);
        const sent = server.requests.find((r) => r.method === 'POST' && r.path === '/v1/messages/batches');
        expect((sent?.body as { requests: unknown[] }).requests).toHaveLength(5);
        expect(slotsWhileWaiting).toBe(0);
        const batchIds = new Set<string>();
        for (let i = 1; i <= 5; i++) {
            const job = jobAt(`Agent/Jobs/Digest ${i}.md`);
            expect(job.status).toBe('done');
            batchIds.add(job.batchId);
            const artifact = harness.temp.readRaw(`Agent/Outputs/Digest ${i} (${job.id}).md`).toString('utf8');
            expect(artifact).toContain('Digest: exports.');
            expect(artifact).toContain('status: complete');
        }
        expect(batchIds.size).toBe(1);
        expect(readdirSync(join(harness.temp.root, 'Agent', 'Outputs'))).toHaveLength(5);
        expect(server.allRequestText()).toContain('Acme wants exports.');
    });

    it('never collects a batch job whose own note is tagged private: it fails with the reason', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 0 });
        harness = await makeQueueHarness({
            server,
            files: {
                'Agent/Jobs/Open.md': jobNote('Say hello.', { batch: 'true' }),
                'Agent/Jobs/Closed.md': jobNote('Say PRIVATE-BRIEF. #private', { batch: 'true' }),
            },
        });
        server.setDefault(textTurn('Hello.'));
        const queue = await harness.queue({ pollMs: 5, extensions: [new BatchJobs(FAST)] });
        await queue.runUntilIdle();
        expect(server.allRequestText()).not.toContain('PRIVATE-BRIEF');
        expect(jobAt('Agent/Jobs/Open.md').status).toBe('done');
        const closed = jobAt('Agent/Jobs/Closed.md');
        expect(closed.status).toBe('failed');
        expect(closed.error).toContain('this job note is tagged #private');
    });

    it('splits a collection at the API limit on requests per batch', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 0 });
        const files: Record<string, string> = {};
        for (let i = 1; i <= 5; i++) files[`Agent/Jobs/Job ${i}.md`] = jobNote(`Say ${i}.`, { batch: 'true' });
        harness = await makeQueueHarness({ server, files });
        server.setDefault(textTurn('Said.'));
        const queue = await harness.queue({
            pollMs: 5,
            extensions: [new BatchJobs({ ...FAST, limits: { maxRequests: 2 } })],
        });
        await queue.runUntilIdle();
        const sizes = server.requests
            .filter((r) => r.method === 'POST' && r.path === '/v1/messages/batches')
            .map((r) => (r.body as { requests: unknown[] }).requests.length);
        expect(sizes).toEqual([2, 2, 1]);
        for (let i = 1; i <= 5; i++) expect(jobAt(`Agent/Jobs/Job ${i}.md`).status).toBe('done');
    });

    it('a job cancelled while its batch runs is never written back; cancelling every job cancels the batch', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 1_000 });
        harness = await makeQueueHarness({
            server,
            files: {
                'Agent/Jobs/Slow one.md': jobNote('Digest slowly.', { batch: 'true' }),
                'Agent/Jobs/Slow two.md': jobNote('Digest slowly too.', { batch: 'true' }),
            },
        });
        server.setDefault(textTurn('Never read.'));
        const queue = await harness.queue({ pollMs: 5, extensions: [new BatchJobs(FAST)] });
        const done = queue.runUntilIdle();
        while (jobAt('Agent/Jobs/Slow two.md').batchId === '') await new Promise((r) => setTimeout(r, 10));
        await queue.cancel('Agent/Jobs/Slow one.md');
        await new Promise((r) => setTimeout(r, 100));
        expect(server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/cancel'))).toHaveLength(0);
        await queue.cancel('Agent/Jobs/Slow two.md');
        await done;

        expect(jobAt('Agent/Jobs/Slow one.md').status).toBe('cancelled');
        expect(jobAt('Agent/Jobs/Slow two.md').status).toBe('cancelled');
        const cancels = server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/cancel'));
        expect(cancels).toHaveLength(1);
        expect(existsSync(join(harness.temp.root, 'Agent', 'Outputs'))).toBe(false);
    });

    it('reaches the Message Batches API through the model client, with errors classified like streamed calls', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 0 });
        const live = server;
        const client = await createModelClient({
            secrets: { get: () => Promise.resolve(live.apiKey) },
            settings: { ...DEFAULT_SETTINGS.model, baseUrl: live.baseURL },
        });
        server.enqueue(textTurn('Batched answer.'));
        const params = {
            model: DEFAULT_MODEL,
            max_tokens: 100,
            messages: [{ role: 'user' as const, content: 'Hi' }],
        };
        const batch = await client.batches.create([{ custom_id: 'one', params }]);
        expect((await client.batches.retrieve(batch.id)).processing_status).toBe('ended');
        const entries = [];
        for await (const entry of client.batches.results(batch.id)) entries.push(entry);
        expect(entries.map((entry) => [entry.custom_id, entry.result.type])).toEqual([['one', 'succeeded']]);
        await expect(client.batches.retrieve('msgbatch_unknown')).rejects.toBeInstanceOf(ModelError);
        expect(server.allRequestText()).toContain(`/v1/messages/batches/${batch.id}`);
    });
});
