import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/agent/model-client';
import { readJobNote } from '../../src/delegate/job-note';
import type { QueueSettings } from '../../src/delegate/queue-options';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { stall, textTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

function statusOf(h: QueueHarness, path: string): string {
    const read = readJobNote(path, h.temp.readRaw(path).toString('utf8'));
    return read.kind === 'job' ? read.job.status : read.kind;
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > end) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

/** Settings the test can lock and unlock, as `SettingsStore` does when the stored file cannot be read. */
function switchableSettings(h: QueueHarness): { current: QueueSettings | null; readonly value: QueueSettings } {
    const value: QueueSettings = {
        model: { ...DEFAULT_SETTINGS.model, baseUrl: h.server.baseURL, maxOutputTokens: 1024 },
        delegate: { ...DEFAULT_SETTINGS.delegate, concurrency: 2 },
    };
    return { current: null, value };
}

describe('locked settings', () => {
    it('pauses the queue for setup with a clear message, sends nothing, and resumes when settings are back (row 14)', async () => {
        harness = await makeQueueHarness({
            files: { 'Agent/Jobs/A.md': jobNote('Brief A.'), 'Agent/Jobs/B.md': jobNote('Brief B.') },
        });
        harness.server.setDefault(textTurn('Done.'));
        const settings = switchableSettings(harness);
        const server = harness.server;
        const queue = await harness.queue({
            settings: () => settings.current,
            lockedReason: () => 'The settings file is truncated.',
            client: () =>
                createModelClient({
                    secrets: { get: () => Promise.resolve(server.apiKey) },
                    settings: settings.value.model,
                }),
        });
        queue.start();
        try {
            await until(() => queue.snapshot().pause !== null);
            expect(queue.snapshot().pause).toMatchObject({
                reason: 'setup',
                message: 'The settings file is truncated.',
            });
            expect(harness.notices.messages).toContainEqual({
                message: 'Vault Agent paused the job queue: The settings file is truncated.',
                kind: 'error',
            });
            await expect(queue.enqueue({ title: 'C', brief: 'Brief C.' })).rejects.toThrow(/truncated/u);
            await new Promise((resolve) => setTimeout(resolve, 200));
            expect(harness.server.messageRequests()).toHaveLength(0);

            settings.current = settings.value;
            await until(
                () =>
                    statusOf(harness!, 'Agent/Jobs/A.md') === 'done' &&
                    statusOf(harness!, 'Agent/Jobs/B.md') === 'done',
            );
            expect(queue.snapshot().pause).toBeNull();
        } finally {
            await queue.stop();
        }
        expect(harness.server.messageRequests()).toHaveLength(2);
        expect(harness.notices.messages.filter((n) => n.kind === 'error')).toHaveLength(1);
    });

    it('stops a running job when the settings become locked; it runs again once they are back', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/A.md': jobNote('Brief A.') } });
        harness.server.enqueue(stall({ after: 'text', turn: textTurn('Half') }));
        harness.server.setDefault(textTurn('Whole.'));
        const settings = switchableSettings(harness);
        settings.current = settings.value;
        const server = harness.server;
        const queue = await harness.queue({
            settings: () => settings.current,
            client: () =>
                createModelClient({
                    secrets: { get: () => Promise.resolve(server.apiKey) },
                    settings: settings.value.model,
                }),
        });
        queue.start();
        try {
            await until(() => harness!.server.messageRequests().length === 1);
            settings.current = null;
            await until(() => statusOf(harness!, 'Agent/Jobs/A.md') === 'interrupted');
            expect(queue.snapshot().pause?.reason).toBe('setup');
            expect(queue.snapshot().pause?.message).toMatch(/settings could not be read/u);
            settings.current = settings.value;
            await until(() => statusOf(harness!, 'Agent/Jobs/A.md') === 'done');
        } finally {
            await queue.stop();
        }
        expect(harness.server.messageRequests()).toHaveLength(2);
    });
});
