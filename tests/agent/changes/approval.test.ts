import { describe, expect, it } from 'vitest';
import { isBindingValid, resolveDecision } from '../../../src/agent/changes/approval';
import { policyFor } from '../../../src/agent/changes/change-policy';
import { buildProposal, type ChangeKind } from '../../../src/agent/changes/proposal';
import type { PermissionModeName } from '../../../src/kernel/permission-mode-name';

const base = 'one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\n';
const edit = buildProposal({
    kind: 'edit',
    path: 'a.md',
    base,
    proposed: base.replace('one', '1').replace('ten', '10'),
});
const rename = buildProposal({ kind: 'rename', path: 'a.md', newPath: 'b.md', base, proposed: null });

describe('decisions', () => {
    it('counts only a decision that names the proposal binding as an approval', () => {
        expect(isBindingValid({ kind: 'approve', binding: edit.binding }, edit)).toBe(true);
        expect(isBindingValid({ kind: 'approve', binding: rename.binding }, edit)).toBe(false);
        expect(resolveDecision({ kind: 'approve', binding: 'x' }, edit)).toMatchObject({ kind: 'invalid' });
        expect(resolveDecision({ kind: 'deny', reason: 'later' }, edit)).toEqual({ kind: 'deny', reason: 'later' });
    });

    it('turns approved hunks and edited text into the text to write', () => {
        expect(edit.hunks).toHaveLength(2);
        expect(resolveDecision({ kind: 'approve-hunks', binding: edit.binding, hunks: [1] }, edit)).toEqual({
            kind: 'apply',
            content: base.replace('ten', '10'),
        });
        expect(resolveDecision({ kind: 'approve-hunks', binding: edit.binding, hunks: [] }, edit).kind).toBe('deny');
        expect(resolveDecision({ kind: 'approve-hunks', binding: edit.binding, hunks: [5] }, edit).kind).toBe(
            'invalid',
        );
        expect(resolveDecision({ kind: 'approve-edited', binding: edit.binding, content: 'mine' }, edit)).toEqual({
            kind: 'apply',
            content: 'mine',
        });
    });

    it('accepts only a plain approval for a rename or delete', () => {
        expect(resolveDecision({ kind: 'approve', binding: rename.binding }, rename)).toEqual({
            kind: 'apply',
            content: null,
        });
        expect(resolveDecision({ kind: 'approve-edited', binding: rename.binding, content: 'x' }, rename).kind).toBe(
            'invalid',
        );
        expect(resolveDecision({ kind: 'approve-hunks', binding: rename.binding, hunks: [0] }, rename).kind).toBe(
            'invalid',
        );
    });
});

describe('the permission table', () => {
    const proposals: Record<ChangeKind, ReturnType<typeof buildProposal>> = {
        create: buildProposal({ kind: 'create', path: 'Out/x.md', base: null, proposed: 'x' }),
        edit,
        rename,
        delete: buildProposal({ kind: 'delete', path: 'a.md', base, proposed: null }),
    };
    const table: Record<string, Record<ChangeKind, string>> = {
        ask: { create: 'ask', edit: 'ask', rename: 'ask', delete: 'ask' },
        'auto-edits': { create: 'apply', edit: 'apply', rename: 'ask', delete: 'ask' },
        'read-only': { create: 'refuse', edit: 'refuse', rename: 'refuse', delete: 'refuse' },
        delegate: { create: 'apply', edit: 'refuse', rename: 'refuse', delete: 'refuse' },
        propose: { create: 'propose', edit: 'propose', rename: 'propose', delete: 'propose' },
        'no-such-mode': { create: 'refuse', edit: 'refuse', rename: 'refuse', delete: 'refuse' },
    };

    it('matches docs/DESIGN.md for every mode and kind, reading an unknown mode as read-only', () => {
        for (const [mode, row] of Object.entries(table)) {
            for (const [kind, expected] of Object.entries(row)) {
                const verdict = policyFor(mode as PermissionModeName, proposals[kind as ChangeKind], {
                    outputFolder: 'Out',
                });
                expect(verdict.action, `${mode} × ${kind}`).toBe(expected);
            }
        }
    });

    it('lets a delegate job create only strictly inside its output folder', () => {
        const create = (path: string) => buildProposal({ kind: 'create', path, base: null, proposed: 'x' });
        const scope = { outputFolder: 'Agent/Outputs' };
        expect(policyFor('delegate', create('Agent/Outputs/r.md'), scope).action).toBe('apply');
        expect(policyFor('delegate', create('Agent/Outputs/sub/r.md'), scope).action).toBe('apply');
        expect(policyFor('delegate', create('Agent/OutputsX/r.md'), scope).action).toBe('refuse');
        expect(policyFor('delegate', create('Agent/r.md'), scope).action).toBe('refuse');
        expect(policyFor('delegate', create('Agent/Outputs/r.md'), undefined).action).toBe('refuse');
        expect(policyFor('delegate', create('r.md'), { outputFolder: '' }).action).toBe('refuse');
    });
});
