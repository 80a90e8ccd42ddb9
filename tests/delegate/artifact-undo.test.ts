/**
 * A job's result note is written through the ChangeController, like every other change: it leaves a checkpoint and
 * the undo path (the same `CheckpointStore.undo` the chat's Undo and the "Undo last agent change" command use) moves
 * it to the trash; a result the person edited since is left alone; and a result is never written into a location the
 * privacy settings exclude. The real queue on a real temp vault against the local Messages API.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { artifactTurnId } from '../../src/delegate/artifact';
import { readJobNote } from '../../src/delegate/job-note';
import { textTurn } from '../support/messages-api-server';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

async function runOneJob(
    h: QueueHarness,
    fields: Record<string, string> = {},
): Promise<{ id: string; status: string; error: string; checkpoints: CheckpointStore }> {
    const checkpoints = new CheckpointStore({ vault: h.temp.vault, persistence: new MemoryCheckpointPersistence() });
    h.server.enqueue(textTurn('The result.'));
    await h.temp.write('Agent/Jobs/Sum.md', jobNote('Summarise.', fields));
    await h.temp.vault.scan();
    const queue = await h.queue({ checkpoints });
    await queue.runUntilIdle();
    const read = readJobNote('Agent/Jobs/Sum.md', h.temp.readRaw('Agent/Jobs/Sum.md').toString('utf8'));
    if (read.kind !== 'job') throw new Error('not a job');
    return { id: read.job.id, status: read.job.status, error: read.job.error, checkpoints };
}

describe('a job result through the ChangeController', () => {
    it('is checkpointed and undone through the undo path', async () => {
        harness = await makeQueueHarness();
        const { id, status, checkpoints } = await runOneJob(harness);
        expect(status).toBe('done');
        const artifact = `Agent/Outputs/Sum (${id}).md`;
        expect(harness.temp.exists(artifact)).toBe(true);

        expect(await checkpoints.undoableTurns()).toEqual([artifactTurnId(id)]);
        const [checkpoint] = await checkpoints.list(artifactTurnId(id));
        expect(checkpoint).toMatchObject({ kind: 'create', path: artifact, before: null });
        expect(checkpoint?.after).toContain('The result.');
        const preview = await checkpoints.undo(artifactTurnId(id), { dryRun: true });
        expect(preview.restored.map((action) => action.path)).toEqual([artifact]);

        const report = await checkpoints.undo(artifactTurnId(id));
        expect(report.notRestored).toEqual([]);
        expect(harness.temp.exists(artifact)).toBe(false);
        expect(await checkpoints.undoableTurns()).toEqual([]);
    });

    it('is left alone by undo once the person edited it', async () => {
        harness = await makeQueueHarness();
        const { id, checkpoints } = await runOneJob(harness);
        const artifact = `Agent/Outputs/Sum (${id}).md`;
        await harness.temp.write(artifact, 'My own notes now.\n');
        const report = await checkpoints.undo(artifactTurnId(id));
        expect(report.restored).toEqual([]);
        expect(report.notRestored).toHaveLength(1);
        expect(harness.temp.readRaw(artifact).toString('utf8')).toBe('My own notes now.\n');
    });

    it('is never written into an excluded location: the job fails and says so', async () => {
        harness = await makeQueueHarness({ privacy: { excludedTags: [], excludedFolders: ['Private/'] } });
        const { status, error, checkpoints } = await runOneJob(harness, { output: 'Private/Outputs' });
        expect(status).toBe('failed');
        expect(error).toContain('not a location the agent can write to');
        const written = (await harness.temp.vault.list()).map((file) => file.path);
        expect(written.filter((path) => path.startsWith('Private/'))).toEqual([]);
        expect(await checkpoints.undoableTurns()).toEqual([]);
    });
});
