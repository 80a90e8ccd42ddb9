/**
 * The queue's index of its job notes (`QueueJobs`): the jobs that may run, asked at every start and end of a job, are
 * what a plain look over every note in the folder's order gives, through any sequence of notes read, changed and the
 * folder read again. Real job notes, parsed from the text the queue writes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readJobNote, type JobNote, type JobStatus } from '../../src/delegate/job-note';
import { renderJobNote } from '../../src/delegate/job-spec';
import { QueueJobs } from '../../src/delegate/queue-jobs';

const MAX_ATTEMPTS = 3;
const STATUSES: JobStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'];

function jobNote(path: string): JobNote {
    const read = readJobNote(path, renderJobNote({ title: path, brief: 'Summarise.' }, Date.UTC(2026, 11, 7)));
    if (read.kind !== 'job') throw new Error(`not a job note: ${path}`);
    return read.job;
}

const BASE = new Map(Array.from({ length: 6 }, (_, i) => [`Jobs/J${i}.md`, jobNote(`Jobs/J${i}.md`)]));

/** What the queue asked before: every note, in the order first seen, filtered. */
function reference(notes: Map<string, JobNote>) {
    const lets = (job: JobNote) =>
        job.schedule === '' &&
        (job.status === 'queued' || (job.status === 'interrupted' && job.attempts < MAX_ATTEMPTS));
    return [...notes.values()].filter(lets).map((job) => job.path);
}

const change = fc.oneof(
    fc.record({
        kind: fc.constant('set' as const),
        path: fc.constantFrom(...BASE.keys()),
        status: fc.constantFrom(...STATUSES),
        attempts: fc.integer({ min: 0, max: 4 }),
        id: fc.constantFrom('', 'job-a', 'job-b', 'job-c'),
        schedule: fc.constantFrom('', 'every day at 9'),
    }),
    fc.constant({ kind: 'clear' as const }),
);

describe('QueueJobs', () => {
    it('answers as a look over every note in order would, through any changes (fast-check)', () => {
        fc.assert(
            fc.property(fc.array(change, { maxLength: 40 }), (changes) => {
                const jobs = new QueueJobs(MAX_ATTEMPTS);
                const notes = new Map<string, JobNote>();
                for (const step of changes) {
                    if (step.kind === 'clear') {
                        jobs.clear();
                        notes.clear();
                        continue;
                    }
                    const { kind: _kind, ...fields } = step;
                    const job = { ...(BASE.get(step.path) as JobNote), ...fields };
                    jobs.set(job);
                    notes.set(job.path, job);
                    expect(jobs.mayRunByNote().map((j) => j.path)).toEqual(reference(notes));
                    expect([...jobs.all.keys()]).toEqual([...notes.keys()]);
                }
            }),
            { numRuns: 500 },
        );
    });

    it('lists the one queued job among 20,000 finished ones', () => {
        const jobs = new QueueJobs(MAX_ATTEMPTS);
        const done = jobNote('Jobs/Done.md');
        for (let i = 0; i < 20_000; i++) jobs.set({ ...done, path: `Jobs/Done ${i}.md`, status: 'done' });
        jobs.set(jobNote('Jobs/New.md'));
        expect(jobs.mayRunByNote().map((job) => job.path)).toEqual(['Jobs/New.md']);
        expect(jobs.all.size).toBe(20_001);
    });
});
