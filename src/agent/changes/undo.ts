/**
 * Planning and carrying out the undo of a turn. The plan walks the turn's changes newest first over a simulated
 * vault (so "created, then edited" is checked against the text each step would leave), and each step is checked
 * against the disk again when it runs: a note is only touched while it is exactly as the turn left it.
 */
import { VaultError, type VaultPort } from '../../kernel/vault-port';
import type { Checkpoint, UndoAction, UndoProblem } from './checkpoints';

/** The plan: steps that can run, and changes that cannot be restored. */
export interface UndoPlan {
    /** Restorable changes, in the order to undo them. */
    actions: UndoAction[];
    /** Changes left alone, with why. */
    problems: UndoProblem[];
}

/** A note's text, or `null` when there is no file at that path. */
type NoteState = string | null;

/** Plans undoing `checkpoints` (given newest first) without touching the vault. */
export async function planUndo(vault: VaultPort, checkpoints: Checkpoint[]): Promise<UndoPlan> {
    const overlay = new Map<string, NoteState>();
    const state = async (path: string): Promise<NoteState> => {
        if (!overlay.has(path)) overlay.set(path, await readState(vault, path));
        return overlay.get(path) ?? null;
    };
    const actions: UndoAction[] = [];
    const problems: UndoProblem[] = [];
    for (const c of checkpoints) {
        const where = c.kind === 'rename' ? (c.newPath ?? c.path) : c.path;
        const now = await state(where);
        const problem = (why: string): void => {
            problems.push({ ...ref(c), why });
        };
        if (c.kind === 'delete') {
            if (now !== null) problem(`a note now exists at "${c.path}", so the deleted note was not put back`);
            else {
                actions.push(action(c, `recreates "${c.path}" as it was before it was deleted`));
                overlay.set(c.path, c.before);
            }
            continue;
        }
        if (now === null) {
            problem(`"${where}" no longer exists, so there is nothing to restore`);
            continue;
        }
        if (now !== c.after) {
            problem(`"${where}" was changed after the agent ${pastTense(c)} it, so it was left as it is`);
            continue;
        }
        if (c.kind === 'create') {
            actions.push(action(c, `moves the new note "${c.path}" to the trash`));
            overlay.set(c.path, null);
        } else if (c.kind === 'edit') {
            actions.push(action(c, `restores "${c.path}" to its text before the edit`));
            overlay.set(c.path, c.before);
        } else if ((await state(c.path)) !== null) {
            problem(`a note now exists at "${c.path}", so "${where}" was not renamed back`);
        } else {
            actions.push(action(c, `renames "${where}" back to "${c.path}"`));
            overlay.set(where, null);
            overlay.set(c.path, now);
        }
    }
    return { actions, problems };
}

/** Runs the planned steps in order, each re-checked against the disk; what fails is reported, not retried. */
export async function executeUndo(
    vault: VaultPort,
    actions: UndoAction[],
    checkpoints: Checkpoint[],
): Promise<{ done: UndoAction[]; problems: UndoProblem[] }> {
    const done: UndoAction[] = [];
    const problems: UndoProblem[] = [];
    for (const step of actions) {
        const c = checkpoints.find((checkpoint) => checkpoint.id === step.checkpointId);
        if (c === undefined) continue;
        try {
            const why = await undoOne(vault, c);
            if (why === null) done.push(step);
            else problems.push({ ...ref(c), why });
        } catch (error) {
            const why = `restoring it failed: ${error instanceof Error ? error.message : String(error)}`;
            problems.push({ ...ref(c), why });
        }
    }
    return { done, problems };
}

/** Undoes one change; `null` when restored and verified, otherwise why not. */
async function undoOne(vault: VaultPort, c: Checkpoint): Promise<string | null> {
    const changedSince = (path: string): string => `"${path}" changed while undoing, so it was left as it is`;
    switch (c.kind) {
        case 'create': {
            if ((await readState(vault, c.path)) !== c.after) return changedSince(c.path);
            await vault.trash(c.path);
            return (await readState(vault, c.path)) === null ? null : `"${c.path}" could not be moved to the trash`;
        }
        case 'edit': {
            const before = c.before ?? '';
            let stale = false;
            await vault.process(c.path, (current) => {
                if (current === c.after) return before;
                stale = true;
                return current;
            });
            if (stale) return changedSince(c.path);
            return verify(vault, c.path, before);
        }
        case 'rename': {
            const from = c.newPath ?? c.path;
            if ((await readState(vault, from)) !== c.after) return changedSince(from);
            await vault.rename(from, c.path);
            return verify(vault, c.path, c.before ?? '');
        }
        case 'delete': {
            await vault.create(c.path, c.before ?? '');
            return verify(vault, c.path, c.before ?? '');
        }
    }
}

async function verify(vault: VaultPort, path: string, expected: string): Promise<string | null> {
    const onDisk = await readState(vault, path);
    return onDisk === expected ? null : `"${path}" does not read back as restored; check it by hand`;
}

/** The text at `path`, or `null` when there is no such file. */
export async function readState(vault: VaultPort, path: string): Promise<NoteState> {
    if ((await vault.stat(path)) === null) return null;
    try {
        return await vault.read(path);
    } catch (error) {
        if (error instanceof VaultError && error.code === 'not-found') return null;
        throw error;
    }
}

function action(c: Checkpoint, description: string): UndoAction {
    return { ...ref(c), description };
}

/** The fields that name a checkpoint in a report. */
function ref(c: Checkpoint): Pick<UndoProblem, 'checkpointId' | 'kind' | 'path' | 'newPath'> {
    const named: Pick<UndoProblem, 'checkpointId' | 'kind' | 'path' | 'newPath'> = {
        checkpointId: c.id,
        kind: c.kind,
        path: c.path,
    };
    if (c.newPath !== undefined) named.newPath = c.newPath;
    return named;
}

function pastTense(c: Checkpoint): string {
    return { create: 'created', edit: 'edited', rename: 'renamed', delete: 'deleted' }[c.kind];
}
