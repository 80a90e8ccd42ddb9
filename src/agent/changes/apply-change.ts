/**
 * Writing one approved change to the vault: only over the exact text it was computed against (a note that moved on
 * is never overwritten), never over an existing file, deletes to the trash, and every write read back and compared.
 */
import { VaultError, type VaultPort } from '../../kernel/vault-port';
import type { OpenNoteEditors } from './change-ports';
import type { ChangeProposal } from './proposal';
import { readState } from './undo';

/** What happened when a change was written. */
export type WriteResult =
    /** Written. `after` is the intended text at the note's (new) path, `null` after a delete. */
    | { status: 'written'; before: string | null; after: string | null; verified: boolean; viaEditor: boolean }
    /** The note is no longer exactly the proposal's base (`current` is what is there now; `null`: gone). */
    | { status: 'stale'; current: string | null }
    /** A create or rename target is taken; nothing was written. */
    | { status: 'exists'; path: string };

/**
 * Writes `content` (the approved text; `null` for a rename or delete) for `proposal`. The stale check for edits is
 * atomic (inside `process`); for renames and deletes it is a read just before the move, as the port offers no
 * compare-and-move.
 */
export async function writeChange(
    vault: VaultPort,
    editors: OpenNoteEditors | undefined,
    proposal: ChangeProposal,
    content: string | null,
): Promise<WriteResult> {
    switch (proposal.kind) {
        case 'create':
            return writeCreate(vault, proposal.path, content ?? '');
        case 'edit':
            return writeEdit(vault, editors, proposal.path, proposal.base ?? '', content ?? '');
        case 'rename':
            return writeRename(vault, proposal);
        case 'delete':
            return writeDelete(vault, proposal);
    }
}

async function writeCreate(vault: VaultPort, path: string, content: string): Promise<WriteResult> {
    try {
        await vault.create(path, content);
    } catch (error) {
        if (error instanceof VaultError && error.code === 'exists') return { status: 'exists', path };
        throw error;
    }
    return {
        status: 'written',
        before: null,
        after: content,
        verified: await readsBack(vault, path, content),
        viaEditor: false,
    };
}

async function writeEdit(
    vault: VaultPort,
    editors: OpenNoteEditors | undefined,
    path: string,
    base: string,
    next: string,
): Promise<WriteResult> {
    // The open note is changed through its editor so the person's cursor, undo history and typing survive. The
    // editor's buffer is saved to disk by the host later, so it cannot be read back from disk yet.
    if (editors !== undefined && (await editors.apply(path, base, next))) {
        return { status: 'written', before: base, after: next, verified: true, viaEditor: true };
    }
    let seen = null as string | null;
    try {
        await vault.process(path, (current) => {
            seen = current;
            return current === base ? next : current;
        });
    } catch (error) {
        if (isStaleWrite(error)) return { status: 'stale', current: await readState(vault, path) };
        if (error instanceof VaultError && error.code === 'not-found') return { status: 'stale', current: null };
        throw error;
    }
    if (seen !== base) return { status: 'stale', current: seen };
    return {
        status: 'written',
        before: base,
        after: next,
        verified: await readsBack(vault, path, next),
        viaEditor: false,
    };
}

async function writeRename(vault: VaultPort, proposal: ChangeProposal): Promise<WriteResult> {
    const target = proposal.newPath ?? proposal.path;
    const current = await readState(vault, proposal.path);
    if (current === null || current !== proposal.base) return { status: 'stale', current };
    if ((await vault.stat(target)) !== null) return { status: 'exists', path: target };
    try {
        await vault.rename(proposal.path, target);
    } catch (error) {
        if (error instanceof VaultError && error.code === 'exists') return { status: 'exists', path: target };
        throw error;
    }
    // The host may rewrite links inside the moved note itself, so `after` is what now stands at the target.
    const moved = await readState(vault, target);
    return { status: 'written', before: current, after: moved, verified: moved !== null, viaEditor: false };
}

async function writeDelete(vault: VaultPort, proposal: ChangeProposal): Promise<WriteResult> {
    const current = await readState(vault, proposal.path);
    if (current === null || current !== proposal.base) return { status: 'stale', current };
    await vault.trash(proposal.path);
    return {
        status: 'written',
        before: current,
        after: null,
        verified: (await vault.stat(proposal.path)) === null,
        viaEditor: false,
    };
}

async function readsBack(vault: VaultPort, path: string, expected: string): Promise<boolean> {
    return (await readState(vault, path)) === expected;
}

/** FsVault marks a write that lost a race with `stale: true`; the port itself has no stale error code. */
function isStaleWrite(error: unknown): boolean {
    return typeof error === 'object' && error !== null && (error as { stale?: unknown }).stale === true;
}
