/**
 * What the review inbox's UI (the inbox view, its notices and status-bar item) needs from the proposals: the
 * listing, change events, opening one proposal against the note as it is now, applying the person's decision through
 * the change controller, and undo. `PluginUi` builds it over the proposal store and its review functions
 * (`src/review/`); the views hold no logic of their own about proposals.
 */
import type { Decision } from '../agent/changes/approval';
import type { ChangeOutcome } from '../agent/changes/change-controller';
import type { UndoReport } from '../agent/changes/checkpoints';
import type { ChangeKind, ChangeProposal, Hunk } from '../agent/changes/proposal';

/** Who proposed a change. */
export interface InboxOrigin {
    /** A job in `propose` mode or an MCP client. */
    kind: 'job' | 'mcp';
    /** The job's id or the client's name. */
    id: string;
    /** What the person sees. */
    title: string;
}

/** One pending proposal in the list (never its text). */
export interface InboxItem {
    /** Its id. */
    id: string;
    /** What the change does. */
    kind: ChangeKind;
    /** The note. */
    path: string;
    /** Where a rename moves it. */
    newPath?: string;
    /** Who proposed it. */
    origin: InboxOrigin;
    /** The proposer's stated reason (absent when withheld). */
    reason?: string;
    /** When it was proposed, ms since the epoch. */
    created: number;
    /** Parts to decide (0 for a rename or delete, and when withheld). */
    hunks: number;
    /** Set when withheld (its note is private now): why, for the person. */
    withheld?: string;
}

/** Every pending proposal, grouped by who proposed it and by note, newest first at both levels. */
export interface InboxListing {
    /** Pending proposals (the badge), withheld ones included. */
    count: number;
    /** How many of them are withheld. */
    withheld: number;
    /** By origin. */
    groups: {
        origin: InboxOrigin;
        newest: number;
        count: number;
        notes: { path: string; entries: InboxItem[] }[];
    }[];
}

/** One proposal opened against the note as it is now. */
export type InboxOpened =
    | { state: 'missing' }
    | { state: 'withheld'; why: string }
    | { state: 'decided' }
    | { state: 'conflict'; why: string; conflicts: Hunk[] }
    | {
          state: 'ready';
          /** The change against the note as it is now: what the approval card shows. */
          change: ChangeProposal;
          /** True when the note changed since the proposal was made (re-diffed). */
          stale: boolean;
          /** Parts that no longer fit the note as it is now (left out of `change`). */
          conflicts: Hunk[];
      };

/** What applying a decision came to. */
export type InboxOutcome =
    | { status: 'applied'; outcome: ChangeOutcome; conflicts: Hunk[] }
    | { status: 'rejected' }
    | { status: 'moved-on' }
    | { status: 'not-ready'; opened: InboxOpened }
    | { status: 'not-applied'; outcome: ChangeOutcome };

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
