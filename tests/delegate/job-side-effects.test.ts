/**
 * Whether a job had side effects is the ChangeController's typed answer (`ToolResult.changed`), never a reading of
 * the refusal text. A job whose only write was refused — by its scope, as an excluded location, as a taken name, as a
 * protected path — changed nothing: after a model error it IS retried, and each refusal is in its log. A job that did
 * create a note is not retried by itself (it would write twice). Runs the real queue against the local Messages API
 * on a real temp vault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { streamError, textTurn, toolUseTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

const JOB = 'Agent/Jobs/Write.md';

function jobOf(h: QueueHarness) {
    const read = readJobNote(JOB, h.temp.readRaw(JOB).toString('utf8'));
    if (read.kind !== 'job') throw new Error(`not a job: ${JSON.stringify(read)}`);
    return read.job;
}

/** Every model call of one attempt breaks mid-stream (the turn loop's own retries included). */
function failedAttempt(h: QueueHarness): void {
    for (let i = 0; i < 4; i++) h.server.enqueue(streamError({ after: 'text', turn: textTurn('Half an answer') }));
}

const REFUSED_WRITES: { kind: string; path: string; inLog: string }[] = [
    { kind: 'out of its scope', path: 'Elsewhere/Note.md', inLog: 'may only create notes inside its output folder' },
    {
        kind: 'an excluded location',
        path: 'Agent/Outputs/Private/Note.md',
        inLog: 'not a location the agent can write to',
    },
    { kind: 'a name that exists', path: 'Agent/Outputs/Taken.md', inLog: 'already exists' },
    { kind: 'a protected folder', path: '.obsidian/Note.md', inLog: 'Refused create_note' },
    // A file where the note's folder should be: the tool's check passes, the ChangeController's atomic create finds
    // the path taken on disk and refuses ("…already exists; nothing was written…", which the old regex missed).
    {
        kind: 'a path taken on disk',
        path: 'Agent/Outputs/Blocked/Note.md',
        inLog: 'already exists; nothing was written',
    },
];

describe('side effects of a job, from the typed outcome', () => {
    it.each(REFUSED_WRITES)(
        'a write refused as $kind is no side effect: the job is retried after a model error and the refusal is logged',
        async ({ path, inLog }) => {
            harness = await makeQueueHarness({
                files: {
                    'Agent/Outputs/Taken.md': 'Mine.\n',
                    'Agent/Outputs/Blocked': 'A file, not a folder.\n',
                    [JOB]: jobNote('Write a note.'),
                },
                privacy: { excludedTags: ['private'], excludedFolders: ['Agent/Outputs/Private/'] },
            });
            const before = harness.temp.readRaw('Agent/Outputs/Taken.md').toString('utf8');
            harness.server.enqueue(toolUseTurn([{ name: 'create_note', input: { path, content: 'Text' } }]));
            failedAttempt(harness);
            harness.server.enqueue(textTurn('The whole answer.'));
            const queue = await harness.queue();
            await queue.runUntilIdle();

            const job = jobOf(harness);
            expect(job.status).toBe('done');
            expect(job.attempts).toBe(2);
            const note = harness.temp.readRaw(JOB).toString('utf8');
            expect(note).toContain('Refused create_note');
            expect(note).toContain(inLog);
            expect(note).toContain('Will retry');
            expect(note).not.toContain('It had already created notes');
            expect(harness.temp.exists(path)).toBe(path === 'Agent/Outputs/Taken.md');
            expect(harness.temp.readRaw('Agent/Outputs/Taken.md').toString('utf8')).toBe(before);
        },
    );

    it('a note the job did create is a side effect: after a model error it is not retried by itself', async () => {
        harness = await makeQueueHarness({ files: { [JOB]: jobNote('Write a note.') } });
        harness.server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Agent/Outputs/Made.md', content: 'Text' } }]),
        );
        failedAttempt(harness);
        const queue = await harness.queue();
        await queue.runUntilIdle();

        const job = jobOf(harness);
        expect(job.status).toBe('failed');
        expect(job.attempts).toBe(1);
        expect(job.error).toContain('It had already created notes');
        expect(harness.temp.exists('Agent/Outputs/Made.md')).toBe(true);
        expect(harness.temp.readRaw(JOB).toString('utf8')).not.toContain('Refused create_note');
    });
});
