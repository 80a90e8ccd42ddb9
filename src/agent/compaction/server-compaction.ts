/**
 * Server-side compaction. Where the endpoint supports it, each turn request asks it to summarise older turns itself,
 * past the same threshold our own compaction uses, so no summarising request of ours is sent. Its answer then starts
 * with a `compaction` block, which the history keeps and sends back unchanged; the endpoint ignores every block before
 * it. A summary is not a record, so the exact facts (every change applied, every note read) follow the compaction in
 * a block of our own, added to the next user message before that message is first sent (the cached bytes of the
 * history never change afterwards).
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { HistoryMessage } from '../loop/conversation';
import { buildFactsBlock, isFactsBlock, recordMessage, type ChangeRecord } from './compact-record';

/** The facts that follow a compaction. */
export interface CompactionFacts {
    /** Every change applied in the conversation, in order. */
    changes: readonly ChangeRecord[];
    /** Every note read. */
    notesRead: readonly string[];
}

/** Whether `block` is the endpoint's compaction block (not in the stable SDK's types, hence `unknown`). */
export function isCompactionBlock(block: unknown): boolean {
    return typeof block === 'object' && block !== null && (block as { type?: unknown }).type === 'compaction';
}

/** The endpoint's summary in a compaction block; `null` when it failed to make one (the block is then a no-op). */
export function compactionSummary(block: unknown): string | null {
    if (!isCompactionBlock(block)) return null;
    const content = (block as { content?: unknown }).content;
    return typeof content === 'string' && content.trim() !== '' ? content : null;
}

/** Index of the newest assistant message that holds a compaction block; -1 when there is none. */
export function lastCompactionIndex(messages: readonly HistoryMessage[]): number {
    for (let i = messages.length - 1; i >= 0; i--) {
        const message = messages[i];
        if (message?.role === 'assistant' && message.content.some(isCompactionBlock)) return i;
    }
    return -1;
}

/** What the endpoint reads of the history: from the newest compaction on (all of it when there is none). */
export function effectiveHistory(messages: readonly HistoryMessage[]): readonly HistoryMessage[] {
    const index = lastCompactionIndex(messages);
    return index < 0 ? messages : messages.slice(index);
}

/**
 * Adds the facts block to the user message right after the newest compaction, unless it has one already (or there
 * is no such message yet). Returns whether it added it.
 */
export function attachFactsAfterCompaction(messages: readonly HistoryMessage[], facts: CompactionFacts): boolean {
    const index = lastCompactionIndex(messages);
    const next = index < 0 ? undefined : messages[index + 1];
    if (next?.role !== 'user' || next.content.some(isFactsBlock)) return false;
    // After any tool results: they must open the message that answers the tool calls.
    next.content.push(buildFactsBlock(facts));
    return true;
}

/**
 * The history with the endpoint's newest compaction turned into our own record (its summary and our facts), the
 * blocks before it dropped as the endpoint drops them. Our own summarising request goes without the beta, so it
 * cannot carry a compaction block. `null` when the history holds none.
 */
export function flattenServerCompaction(
    messages: readonly HistoryMessage[],
    facts: CompactionFacts,
): HistoryMessage[] | null {
    const index = lastCompactionIndex(messages);
    const compacted = messages[index];
    if (index < 0 || compacted === undefined) return null;
    const blocks = compacted.content;
    const at = blocks.findLastIndex(isCompactionBlock);
    const summary = compactionSummary(blocks[at]) ?? '';
    const out: HistoryMessage[] = [recordMessage({ summary, ...facts, summarisedMessages: index })];
    const rest = blocks.slice(at + 1).filter((block) => !isCompactionBlock(block));
    const later: HistoryMessage[] = [{ role: 'assistant', content: rest }, ...messages.slice(index + 1)];
    for (const message of later) {
        // The old facts block is superseded by the record's.
        const content = message.content.filter((block: Anthropic.ContentBlockParam) => !isFactsBlock(block));
        if (content.length === 0) continue;
        const previous = out[out.length - 1];
        if (previous?.role === message.role) previous.content = [...previous.content, ...content];
        else out.push({ role: message.role, content });
    }
    return out;
}
