import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { buildProposal, type ChangeProposal } from '../../../src/agent/changes/proposal';
import { makeHarness, snapshot, type Harness } from './fixtures';

let harness: Harness | undefined;
afterEach(async () => {
    await harness?.temp.cleanup();
    harness = undefined;
});

const ORIGINAL = {
    'a.md': 'alpha\r\nCafe\u0301 🙂\r\n',
    'Ideas/b.md': '\uFEFFbeta\n',
    'c.md': 'gamma, deleted then restored\n',
    'Index.md': 'links to [[b]]\n',
};

/** A turn that creates, edits, renames and deletes notes (and edits a note it created). */
async function runTurn(h: Harness, turnId = 'turn-1'): Promise<void> {
    const changes: ChangeProposal[] = [
        buildProposal({ kind: 'create', path: 'New/n.md', base: null, proposed: 'first\n' }),
        buildProposal({ kind: 'edit', path: 'New/n.md', base: 'first\n', proposed: 'first\nsecond\n' }),
        buildProposal({ kind: 'edit', path: 'a.md', base: ORIGINAL['a.md'], proposed: 'alpha\r\nedited 🙂\r\n' }),
        buildProposal({
            kind: 'rename',
            path: 'Ideas/b.md',
            newPath: 'Archive/b2.md',
            base: ORIGINAL['Ideas/b.md'],
            proposed: null,
        }),
        buildProposal({ kind: 'delete', path: 'c.md', base: ORIGINAL['c.md'], proposed: null }),
    ];
    for (const change of changes) {
        const outcome = await h.controller.submit(change, { turnId });
        expect(outcome.applied, outcome.message).toBe(true);
    }
}

describe('undo (row 5)', () => {
    it('restores a turn that created, edited, renamed and deleted notes byte for byte', async () => {
        const h = (harness = await makeHarness({ files: ORIGINAL, mode: 'ask' }));
        const before = await snapshot(h.temp.root);
        await runTurn(h);
        expect(await snapshot(h.temp.root)).not.toEqual(before);

        const plan = await h.checkpoints.undo('turn-1', { dryRun: true });
        expect(plan.notRestored).toEqual([]);
        expect(plan.restored.map((a) => `${a.kind} ${a.path}`)).toEqual([
            'delete c.md',
            'rename Ideas/b.md',
            'edit a.md',
            'edit New/n.md',
            'create New/n.md',
        ]);
        expect(plan.restored[1]?.description).toBe('renames "Archive/b2.md" back to "Ideas/b.md"');
        expect(h.temp.exists('c.md')).toBe(false);

        const report = await h.checkpoints.undo('turn-1');
        expect(report.notRestored).toEqual([]);
        expect(report.restored).toHaveLength(5);
        const after = await snapshot(h.temp.root);
        // Folders the turn created may remain; every file is as it was.
        expect(after).toEqual(before);
        expect(h.temp.exists('New/n.md')).toBe(false);
        expect(h.temp.readRaw('.trash/n.md').toString()).toBe('first\n');
        expect(await h.checkpoints.undoableTurns()).toEqual([]);
    });

    it('names a note the person edited after the turn, leaves it alone, and restores the rest', async () => {
        const h = (harness = await makeHarness({ files: ORIGINAL, mode: 'ask' }));
        await runTurn(h);
        await h.temp.write('a.md', 'the person kept writing\n');

        const plan = await h.checkpoints.undo('turn-1', { dryRun: true });
        expect(plan.notRestored).toEqual([
            expect.objectContaining({
                path: 'a.md',
                why: '"a.md" was changed after the agent edited it, so it was left as it is',
            }),
        ]);
        expect(plan.restored).toHaveLength(4);

        const report = await h.checkpoints.undo('turn-1');
        expect(report.notRestored.map((p) => p.path)).toEqual(['a.md']);
        expect(h.temp.readRaw('a.md').toString()).toBe('the person kept writing\n');
        expect(h.temp.readRaw('c.md').toString()).toBe(ORIGINAL['c.md']);
        expect(h.temp.readRaw('Ideas/b.md').toString()).toBe(ORIGINAL['Ideas/b.md']);
        expect(h.temp.readRaw('Index.md').toString()).toBe(ORIGINAL['Index.md']);
        expect(h.temp.exists('New/n.md')).toBe(false);
    });

    it('does not put a deleted note back over one created at its path since, and says so', async () => {
        const h = (harness = await makeHarness({ files: ORIGINAL, mode: 'ask' }));
        await runTurn(h);
        await h.temp.write('c.md', 'a new note by the person\n');
        const report = await h.checkpoints.undo('turn-1');
        expect(report.notRestored).toHaveLength(1);
        expect(report.notRestored[0]).toMatchObject({ kind: 'delete', path: 'c.md' });
        expect(report.notRestored[0]?.why).toContain('a note now exists');
        expect(h.temp.readRaw('c.md').toString()).toBe('a new note by the person\n');
    });

    it('keeps checkpoints across a restart, and undoing twice restores nothing the second time', async () => {
        const h = (harness = await makeHarness({ files: ORIGINAL, mode: 'ask' }));
        const before = await snapshot(h.temp.root);
        await runTurn(h);
        const reopened = new CheckpointStore({ vault: h.temp.vault, persistence: h.persistence });
        expect(await reopened.undoableTurns()).toEqual(['turn-1']);
        const report = await reopened.undo('turn-1');
        expect(report.restored).toHaveLength(5);
        expect(await snapshot(h.temp.root)).toEqual(before);
        const again = await reopened.undo('turn-1');
        expect(again).toMatchObject({ restored: [], notRestored: [] });
        expect(await snapshot(h.temp.root)).toEqual(before);
    });

    it('only undoes the turn asked for', async () => {
        const h = (harness = await makeHarness({ files: { 'x.md': 'one\n' }, mode: 'auto-edits' }));
        await h.controller.submit(buildProposal({ kind: 'edit', path: 'x.md', base: 'one\n', proposed: 'two\n' }), {
            turnId: 't1',
        });
        await h.controller.submit(buildProposal({ kind: 'create', path: 'y.md', base: null, proposed: 'y\n' }), {
            turnId: 't2',
        });
        await h.checkpoints.undo('t2');
        expect(h.temp.readRaw('x.md').toString()).toBe('two\n');
        expect(h.temp.exists('y.md')).toBe(false);
    });

    it('skips damaged stored entries instead of failing', async () => {
        const h = (harness = await makeHarness({ files: {}, mode: 'auto-edits' }));
        await h.persistence.save({ version: 1, checkpoints: [{ id: 1 }, null, 'x'] });
        const store = new CheckpointStore({ vault: h.temp.vault, persistence: h.persistence });
        expect(await store.undoableTurns()).toEqual([]);
    });
});
