/**
 * The compact record that replaces older turns: the model's summary (decisions, open questions, what was found) in
 * one block, and, in a second block, the facts that must never depend on a summary: every change applied in this
 * conversation (from the checkpoints, in order, never from the model's prose) and the notes read.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { Checkpoint } from '../changes/checkpoints';
import type { HistoryMessage } from '../loop/conversation';

/** One applied change, as the record lists it. */
export interface ChangeRecord {
    /** The checkpoint id (`<turnId>#<n>`). */
    id: string;
    /** The turn or job that made it. */
    turnId: string;
    /** What the change did. */
    kind: Checkpoint['kind'];
    /** The note changed (for a rename: where it was). */
    path: string;
    /** Where a rename moved it. */
    newPath?: string;
    /** When it was applied, ms since the epoch. */
    time: number;
}

/** Every change of a conversation, in the order applied; each recorded once however often it is read. */
export class ChangeLog {
    private readonly records: ChangeRecord[] = [];
    private readonly ids = new Set<string>();

    /** Adds checkpoints not seen before. */
    add(checkpoints: readonly Checkpoint[]): void {
        for (const checkpoint of checkpoints) {
            if (this.ids.has(checkpoint.id)) continue;
            this.ids.add(checkpoint.id);
            const { id, turnId, kind, path, newPath, time } = checkpoint;
            this.records.push({ id, turnId, kind, path, ...(newPath !== undefined ? { newPath } : {}), time });
        }
    }

    /** Every change so far, in order. */
    all(): readonly ChangeRecord[] {
        return this.records;
    }
}

/** First line of the summary block: how a later compaction (and a reader of the history) knows a record. */
export const RECORD_SUMMARY_HEADING = '[Compacted record of the conversation so far]';
/** First line of the facts block; it is rebuilt from the change log at every compaction, never summarised. */
export const RECORD_FACTS_HEADING = '[Recorded facts of this conversation, complete and exact]';

/** What goes into a record. */
export interface RecordInput {
    /** The model's summary of the compacted turns. */
    summary: string;
    /** Every change applied in the conversation. */
    changes: readonly ChangeRecord[];
    /** Every note read in the conversation. */
    notesRead: readonly string[];
    /** How many messages were summarised (this time). */
    summarisedMessages: number;
}

/** Most note paths the record lists; the count of the rest is given. */
const MAX_NOTES_LISTED = 300;

/** The record's two text blocks. */
export function buildRecordBlocks(input: RecordInput): Anthropic.TextBlockParam[] {
    const summary = [
        RECORD_SUMMARY_HEADING,
        `Earlier turns (${input.summarisedMessages} messages) were replaced by this summary to stay within the ` +
            'context window. The facts block below is exact; trust it over the summary.',
        '',
        input.summary.trim() === '' ? '(The summary came back empty.)' : input.summary.trim(),
    ].join('\n');
    return [{ type: 'text', text: summary }, buildFactsBlock(input)];
}

/** The record that replaces the summarised turns: a user message with the summary and the exact facts. */
export function recordMessage(input: RecordInput): HistoryMessage {
    return { role: 'user', content: buildRecordBlocks(input) };
}

/** The facts block alone: every change and every note read, exact (also what follows a server-side compaction). */
export function buildFactsBlock(input: Pick<RecordInput, 'changes' | 'notesRead'>): Anthropic.TextBlockParam {
    const lines = [RECORD_FACTS_HEADING, '', `Changes applied to the vault (${input.changes.length}, oldest first):`];
    if (input.changes.length === 0) lines.push('- none');
    for (const change of input.changes) lines.push(`- ${describeChange(change)}`);
    lines.push('', `Notes read (${input.notesRead.length}):`);
    if (input.notesRead.length === 0) lines.push('- none');
    for (const path of input.notesRead.slice(0, MAX_NOTES_LISTED)) lines.push(`- ${path}`);
    if (input.notesRead.length > MAX_NOTES_LISTED) {
        lines.push(`- … and ${input.notesRead.length - MAX_NOTES_LISTED} more`);
    }
    return { type: 'text', text: lines.join('\n') };
}

/** One change in words, e.g. "turn 3f2a-4: renamed Notes/A.md → Notes/B.md". */
export function describeChange(change: ChangeRecord): string {
    const where = change.newPath === undefined ? change.path : `${change.path} → ${change.newPath}`;
    return `turn ${change.turnId}: ${change.kind} ${where}`;
}

/** Whether a block is a record's facts block (rebuilt at each compaction from the change log). */
export function isFactsBlock(block: Anthropic.ContentBlockParam): boolean {
    return block.type === 'text' && block.text.startsWith(RECORD_FACTS_HEADING);
}
