import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelClient } from '../../src/agent/model-client';
import { readJobNote } from '../../src/delegate/job-note';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { textTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

/**
 * A TCP proxy on 127.0.0.1 that is "offline" (nothing listens on its port: connections are refused) until
 * `goOnline`, which starts listening on that same port and forwarding every byte to the local Messages API.
 */
class FlakyLink {
    private server: Server | null = null;
    private readonly sockets = new Set<Socket>();

    private constructor(
        readonly port: number,
        private readonly target: number,
    ) {}

    /** Reserves a free port and leaves nothing listening on it. */
    static async offline(target: number): Promise<FlakyLink> {
        const probe = createServer();
        await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
        const port = (probe.address() as AddressInfo).port;
        await new Promise<void>((resolve) => probe.close(() => resolve()));
        return new FlakyLink(port, target);
    }

    /** Starts forwarding. */
    async goOnline(): Promise<void> {
        this.server = createServer((client) => {
            const upstream = connect(this.target, '127.0.0.1');
            for (const socket of [client, upstream]) {
                this.sockets.add(socket);
                socket.on('close', () => this.sockets.delete(socket));
                socket.on('error', () => socket.destroy());
            }
            client.pipe(upstream).pipe(client);
        });
        await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    }

    /** Closes everything. */
    async close(): Promise<void> {
        for (const socket of this.sockets) socket.destroy();
        await new Promise<void>((resolve) => (this.server === null ? resolve() : this.server.close(() => resolve())));
    }
}

let harness: QueueHarness | undefined;
let link: FlakyLink | undefined;
afterEach(async () => {
    await link?.close();
    await harness?.cleanup();
    harness = undefined;
    link = undefined;
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

describe('offline', () => {
    it('pauses the queue while the endpoint cannot be reached, marks no job failed, and resumes by itself (row 28)', async () => {
        const files = Object.fromEntries(
            Array.from({ length: 3 }, (_, i) => [`Agent/Jobs/Job ${i}.md`, jobNote(`Brief ${i}.`)]),
        );
        harness = await makeQueueHarness({ files, concurrency: 2 });
        harness.server.setDefault(textTurn('Done while online.'));
        const target = Number(new URL(harness.server.baseURL).port);
        link = await FlakyLink.offline(target);
        const settings = { ...DEFAULT_SETTINGS.model, baseUrl: `http://127.0.0.1:${link.port}` };
        const server = harness.server;
        const queue = await harness.queue({
            client: () => createModelClient({ secrets: { get: () => Promise.resolve(server.apiKey) }, settings }),
            offlineBaseMs: 100,
        });
        const reasons: string[] = [];
        queue.subscribe((snapshot) => reasons.push(snapshot.pause?.reason ?? 'none'));
        queue.start();
        try {
            await until(() => queue.snapshot().pause?.reason === 'offline');
            expect(queue.snapshot().state).toBe('paused');
            expect(harness.notices.messages.some((n) => /offline/i.test(n.message))).toBe(true);
            // Nothing reached the endpoint and nothing is given up on.
            expect(harness.server.messageRequests()).toHaveLength(0);
            for (const job of queue.snapshot().jobs) expect(job.status).not.toBe('failed');

            await link.goOnline();
            await until(() => queue.snapshot().jobs.every((job) => job.status === 'done'));
        } finally {
            await queue.stop();
        }
        expect(queue.snapshot().pause).toBeNull();
        for (let i = 0; i < 3; i++) expect(statusOf(harness, `Agent/Jobs/Job ${i}.md`)).toBe('done');
        expect(harness.server.messageRequests()).toHaveLength(3);
        // Told once that it is offline, however many retries it took.
        expect(harness.notices.messages.filter((n) => /offline/i.test(n.message))).toHaveLength(1);
        expect(reasons).toContain('offline');
    });
});
