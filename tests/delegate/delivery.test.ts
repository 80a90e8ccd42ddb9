import { afterEach, describe, expect, it } from 'vitest';
import { nodeHttpPost } from '../../src/cli/http-post-node';
import { Deliveries } from '../../src/delegate/delivery';
import { readJobNote } from '../../src/delegate/job-note';
import { DEFAULT_DELIVERY, type DeliverySettings } from '../../src/kernel/delivery-settings';
import { startHttpReceiver, type HttpReceiver } from '../support/http-receiver';
import { textTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
let receiver: HttpReceiver | undefined;
afterEach(async () => {
    await harness?.cleanup();
    await receiver?.close();
    harness = undefined;
    receiver = undefined;
});

async function setup(job: Record<string, string>, answer: string) {
    receiver = await startHttpReceiver();
    harness = await makeQueueHarness({
        files: {
            'Customer calls.md': '# Calls\nAcme wants exports.\n',
            'Agent/Jobs/Summarise calls.md': jobNote('Summarise the customer calls.', {
                context: '["[[Customer calls]]"]',
                ...job,
            }),
        },
    });
    harness.server.enqueue(textTurn(answer));
    const settings: DeliverySettings = {
        ...DEFAULT_DELIVERY,
        webhookUrl: `${receiver.url}/hook`,
        ntfyServer: receiver.url,
        ntfyTopic: 'my-vault-jobs',
    };
    const queue = await harness.queue({
        extensions: [
            new Deliveries({ http: nodeHttpPost, settings: () => settings, vaultName: 'My Vault', waitsMs: [20] }),
        ],
    });
    await queue.runUntilIdle();
    const text = harness.temp.readRaw('Agent/Jobs/Summarise calls.md').toString('utf8');
    const read = readJobNote('Agent/Jobs/Summarise calls.md', text);
    if (read.kind !== 'job') throw new Error('not a job');
    return { job: read.job, text, receiver };
}

describe('delivery off the device', () => {
    it('sends the default payload (title, status, obsidian:// link) without note text', async () => {
        const { job, text, receiver } = await setup({ deliver: '[webhook, ntfy]' }, 'Acme wants exports.');
        expect(job.status).toBe('done');
        expect(receiver.requests).toHaveLength(2);
        const hook = receiver.requests.find((request) => request.path === '/hook')!;
        const artifact = `Agent/Outputs/Summarise calls (${job.id}).md`;
        expect(JSON.parse(hook.body)).toEqual({
            title: 'Summarise calls',
            status: 'done',
            link: `obsidian://open?vault=My%20Vault&file=${encodeURIComponent(artifact)}`,
        });
        const ntfy = receiver.requests.find((request) => request.path === '/')!;
        expect(JSON.parse(ntfy.body)).toMatchObject({
            topic: 'my-vault-jobs',
            message: 'Summarise calls: done',
            click: `obsidian://open?vault=My%20Vault&file=${encodeURIComponent(artifact)}`,
        });
        for (const request of receiver.requests) expect(request.body).not.toContain('Acme');
        expect(text).toContain('Delivered to webhook.');
        expect(text).toContain('Delivered to ntfy.');
    });

    it('sends the result text only when ticked, and never the text of an excluded note', async () => {
        const ticked = await setup({ deliver: '[webhook]', 'deliver-text': 'true' }, 'Acme wants exports.');
        const sent = JSON.parse(ticked.receiver.requests[0]!.body) as { text?: string };
        expect(sent.text).toContain('Acme wants exports.');
        await harness?.cleanup();
        await receiver?.close();
        // The result itself carries an excluded tag: it is excluded, so its text stays home.
        const excluded = await setup({ deliver: '[webhook]', 'deliver-text': 'true' }, 'Acme wants exports. #private');
        expect(excluded.job.status).toBe('done');
        const body = JSON.parse(excluded.receiver.requests[0]!.body) as Record<string, unknown>;
        expect(body.text).toBeUndefined();
        expect(excluded.receiver.requests[0]!.body).not.toContain('Acme');
    });

    it('retries a failed delivery a bounded number of times, logs it, and the job still ends as it should', async () => {
        // Two failures then success: delivered on the third try.
        const retried = await setupWithAnswers([500, 503]);
        expect(retried.receiver.requests).toHaveLength(3);
        expect(retried.job.status).toBe('done');
        expect(retried.text).toContain('Delivered to webhook.');
        await harness?.cleanup();
        await receiver?.close();
        // Failing every time: three tries, logged, and the job is still done.
        const failed = await setupWithAnswers([500, 500, 500, 500]);
        expect(failed.receiver.requests).toHaveLength(3);
        expect(failed.job.status).toBe('done');
        expect(failed.job.error).toBe('');
        expect(failed.text).toContain('Not delivered to webhook: the server answered HTTP 500, after 3 tries.');
    });
});

async function setupWithAnswers(answers: number[]) {
    const started = await startHttpReceiver();
    started.answers.push(...answers);
    receiver = started;
    harness = await makeQueueHarness({
        files: { 'Agent/Jobs/Summarise calls.md': jobNote('Summarise.', { deliver: '[webhook]' }) },
    });
    harness.server.enqueue(textTurn('Done.'));
    const settings: DeliverySettings = { ...DEFAULT_DELIVERY, webhookUrl: `${started.url}/hook` };
    const queue = await harness.queue({
        extensions: [new Deliveries({ http: nodeHttpPost, settings: () => settings, vaultName: 'V', waitsMs: [20] })],
    });
    await queue.runUntilIdle();
    const text = harness.temp.readRaw('Agent/Jobs/Summarise calls.md').toString('utf8');
    const read = readJobNote('Agent/Jobs/Summarise calls.md', text);
    if (read.kind !== 'job') throw new Error('not a job');
    return { job: read.job, text, receiver: started };
}
