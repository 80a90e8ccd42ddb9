import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchJobs, sdkBatchPort } from '../../src/delegate/batch';
import { readJobNote } from '../../src/delegate/job-note';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
let server: MessagesApiServer | undefined;
afterEach(async () => {
    await harness?.cleanup();
    await server?.close();
    harness = undefined;
    server = undefined;
});

describe('batch jobs', () => {
    it('sends a batch job through the Message Batches API, polls it, and writes the result back', async () => {
        server = await startMessagesApiServer({ batchPollsBeforeEnd: 2 });
        harness = await makeQueueHarness({
            server,
            files: {
                'Calls.md': 'Acme wants exports.\n',
                'Agent/Jobs/Batch digest.md': jobNote('Digest the calls.', { batch: 'true', context: '["[[Calls]]"]' }),
            },
        });
        server.enqueue(textTurn('Digest: exports.'));
        const sdk = new Anthropic({ apiKey: server.apiKey, baseURL: server.baseURL, maxRetries: 0 });
        const queue = await harness.queue({
            extensions: [new BatchJobs({ batches: sdkBatchPort(sdk.messages.batches), pollMs: 10 })],
        });
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
});
