/**
 * Approval decisions. A decision only ever comes from the `ApprovalGate` (the person's card in the chat, or a
 * scripted gate in tests); nothing in the model's output can produce one. Every approving decision names the
 * binding of the proposal it approves, so an approval shown for one diff can never apply a different one.
 */
import { HunkMismatchError } from './hunks';
import { applyHunks, type ChangeProposal } from './proposal';

/** What the person decided about one proposal. */
export type Decision =
    | { kind: 'approve'; binding: string }
    | { kind: 'approve-hunks'; binding: string; hunks: number[] }
    | { kind: 'approve-edited'; binding: string; content: string }
    | { kind: 'deny'; reason?: string };

/** Why the person is being asked (the card can say so). */
export type ApprovalTrigger =
    /** The mode asks for this kind of change (every change in `ask`, renames and deletes in every mode). */
    | 'policy'
    /** This turn has changed many notes; the card lists all of them. */
    | 'many-notes'
    /** The note changed since the agent read it; this is the change re-diffed against the current text. */
    | 'changed-on-disk'
    /** The previous decision did not name this proposal's binding. */
    | 'binding-mismatch';

/** What accompanies an approval request. */
export interface ApprovalRequestOptions {
    /** Aborted when the turn is stopped; the gate should then reject or deny. */
    signal?: AbortSignal;
    /** Every file this approval concerns, in order (for a rename: source then target; for many notes: all of them). */
    files?: string[];
    /** Why the person is being asked. */
    trigger?: ApprovalTrigger;
    /** What Vault Agent itself found that the person must know before deciding (never the model's words). */
    warning?: string;
}

/** The port that asks the person. */
export interface ApprovalGate {
    /** Shows the proposal and resolves with the person's decision. */
    request(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision>;
}

/**
 * The gate of a surface nobody watches (a job, the vault's MCP server): every request is denied. The unattended modes
 * never ask for a change inside their scope and refuse the rest without asking, so this answer is a backstop only.
 */
export function unattended(who: string): ApprovalGate {
    return { request: () => Promise.resolve({ kind: 'deny', reason: `Nobody is there to approve changes ${who}.` }) };
}

/** What a decision means for one proposal. */
export type Resolution =
    /** Write this text (`null` for a rename or delete, which carry no new text). */
    | { kind: 'apply'; content: string | null }
    /** The person said no. */
    | { kind: 'deny'; reason?: string }
    /** Not an approval of this proposal (stale binding, unknown hunks, a form that does not fit the kind). */
    | { kind: 'invalid'; why: string };

/** True when the decision is a denial, or an approval that names this proposal's binding. */
export function isBindingValid(decision: Decision, proposal: ChangeProposal): boolean {
    return decision.kind === 'deny' || decision.binding === proposal.binding;
}

/** Turns a decision into what to do with the proposal; anything that is not clearly an approval is not one. */
export function resolveDecision(decision: Decision, proposal: ChangeProposal): Resolution {
    if (decision.kind === 'deny') {
        return decision.reason === undefined ? { kind: 'deny' } : { kind: 'deny', reason: decision.reason };
    }
    if (!isBindingValid(decision, proposal)) {
        return { kind: 'invalid', why: 'the approval names a different version of this change' };
    }
    const carriesText = proposal.kind === 'create' || proposal.kind === 'edit';
    switch (decision.kind) {
        case 'approve':
            return { kind: 'apply', content: proposal.proposed };
        case 'approve-hunks': {
            if (!carriesText) return { kind: 'invalid', why: `a ${proposal.kind} has no hunks to choose from` };
            if (decision.hunks.length === 0) return { kind: 'deny', reason: 'none of the hunks was accepted' };
            try {
                return { kind: 'apply', content: applyHunks(proposal.base ?? '', proposal, decision.hunks) };
            } catch (error) {
                if (error instanceof HunkMismatchError) return { kind: 'invalid', why: error.message };
                throw error;
            }
        }
        case 'approve-edited':
            if (!carriesText || typeof decision.content !== 'string') {
                return { kind: 'invalid', why: `a ${proposal.kind} cannot be approved with edited text` };
            }
            return { kind: 'apply', content: decision.content };
    }
}
