/**
 * The shape every vault tool shares (which tools are offered to whom is `registry.ts`). A tool's definition (what
 * the model is shown) lives apart from its implementation; the turn loop, the CLI, jobs and the MCP server all look
 * tools up by `definition.name` and pass the model's raw JSON input to `run`, which validates it and never throws.
 */
import type { ExclusionGate } from '../../context/exclusions';
import type { AttachmentBlock } from '../../context/attachments';
import type { AttachmentReading } from '../../context/mentions';
import type { VaultPort } from '../../kernel/vault-port';
import type { NoteSearch } from '../../search/note-search';
import type { ChangeController, ChangeRefusal } from '../changes/change-controller';
import type { JobDrafter } from './job-drafts';
import type { ReadLedger } from './read-ledger';

/** What the model is told about a tool. */
export interface ToolDefinition {
    /** The name the model calls, snake_case (`read_note`). */
    name: string;
    /** What the tool does and when to use it, written for the model. */
    description: string;
    /** JSON schema of the input: an object with `required` fields and `additionalProperties: false`. */
    inputSchema: Record<string, unknown>;
    /** Whether the tool only reads or may change the vault (write tools go through the ChangeController). */
    effect: 'read' | 'write';
}

/** What a tool may use while it runs; passed per call, never held. */
export interface ToolContext {
    /** The vault, through its one port. */
    vault: VaultPort;
    /** The exclusion gate: an excluded note does not exist for the tool. */
    gate: ExclusionGate;
    /** What this conversation has read in full, for `rewrite_note`. */
    reads: ReadLedger;
    /** The one door for writes; `null` in read-only mode, where write tools are not offered. */
    changes: ChangeController | null;
    /**
     * A `propose`-mode door, for `propose_edit` (the vault's MCP server): changes recorded for the person's review,
     * never written. Absent or `null` where nothing can be proposed.
     */
    proposals?: ChangeController | null;
    /** The turn (or job) the call belongs to, so its changes can be undone together. */
    turnId: string;
    /** Aborted when the person presses Stop or the job is cancelled. */
    signal?: AbortSignal;
    /** How PDFs and images are read (`read_attachment`); without it they cannot be read. */
    attachments?: AttachmentReading;
    /** The vault's relevance index (`find_notes`, `related_notes`); absent where none was built. */
    search?: NoteSearch;
    /** Drafts scheduled job notes (`schedule_job`); chats only, absent elsewhere. */
    jobs?: JobDrafter;
}

/** What goes back to the model as the `tool_result`. */
export interface ToolResult {
    /** The text the model reads; bounded, and says when it was cut. */
    content: string;
    /**
     * `document` and `image` blocks that go back with `content` (`read_attachment`): the model reads them in the
     * tool result; an MCP client gets images as image content and a PDF's text.
     */
    blocks?: AttachmentBlock[];
    /** Set when the call failed (bad input, not found, refused); sent as `is_error`. */
    isError?: boolean;
    /**
     * Set by write tools when the ChangeController did not make the change (refused, denied, stale). The model reads
     * that as an ordinary result (docs/DESIGN.md, "Permission modes"); an MCP client gets it as `isError`, since nobody there
     * decided anything and the call simply did not happen.
     */
    notApplied?: boolean;
    /**
     * The vault paths whose text or names the content carries (the note read, the notes a search or listing shows,
     * the notes they link to). The session re-checks them before every later request, so a note made private after
     * the call drops this result from the history (docs/RELIABILITY.md row 13). Never sent to the model.
     */
    sources?: string[];
    /**
     * The notes this call changed, as the ChangeController reported them (the note; for a rename both paths). Set on
     * every result of a tool whose effect is `write`, empty when nothing was written (a refusal, a denial, bad input);
     * absent on reads. Whether a call had a side effect is read from here, never from the message. Not sent.
     */
    changed?: readonly string[];
    /** Why a write was not made, when the ChangeController refused it. Not sent. */
    refusal?: ChangeRefusal;
    /** `propose` mode: the id of the proposal this call recorded for review (the note was not changed). Not sent. */
    proposed?: string;
}

/** A tool: its definition and its implementation. */
export interface Tool<I = unknown> {
    /** What the model is shown. */
    definition: ToolDefinition;
    /** Runs the tool on the model's input; reports every failure as a result, never by throwing. */
    run(input: I, context: ToolContext): Promise<ToolResult>;
}
