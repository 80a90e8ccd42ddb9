/**
 * The small ports the changes room takes besides the vault: where checkpoints are kept, the open-note editors, and
 * where a `propose`-mode controller sends its proposals.
 */
import type { ChangeProposal } from './proposal';

/** Where checkpoints live between sessions: a JSON file in the plugin's state folder, or memory in tests. */
export interface CheckpointPersistence {
    /** The last saved value, or `undefined`/`null` when nothing was saved yet. */
    load(): Promise<unknown>;
    /** Replaces the saved value. */
    save(data: unknown): Promise<void>;
    /**
     * Whether another writer (another process on the same vault) replaced the saved value since this one last loaded
     * or saved it; the store then loads it again before it changes anything. Absent where nobody else writes it.
     */
    changedElsewhere?(): Promise<boolean>;
    /**
     * Runs `task` (load if changed elsewhere, change, save) so that no other writer saves in between: across processes
     * a lock on the saved value (decision 0038). Absent where nobody else writes it.
     */
    exclusive?<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * The notes open in an editor. When the agent changes an open note, the change goes through the Editor API so the
 * person's cursor, selection and undo history survive and no keystroke typed meanwhile is lost.
 */
export interface OpenNoteEditors {
    /**
     * Replaces `base` with `next` in the open editor of `path`. Resolves `true` when the note is open and its editor
     * held exactly `base` and now holds `next`; `false` when the note is not open (the caller then writes the file).
     */
    apply(path: string, base: string, next: string): Promise<boolean>;
}

/** Who made a proposal: a job (by its id and title) or an MCP client. */
export interface ProposalOrigin {
    /** A job in `propose` mode, or an MCP client's `propose_edit`. */
    kind: 'job' | 'mcp';
    /** The job's id, or the MCP client's name; proposals are grouped and capped by it. */
    id: string;
    /** What the person sees: the job's title, or "MCP client <name>". */
    title: string;
}

/** What a proposal sink did with one proposal. */
export type ProposalReceipt =
    /** Recorded for review (`merged`: the same hunks were already waiting, so nothing new was added). */
    | { recorded: true; id: string; merged: boolean }
    /** Not recorded: the origin's cap is reached, or the text may not be kept (an excluded note). */
    | { recorded: false; why: string };

/**
 * Where a `propose`-mode ChangeController sends changes instead of writing them: the review inbox. A sink is bound to
 * one origin (a job, an MCP client) and its cap; it never touches the note.
 */
export interface ProposalSink {
    /** Records `proposal` (already path- and stale-checked against the note as it is now) for a person to review. */
    record(proposal: ChangeProposal, context: { turnId: string }): Promise<ProposalReceipt>;
}

/** Hands out a sink per origin (the review store, wired in the composition root). */
export interface ProposalSinks {
    /** A sink for `origin`, recording at most `cap` pending proposals for it (the store's default when absent). */
    sinkFor(origin: ProposalOrigin, cap?: number): ProposalSink;
}
