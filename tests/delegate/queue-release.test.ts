import { afterEach, describe, expect, it } from 'vitest';
import type { VaultPort } from '../../src/kernel/vault-port';
import { httpError, textTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

/** The harness vault with `create` held until `open()` is called: a slow disk under the result writes. */
function slowCreates(vault: VaultPort): { vault: VaultPort; held: () => number; open: () => void } {
    let held = 0;
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = Object.create(vault) as VaultPort;
    slow.create = async (path, content) => {
        held++;
        await gate;
        return vault.create(path, content);
    };
    return { vault: slow, held: () => held, open: () => open() };
}

const twoJobs = {
    'Agent/Jobs/First.md': jobNote('Summarise the first thing.'),
    'Agent/Jobs/Second.md': jobNote('Summarise the second thing.'),
};

/** A view of `base` that records, in `order`, each file it creates (`create <name>`); other calls pass through. */
function recordingCreates(base: VaultPort): { base: VaultPort; order: string[]; watched: VaultPort } {
    const order: string[] = [];
    const watched = Object.create(base) as VaultPort;
    watched.create = async (path, content) => {
        order.push(`create ${path.split('/').pop() ?? ''}`);
        return base.create(path, content);
    };
    return { base, order, watched };
}

describe("the queue gives a job's place to the next one once it is done with the model", () => {
    it('starts the next job while the finished one is still writing its result (concurrency 1)', async () => {
        harness = await makeQueueHarness({ files: twoJobs, concurrency: 1 });
        harness.server.setDefault(textTurn('A summary.'));
        const disk = slowCreates(harness.temp.vault);
        const queue = await harness.queue({ vault: disk.vault });
        const run = queue.runUntilIdle();
        // The first result write is held; the second job's model call still goes out.
        await expect.poll(() => harness?.server.messageRequests().length, { timeout: 5_000 }).toBe(2);
        expect(disk.held()).toBeGreaterThanOrEqual(1);
        expect(queue.snapshot().jobs.filter((job) => job.status === 'done')).toHaveLength(0);
        disk.open();
        await run;
        expect(queue.snapshot().jobs.map((job) => job.status)).toEqual(['done', 'done']);
    });

    it("writes the finished job's result after the next job holds its lease, so the lease does not wait behind it", async () => {
        harness = await makeQueueHarness({ files: twoJobs, concurrency: 1 });
        harness.server.setDefault(textTurn('A summary.'));
        const { base, order, watched } = recordingCreates(harness.temp.vault);
        watched.process = async (path, fn) => {
            const text = await base.process(path, fn);
            if (/^status: running$/mu.test(text)) order.push(`lease ${path.split('/').pop() ?? ''}`);
            return text;
        };
        const queue = await harness.queue({ vault: watched });
        await queue.runUntilIdle();
        const first = order.findIndex((entry) => entry.startsWith('create First'));
        expect(order.indexOf('lease Second.md')).toBeGreaterThan(order.indexOf('lease First.md'));
        expect(order.indexOf('lease Second.md')).toBeLessThan(first);
        expect(queue.snapshot().jobs.map((job) => job.status)).toEqual(['done', 'done']);
    });

    it('writes no result while a job started in a freed place has still to take its lease (concurrency 2)', async () => {
        const files: Record<string, string> = {};
        for (const name of ['A', 'B', 'C', 'D']) files[`Agent/Jobs/${name}.md`] = jobNote(`Summarise ${name}.`);
        harness = await makeQueueHarness({ files, concurrency: 2 });
        harness.server.setDefault(textTurn('A summary.'));
        const { base, order, watched } = recordingCreates(harness.temp.vault);
        // A and B end together; C and D start in their places, C slow to take its lease and D much slower.
        const hold: Record<string, number> = { 'C.md': 100, 'D.md': 400 };
        watched.process = async (path, fn) => {
            const name = path.split('/').pop() ?? '';
            const ms = hold[name];
            if (ms === undefined) return base.process(path, fn);
            delete hold[name];
            await new Promise((resolve) => setTimeout(resolve, ms));
            const text = await base.process(path, fn);
            order.push(`lease ${name}`);
            return text;
        };
        const queue = await harness.queue({ vault: watched });
        await queue.runUntilIdle();
        // C's request went out at once; A's and B's results waited for D too.
        const results = order.filter((entry) => /^create [AB] /u.test(entry)).map((entry) => order.indexOf(entry));
        expect(results).toHaveLength(2);
        expect(Math.min(...results)).toBeGreaterThan(order.indexOf('lease D.md'));
        expect(queue.snapshot().jobs.map((job) => job.status)).toEqual(['done', 'done', 'done', 'done']);
    });

    it('keeps the place of a job whose turn failed until its note says so', async () => {
        harness = await makeQueueHarness({ files: twoJobs, concurrency: 1 });
        harness.server.enqueue(httpError(400, 'invalid_request_error', 'Bad request.'));
        harness.server.setDefault(textTurn('A summary.'));
        const queue = await harness.queue();
        const seen: string[] = [];
        harness.server.setResponder(() => {
            // When the second request arrives, the first job's failure is already in its note.
            seen.push(
                queue
                    .snapshot()
                    .jobs.map((job) => job.status)
                    .join(','),
            );
            return undefined;
        });
        await queue.runUntilIdle();
        expect(harness.server.messageRequests()).toHaveLength(2);
        // The responder hears only the second request (the scripted error answered the first).
        expect(seen).toHaveLength(1);
        expect(seen[0]).toMatch(/failed/u);
    });
});
