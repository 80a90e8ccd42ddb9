/**
 * What the review inbox's UI (the inbox view, its notices and status-bar item) needs from the proposals: the
 * listing, change events, opening one proposal against the note as it is now, applying the person's decision through
 * the change controller, and undo. `PluginUi` builds it over the proposal store and its review functions
 * (`src/review/`); the views hold no logic of their own about proposals.
 */
import type { Decision } from '../agent/changes/approval';
import type { ProposalOrigin } from '../agent/changes/change-ports';
import type { UndoReport } from '../agent/changes/checkpoints';
import {
    applyProposal,
    openProposal,
    undoProposal,
    type OpenedProposal,
    type ReviewOutcome,
    type ReviewServices,
} from '../review/proposal-review';
import type { InboxEntry, ProposalInbox } from '../review/proposal-store';

/** Who proposed a change. */
export type InboxOrigin = ProposalOrigin;

/** One pending proposal in the list (never its text). */
export type InboxItem = InboxEntry;

/** Every pending proposal, grouped by who proposed it and by note, newest first at both levels. */
export type InboxListing = ProposalInbox;

/** One proposal opened against the note as it is now. */
export type InboxOpened = OpenedProposal;

/** What applying a decision came to. */
export type InboxOutcome = ReviewOutcome;

/** The proposals, as the inbox UI uses them. */
export interface InboxPort {
    /** The listing now, judged by the exclusion gate now. */
    list(): Promise<InboxListing>;
    /** Hears every change (added, decided, synced in); returns the unsubscribe function. */
    subscribe(listener: () => void): () => void;
    /** Opens proposal `id` against the note as it is now. */
    open(id: string): Promise<InboxOpened>;
    /** Applies (or, for a denial, rejects) proposal `id` as the person decided on the card. */
    apply(id: string, decision: Decision): Promise<InboxOutcome>;
    /** Undoes an applied proposal; it is pending again after. */
    undo(id: string): Promise<UndoReport | null>;
}

/** The inbox over the review services (built anew per call, so a settings change is followed). */
export function reviewInbox(review: () => ReviewServices): InboxPort {
    return {
        list: () => review().store.list(),
        subscribe: (listener) => review().store.subscribe(listener),
        open: (id) => openProposal(review(), id),
        apply: (id, decision) => applyProposal(review(), id, decision),
        undo: (id) => undoProposal(review(), id),
    };
}
