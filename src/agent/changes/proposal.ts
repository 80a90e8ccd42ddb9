/**
 * A change the agent wants to make to the vault, as a person is shown it: what, where, the hunks, and a binding
 * hash over exactly that. An approval names the binding, so it can never be reused for a different change or for
 * the same change against a note that has moved on.
 */
import { applySelectedHunks, computeHunks, type Hunk } from './hunks';
import { sha256Utf16Hex } from './sha256';

export type { Hunk } from './hunks';

/** What a change does to the vault. */
export type ChangeKind = 'create' | 'edit' | 'rename' | 'delete';

/** The kinds of change, for validation. */
export const CHANGE_KINDS: readonly ChangeKind[] = ['create', 'edit', 'rename', 'delete'];

/** One proposed change, ready to be shown and approved. */
export interface ChangeProposal {
    /** Identifies this proposal (it is the start of the binding, so a re-diffed proposal gets a new id). */
    id: string;
    /** What the change does. */
    kind: ChangeKind;
    /** The note changed (for a rename: the note before it moves). */
    path: string;
    /** Where a rename moves the note. */
    newPath?: string;
    /** The note's text the change was computed against; `null` for a create. */
    base: string | null;
    /** The note's text after the change; `null` for a delete or a rename (which keeps the text). */
    proposed: string | null;
    /** The line hunks from `base` to `proposed` (none for a rename or delete). */
    hunks: Hunk[];
    /** SHA-256 over kind, path, newPath, base and proposed; what an approval must name. */
    binding: string;
    /** The model's stated intent, shown to the person as the model's words, never as fact. */
    reason?: string;
}

/** What a tool supplies to build a proposal. */
export interface ProposalInput {
    /** What the change does. */
    kind: ChangeKind;
    /** The note changed. */
    path: string;
    /** Rename target. */
    newPath?: string;
    /** Current text (`null` for a create). */
    base: string | null;
    /** Text after the change (`null` for delete and rename). */
    proposed: string | null;
    /** The model's stated intent. */
    reason?: string;
}

/** A proposal whose fields do not fit its kind. */
export class ProposalError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'ProposalError';
    }
}

/** Builds a proposal: checks the fields fit the kind, computes hunks and the binding. */
export function buildProposal(input: ProposalInput): ChangeProposal {
    const { kind, path, newPath, base, proposed, reason } = input;
    checkShape(input);
    const hunks = kind === 'create' || kind === 'edit' ? computeHunks(base ?? '', proposed ?? '') : [];
    const binding = bindingOf({ kind, path, newPath, base, proposed });
    const proposal: ChangeProposal = {
        id: `change-${binding.slice(0, 12)}`,
        kind,
        path,
        base,
        proposed,
        hunks,
        binding,
    };
    if (kind === 'rename') proposal.newPath = newPath;
    if (reason !== undefined && reason !== '') proposal.reason = reason;
    return proposal;
}

/**
 * The binding hash. Every field is length-prefixed and `null` has its own mark, so no two different changes can
 * serialise alike (a path ending in a separator cannot pass for the start of the content).
 */
export function bindingOf(change: Pick<ProposalInput, 'kind' | 'path' | 'newPath' | 'base' | 'proposed'>): string {
    const field = (value: string | null | undefined): string =>
        value === null || value === undefined ? 'N;' : `S${value.length}:${value};`;
    const kind = change.kind;
    const newPath = kind === 'rename' ? change.newPath : undefined;
    return sha256Utf16Hex(
        `vault-agent/change/v1;${field(kind)}${field(change.path)}${field(newPath)}` +
            `${field(change.base)}${field(change.proposed)}`,
    );
}

/** True when the proposal's binding is the hash of its own fields (it was not altered after it was built). */
export function isProposalIntact(proposal: ChangeProposal): boolean {
    return bindingOf(proposal) === proposal.binding;
}

/** The text after applying only the accepted hunks of an edit or create to `base`; the rest stays as in `base`. */
export function applyHunks(base: string, proposal: ChangeProposal, acceptedHunks: number[]): string {
    return applySelectedHunks(base, proposal.hunks, acceptedHunks);
}

function checkShape(input: ProposalInput): void {
    const { kind, base, proposed, newPath } = input;
    const fits =
        (kind === 'create' && base === null && typeof proposed === 'string') ||
        (kind === 'edit' && typeof base === 'string' && typeof proposed === 'string') ||
        (kind === 'rename' && typeof base === 'string' && proposed === null && typeof newPath === 'string') ||
        (kind === 'delete' && typeof base === 'string' && proposed === null);
    if (!fits) throw new ProposalError(`A ${String(kind)} proposal for "${input.path}" has fields that do not fit it.`);
    if (kind === 'edit' && base === proposed) {
        throw new ProposalError(`The edit to "${input.path}" changes nothing.`);
    }
}
