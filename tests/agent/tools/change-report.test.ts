/**
 * The typed outcome of a write: every result of a write tool carries `changed`, the notes the ChangeController
 * wrote, and `refusal`, why it wrote nothing. Each refusal kind leaves `changed` empty whatever its message says
 * (upper or lower case, "nothing was written" or "nothing was changed"), so job logic never reads message text.
 * Real tools, a real ChangeController and a real temp vault; the person's answers and the disk changes behind the
 * agent's back happen in the approval callback, between the proposal and the write.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeProposal } from '../../../src/agent/changes/proposal';
import { editNoteTool } from '../../../src/agent/tools/edit-tools';
import { approve, makeToolHarness, type ToolHarness } from './tool-fixtures';

let h: ToolHarness | undefined;
afterEach(async () => {
    await h?.temp.cleanup();
    h = undefined;
});

const EDIT = { path: 'Plan.md', edits: [{ old: 'alpha', new: 'beta' }] };

/** Approves after `behindTheBack` changed the disk (what sync or the person did meanwhile). */
function afterDiskChange(
    behindTheBack: (root: string) => void,
): (proposal: ChangeProposal) => ReturnType<typeof approve> {
    return (proposal) => {
        if (h !== undefined) behindTheBack(h.temp.root);
        return approve(proposal);
    };
}

describe('the change report on a write tool result', () => {
    it('names the note an applied edit wrote, and both paths of a rename', async () => {
        h = await makeToolHarness({ 'Plan.md': 'alpha\n', 'Old.md': 'x\n' });
        const edited = await h.run('edit_note', EDIT);
        expect(edited.changed).toEqual(['Plan.md']);
        expect(edited.refusal).toBeUndefined();
        const renamed = await h.run('rename_note', { path: 'Old.md', new_path: 'New.md' });
        expect(renamed.changed).toEqual(['Old.md', 'New.md']);
    });

    it.each([
        {
            kind: 'declined',
            answer: () => ({ kind: 'deny' as const, reason: 'not now' }),
        },
        {
            kind: 'stale',
            answer: afterDiskChange((root) => writeFileSync(join(root, 'Plan.md'), 'gamma\n')),
        },
        {
            kind: 'vanished',
            answer: afterDiskChange((root) => rmSync(join(root, 'Plan.md'))),
        },
        {
            kind: 'not-found',
            answer: afterDiskChange((root) =>
                writeFileSync(join(root, 'Plan.md'), '---\ntags: [private]\n---\nalpha\n'),
            ),
        },
    ])('a change refused as $kind changed nothing, and says so in types', async ({ kind, answer }) => {
        h = await makeToolHarness({ 'Plan.md': 'alpha\n' }, { answer });
        const result = await h.run('edit_note', EDIT);
        expect(result.changed).toEqual([]);
        expect(result.refusal).toBe(kind);
    });

    it('refusals in delegate mode: out of scope, a taken name, an excluded location', async () => {
        h = await makeToolHarness({ 'Agent/Outputs/Taken.md': 'x\n' }, { mode: 'delegate' });
        const scope = await h.run('create_note', { path: 'Elsewhere.md', content: 'y' });
        expect(scope).toMatchObject({ changed: [], refusal: 'policy' });
        const taken = await h.run('create_note', { path: 'Agent/Outputs/Taken.md', content: 'y' });
        expect(taken.changed).toEqual([]);
        const excluded = await h.run('create_note', { path: 'Journal/New.md', content: 'y' });
        expect(excluded.changed).toEqual([]);
        expect(h.temp.exists('Elsewhere.md') || h.temp.exists('Journal/New.md')).toBe(false);
    });

    it('a write tool that fails before the controller (bad input, read-only) reports an empty list; a read none', async () => {
        h = await makeToolHarness({ 'Plan.md': 'alpha\n' });
        expect((await h.run('edit_note', { path: 'Plan.md' })).changed).toEqual([]);
        expect((await h.run('read_note', { path: 'Plan.md' })).changed).toBeUndefined();
        await h.temp.cleanup();
        h = await makeToolHarness({ 'Plan.md': 'alpha\n' }, { mode: 'read-only' });
        expect((await editNoteTool.run(EDIT, h.context)).changed).toEqual([]);
    });
});
