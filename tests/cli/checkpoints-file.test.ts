/**
 * The command line's undo records live in one JSON file per vault, and several commands may run on the vault at once
 * (`run --watch` keeps running while the person runs `review` or another `run`). Each keeps the records in memory and
 * saves the whole list, so each must first take in what the others saved since. Two `CheckpointStore`s, each with its
 * own `JsonFileCheckpoints` on the same real file, stand for two processes: they share nothing but that file. Two real
 * processes saving within the same milliseconds, under the undo file's lock, are in `state-files-shared.test.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointStore, type CheckpointInput } from '../../src/agent/changes/checkpoints';
import { JsonFileCheckpoints } from '../../src/cli/cli-context';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault;
let state: string;

beforeEach(async () => {
    temp = await makeTempVault({ 'a.md': 'alpha\n' });
    state = await mkdtemp(nodePath.join(tmpdir(), 'vault-agent-checkpoints-'));
});

afterEach(async () => {
    await temp.cleanup();
    await rm(state, { recursive: true, force: true });
});

/** One command's undo records, on the shared file. */
function command(): CheckpointStore {
    return new CheckpointStore({
        vault: temp.vault,
        persistence: new JsonFileCheckpoints(nodePath.join(state, 'checkpoints.json')),
    });
}

function created(turnId: string, path: string): CheckpointInput {
    return { turnId, kind: 'create', path, before: null, after: `${turnId}\n` };
}

describe('undo records shared by commands running on one vault', () => {
    it('keeps the records of every command, whichever saves last', async () => {
        const watching = command();
        const review = command();
        await watching.record(created('job-1', 'Out/one.md'));
        // The long-running command loaded the file at its first record; another command saves after that.
        await review.record(created('review-1', 'a.md'));
        await watching.record(created('job-2', 'Out/two.md'));
        expect(await command().undoableTurns()).toEqual(['job-1', 'review-1', 'job-2']);
        // Each command sees the other's records too.
        expect(await review.undoableTurns()).toEqual(['job-1', 'review-1', 'job-2']);
        await review.record(created('review-2', 'a.md'));
        expect(await watching.undoableTurns()).toEqual(['job-1', 'review-1', 'job-2', 'review-2']);
    });

    it('keeps an undo made by one command when the other saves next', async () => {
        const watching = command();
        const review = command();
        await temp.vault.create('Out/one.md', 'job-1\n');
        await watching.record(created('job-1', 'Out/one.md'));
        const undone = await review.undo('job-1');
        expect(undone.restored).toHaveLength(1);
        await watching.record(created('job-2', 'Out/two.md'));
        expect(await command().undoableTurns()).toEqual(['job-2']);
    });
});
