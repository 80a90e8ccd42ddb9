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

describe('batch jobs', () => {
    it('sends a batch job through the model client’s Message Batches, polls it, and writes the result back', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 2 });
        harness = await makeQueueHarness({
            server,
            files: {
                'Calls.md': 'Acme wants exports.\n',
                'Agent/Jobs/Batch digest.md': jobNote('Digest the calls.', { batch: 'true', context: '["[[Calls]]"]' }),
            },
        });
        server.enqueue(textTurn('Digest: exports.'));
        const queue = await harness.queue({ extensions: [new BatchJobs({ pollMs: 10 })] });
        await queue.runUntilIdle();

        expect(server.countOf('/v1/messages/batches', 'POST')).toBe(1);
        expect(server.messageRequests().filter((r) => r.batchCustomId === undefined)).toHaveLength(0);
        const read = readJobNote(
            'Agent/Jobs/Batch digest.md',
            harness.temp.readRaw('Agent/Jobs/Batch digest.md').toString('utf8'),
        );
        expect(read.kind === 'job' && read.job.status).toBe('done');
        if (read.kind !== 'job') return;
        expect(read.job.batchId).toMatch(/\S/);
        const artifact = harness.temp.readRaw(`Agent/Outputs/Batch digest (${read.job.id}).md`).toString('utf8');
        expect(artifact).toContain('Digest: exports.');
        expect(artifact).toContain('status: complete');
        expect(server.allRequestText()).toContain('Acme wants exports.');
    });

    it('cancelling a job whose batch is pending cancels the batch at the endpoint', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 1_000 });
        harness = await makeQueueHarness({
            server,
            files: { 'Agent/Jobs/Slow batch.md': jobNote('Digest slowly.', { batch: 'true' }) },
        });
        server.enqueue(textTurn('Never read.'));
        const queue = await harness.queue({ extensions: [new BatchJobs({ pollMs: 10 })] });
        const done = queue.runUntilIdle();
        while (server.countOf('/v1/messages/batches', 'POST') === 0) await new Promise((r) => setTimeout(r, 10));
        await new Promise((r) => setTimeout(r, 50));
        await queue.cancel('Agent/Jobs/Slow batch.md');
        await done;

        const read = readJobNote(
            'Agent/Jobs/Slow batch.md',
            harness.temp.readRaw('Agent/Jobs/Slow batch.md').toString('utf8'),
        );
        expect(read.kind === 'job' && read.job.status).toBe('cancelled');
        const cancels = server.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/cancel'));
        expect(cancels).toHaveLength(1);
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
