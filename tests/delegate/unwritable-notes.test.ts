/**
 * The queue's memory of job notes whose lease could not be written (`unwritable-notes.ts`): such a note is kept from
 * running until it changes or a minute passes, and each reason is said once. The queue through the built CLI is in
 * `tests/cli/run-extras.test.ts` (a symbolic link as the job note, a plain and a batch job).
 */
import { describe, expect, it } from 'vitest';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import { UnwritableNotes } from '../../src/delegate/unwritable-notes';
import { jobNote } from './queue-harness';

function job(brief: string): JobNote {
    const read = readJobNote('Agent/Jobs/A.md', jobNote(brief));
    if (read.kind !== 'job') throw new Error('not a job');
    return read.job;
}

describe('UnwritableNotes', () => {
    it('keeps a note from running until a minute passes or it changes, and says each reason once', () => {
        let now = 1_000;
        const said: string[] = [];
        const notes = new UnwritableNotes(
            { now: () => now, sleep: () => Promise.resolve() },
            { notify: (message) => said.push(message) },
        );
        const first = job('One.');
        notes.mark(first.path, first, 'It is a link.');
        notes.mark(first.path, first, 'It is a link.');
        expect(said).toEqual([
            'Vault Agent cannot run the job note "Agent/Jobs/A.md": It is a link. It was left as it is.',
        ]);
        expect(notes.has(first.path)).toBe(true);

        // Read again unchanged (the same object): still kept; a minute later: tried again.
        notes.scanned(first);
        now += 59_999;
        expect(notes.has(first.path)).toBe(true);
        now += 1;
        expect(notes.has(first.path)).toBe(false);

        // Changed by the person: tried again at once; a new reason is said, the same one is not.
        notes.mark(first.path, first, 'It is a link.');
        notes.scanned(job('One, edited.'));
        expect(notes.has(first.path)).toBe(false);
        notes.mark(first.path, first, 'It is read-only.');
        expect(said).toHaveLength(2);
    });
});
