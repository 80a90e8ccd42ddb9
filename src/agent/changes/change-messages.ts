/**
 * What the model is told after a change was submitted. Each message says exactly what did and did not happen, in
 * words a model can act on; none of them names an excluded note or why it is excluded.
 */
import { VaultError } from '../../kernel/vault-port';
import type { ChangeProposal } from './proposal';

/** The sentence for a change that was written. */
export function appliedMessage(
    proposal: ChangeProposal,
    details: { partial?: string; edited: boolean; rebased: boolean },
): string {
    const { kind, path, newPath } = proposal;
    const parts = [
        {
            create: `Created "${path}".`,
            edit: `Edited "${path}".`,
            rename: `Renamed "${path}" to "${newPath ?? path}".`,
            delete: `Moved "${path}" to the trash.`,
        }[kind],
    ];
    if (details.rebased) {
        parts.push(
            `"${path}" had changed since you read it; the person approved your change re-applied on top of its current text.`,
        );
    }
    if (details.partial !== undefined) parts.push(details.partial);
    if (details.edited) {
        parts.push('The person edited your proposal before accepting it, so the note differs from what you proposed.');
    }
    if (details.rebased || details.partial !== undefined || details.edited) {
        parts.push('Read the note again before changing it further.');
    }
    return parts.join(' ');
}

/** The person said no. */
export function declinedMessage(proposal: ChangeProposal, reason?: string): string {
    const why = reason === undefined || reason.trim() === '' ? 'No reason was given.' : `Reason: ${reason.trim()}`;
    return `The person declined the change to "${proposal.path}"; nothing was changed. ${why}`;
}

/** The turn was stopped, or the approval could not be obtained. */
export function cancelledMessage(proposal: ChangeProposal): string {
    return `The change to "${proposal.path}" was cancelled before it was applied; nothing was changed.`;
}

/** The note does not exist for the agent (absent, or excluded: the two must read the same). */
export function notFoundMessage(path: string): string {
    return `"${path}" was not found; nothing was changed.`;
}

/** A create or rename target the agent may not write to (an excluded location). */
export function unavailableTargetMessage(path: string): string {
    return `"${path}" is not a location the agent can write to; nothing was changed. Choose another path.`;
}

/** A path in the delegate jobs folder: job notes are written by the person and the queue only. */
export function jobsFolderMessage(path: string, jobsFolder: string): string {
    return (
        `Refused: "${path}" is in the jobs folder "${jobsFolder}", where every note is a job for the queue; the agent ` +
        'never creates or changes notes there. Nothing was changed.'
    );
}

/** A create or rename target that is taken; never overwritten. */
export function existsMessage(path: string): string {
    return `"${path}" already exists; nothing was written, and the existing note was not touched. Choose another name.`;
}

/** The note changed since the agent read it and the change no longer fits it. */
export function staleMessage(path: string): string {
    return (
        `"${path}" changed since the agent read it (edited by the person, sync or another plugin), and the proposed ` +
        'change no longer fits its current text. Nothing was written; the current version is untouched. Read the ' +
        'note again and propose the change against its current text.'
    );
}

/** The note vanished between the proposal and the write. */
export function vanishedMessage(path: string): string {
    return `"${path}" no longer exists (it was moved or deleted since the agent read it); nothing was changed.`;
}

/** No valid approval after the allowed rounds. */
export function gaveUpMessage(path: string): string {
    return `No approval matching the current version of the change to "${path}" was given; nothing was changed.`;
}

/** The person's edited version is the note as it is. */
export function unchangedMessage(path: string): string {
    return `The approved version of "${path}" is identical to its current text; nothing was changed.`;
}

/** Written, but the read-back differs. */
export function unverifiedMessage(path: string): string {
    return (
        `The change to "${path}" was written, but reading it back shows different text (it may have been changed ` +
        'again right after). Read it again before changing it further.'
    );
}

/** The proposal does not match its own binding: a programming error in the caller, never applied. */
export function tamperedMessage(path: string): string {
    return `The change to "${path}" was malformed (its fields do not match its binding); nothing was changed.`;
}

/** The vault refused or failed the write. Only a `VaultError`'s text is passed on: it is written for a model and
 * names vault paths, where a raw platform error could name this machine's folders; of any other, only what its code
 * means (a full disk, a read-only one). */
export function failedMessage(path: string, error: unknown): string {
    const reason = error instanceof VaultError ? null : FS_REASONS[codeOf(error)];
    const detail = error instanceof VaultError ? ` ${error.message}` : reason !== undefined ? ` ${reason}` : '';
    return `Writing the change to "${path}" failed.${detail} Read the note again before retrying.`;
}

/** What a file system's refusal means, in words for a person (the code alone: never its message, which names paths). */
const FS_REASONS: Record<string, string> = {
    ENOSPC: 'The disk is full (ENOSPC): nothing was written.',
    EDQUOT: 'The disk quota is used up (EDQUOT): nothing was written.',
    EROFS: 'The vault is on a read-only file system (EROFS).',
    EACCES: 'Permission to write there was denied (EACCES).',
    EPERM: 'The operation was not permitted (EPERM).',
    EIO: 'The disk reported an input/output error (EIO).',
    EMFILE: 'Too many files are open in this process (EMFILE); try again.',
};

function codeOf(error: unknown): string {
    return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
        ? error.code
        : '';
}

/** A path in the review inbox's folder: proposals are written by the review store only. */
export function proposalsFolderMessage(path: string, folder: string): string {
    return `Refused: "${path}" is in the proposals folder "${folder}", which only the review inbox writes. Nothing was changed.`;
}

/** A `propose`-mode change recorded for review (or merged with the same change already waiting). */
export function proposedMessage(proposal: ChangeProposal, id: string, merged: boolean): string {
    const what = `the ${proposal.kind} of "${proposal.path}"`;
    const how = merged ? `The same change already waits for review as ${id}.` : `It waits for review as ${id}.`;
    return `Proposed, not applied: ${what}. ${how} The note stays unchanged until the person accepts it; do not propose it again.`;
}

/** A `propose`-mode change the review inbox did not take (the origin's cap, or text it may not keep). */
export function notProposedMessage(path: string, why: string): string {
    return `The change to "${path}" was not proposed: ${why} Nothing was changed.`;
}

/** A controller in `propose` mode without anywhere to record proposals. */
export function noInboxMessage(path: string): string {
    return `There is no review inbox to propose changes to; "${path}" was not changed.`;
}
