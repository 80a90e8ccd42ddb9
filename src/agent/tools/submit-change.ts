/**
 * The last step of every write tool: build the proposal and hand it to the ChangeController, the one door for writes
 * (policy, approval, stale check, atomic apply, checkpoint). The tool result is the controller's own account of what
 * happened, so the model is never told a change was made when it was not.
 */
import { buildProposal, type ProposalInput } from '../changes/proposal';
import { toolError } from './define-tool';
import type { ToolContext, ToolResult } from './tool';

/** Submits one change; `preface` is put before the outcome (e.g. that a file name was made safe). */
export async function submitChange(input: ProposalInput, context: ToolContext, preface = ''): Promise<ToolResult> {
    if (context.changes === null) {
        return toolError('Vault Agent is in read-only mode: notes cannot be changed. Nothing was changed.');
    }
    const proposal = buildProposal(input);
    const outcome = await context.changes.submit(proposal, { turnId: context.turnId, signal: context.signal });
    if (outcome.applied) {
        // What is on disk now may differ from what the model proposed (partial or edited approval): it must re-read.
        context.reads.forget(proposal.path);
        if (proposal.newPath !== undefined) context.reads.forget(proposal.newPath);
    }
    // A denial or a refusal is an ordinary result that says what did not happen (docs/DESIGN.md, "Permission modes"); what
    // was written, if anything, is the controller's typed account.
    return {
        content: preface === '' ? outcome.message : `${preface} ${outcome.message}`,
        changed: outcome.changed,
        // A recorded proposal is what a `propose`-mode write is for: done, though the note is untouched.
        ...(outcome.applied || outcome.proposed !== undefined ? {} : { notApplied: true }),
        ...(outcome.proposed !== undefined ? { proposed: outcome.proposed.id } : {}),
        ...(outcome.refusal !== undefined ? { refusal: outcome.refusal } : {}),
    };
}
