/**
 * The queue's snapshots in a jobs folder of many finished jobs: each snapshot shows every job as its note and its live
 * progress stand at that moment, while only the jobs that changed are built again (`src/delegate/job-views.ts`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobViews } from '../../src/delegate/job-views';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import type { JobProgress } from '../../src/delegate/job-run';
import type { JobView } from '../../src/delegate/queue-snapshot';
import { textTurn, toolUseTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

function note(path: string, status = 'queued'): JobNote {
    const read = readJobNote(path, jobNote(`Brief of ${path}.`, { status }));
    if (read.kind !== 'job') throw new Error('not a job');
    return read.job;
}

function progress(modelCalls: number): JobProgress {
    return { modelCalls, tokens: 0, costUsd: 0, startedAt: 0, waitingMs: 0 };
}

describe('the views of the queue’s jobs', () => {
    it('builds again only the jobs marked changed, keeps the order, and reads everything again after a reset', () => {
        const views = new JobViews();
        const jobs = new Map(['A.md', 'B.md', 'C.md'].map((path) => [path, note(`Agent/Jobs/${path}`)]));
        const live = new Map<string, JobProgress>();
        const list = (): JobView[] => views.list(jobs, (path) => live.get(path) ?? null);
        const first = list();
        expect(first.map((view) => view.path)).toEqual(['Agent/Jobs/A.md', 'Agent/Jobs/B.md', 'Agent/Jobs/C.md']);

        // Changed without a mark: the list still shows the view as last built (the queue marks every change).
        jobs.set('B.md', note('Agent/Jobs/B.md', 'done'));
        expect(list()[1]).toBe(first[1]);
        views.touch('B.md');
        const second = list();
        expect(second[1]?.status).toBe('done');
        expect(second[0]).toBe(first[0]);
        expect(second[2]).toBe(first[2]);

        live.set('C.md', progress(2));
        views.touch('C.md');
        expect(list()[2]?.progress?.modelCalls).toBe(2);
        live.delete('C.md');
        views.touch('C.md');
        expect(list()[2]?.progress).toBeNull();

        jobs.set('D.md', note('Agent/Jobs/D.md'));
        views.touch('D.md');
        expect(list().map((view) => view.path.slice(11))).toEqual(['A.md', 'B.md', 'C.md', 'D.md']);
        jobs.delete('A.md');
        views.touch('A.md');
        expect(list().map((view) => view.path.slice(11))).toEqual(['B.md', 'C.md', 'D.md']);

        // A reset (the jobs folder read again) rebuilds the list in the new order.
        const reordered = new Map([...jobs].reverse());
        views.reset();
        expect(views.list(reordered, () => null).map((view) => view.path.slice(11))).toEqual(['D.md', 'C.md', 'B.md']);
    });

    it('shows every running job’s live progress and no progress once it ended, beside 200 finished jobs', async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 200; i++) files[`Agent/Jobs/Old ${i}.md`] = jobNote(`Old job ${i}.`, { status: 'done' });
        files['Notes.md'] = 'Some notes.\n';
        files['Agent/Jobs/Read.md'] = jobNote('Read the notes twice.', { context: '["[[Notes]]"]', mode: 'read-only' });
        harness = await makeQueueHarness({ files });
        harness.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Notes.md' } }]),
            toolUseTurn([{ name: 'read_note', input: { path: 'Notes.md' } }]),
            textTurn('Read them.'),
        );
        const queue = await harness.queue();
        const calls: number[] = [];
        queue.subscribe((snapshot) => {
            const job = snapshot.jobs.find((view) => view.path === 'Agent/Jobs/Read.md');
            if (job?.status === 'running' && job.progress !== null) calls.push(job.progress.modelCalls);
            expect(snapshot.jobs).toHaveLength(201);
        });
        await queue.runUntilIdle();
        // The progress reported after each of the three model calls reached the snapshots while the job ran.
        expect(Math.max(...calls)).toBe(3);
        const final = queue.snapshot().jobs;
        expect(final.find((view) => view.path === 'Agent/Jobs/Read.md')?.status).toBe('done');
        expect(final.every((view) => view.progress === null)).toBe(true);
        expect(final.filter((view) => view.status === 'done')).toHaveLength(201);
    });
});
