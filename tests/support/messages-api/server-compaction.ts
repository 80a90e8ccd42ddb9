/**
 * Server-side compaction as the Messages API documents it: a request with `context_management.edits` holding a
 * `compact_20260112` edit and the `anthropic-beta: compact-2026-01-12` header is compacted when its input (counted
 * from the newest compaction block on, since the API drops every block before one) exceeds the trigger; the answer
 * then starts with a `compaction` block carrying the server's summary. Without the beta, the field and any
 * compaction block are rejected, as they are by a server that lacks the feature.
 */
import { estimateTokens } from './prompt-cache';
import { isRecord } from './http';
import type { ScriptedTurn, ServerCompactionRecord } from './types';

/** The beta header value that enables compaction. */
export const COMPACTION_BETA = 'compact-2026-01-12';
/** The edit type that asks for compaction. */
export const COMPACTION_EDIT = 'compact_20260112';
/** The trigger the API uses when the edit names none, and the smallest it accepts. */
export const DEFAULT_TRIGGER = 150_000;
const MIN_TRIGGER = 50_000;

/** What the server does with one request. */
export type CompactionDecision =
    { kind: 'none' } | { kind: 'rejected'; message: string } | { kind: 'compact'; record: ServerCompactionRecord };

/** Decides whether `body` (with `headers`) is rejected, compacted, or answered as it is. */
export function decideCompaction(
    body: Record<string, unknown>,
    headers: Record<string, string>,
    supported: boolean,
): CompactionDecision {
    const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    const field = body.context_management;
    const carriesBlock = messages.some((message) => contentOf(message).some(isCompaction));
    const beta = (headers['anthropic-beta'] ?? '').split(',').some((value) => value.trim() === COMPACTION_BETA);
    if (!supported && field !== undefined) return rejected('context_management: Extra inputs are not permitted');
    if (!supported && carriesBlock) return rejected('messages: unknown content block type "compaction"');
    if (field === undefined && !carriesBlock) return { kind: 'none' };
    if (!beta) return rejected(`compaction requires the anthropic-beta header ${COMPACTION_BETA}`);
    const edit = compactionEdit(field);
    if (edit === null) return { kind: 'none' };
    if (typeof edit === 'string') return rejected(edit);
    const effective = messages.slice(newestCompaction(messages));
    const inputTokens = estimateTokens(JSON.stringify([body.system ?? '', body.tools ?? [], effective]));
    if (inputTokens <= edit) return { kind: 'none' };
    const summary = summarise(effective);
    return {
        kind: 'compact',
        record: { inputTokens, triggerTokens: edit, summarisedMessages: effective.length, summary },
    };
}

/** The turn with the server's compaction block first. */
export function withCompactionBlock(turn: ScriptedTurn, summary: string): ScriptedTurn {
    return { ...turn, content: [{ type: 'compaction', content: summary }, ...turn.content] };
}

/** The trigger of a `compact_20260112` edit; `null` when there is none; a message when it is invalid. */
function compactionEdit(field: unknown): number | string | null {
    if (field === undefined) return null;
    const edits = isRecord(field) && Array.isArray(field.edits) ? (field.edits as unknown[]) : null;
    if (edits === null) return 'context_management.edits: Field required';
    const edit = edits.find((candidate) => isRecord(candidate) && candidate.type === COMPACTION_EDIT);
    if (!isRecord(edit)) return null;
    const trigger = edit.trigger;
    if (trigger === undefined || trigger === null) return DEFAULT_TRIGGER;
    if (!isRecord(trigger) || trigger.type !== 'input_tokens' || typeof trigger.value !== 'number') {
        return 'context_management.edits.0.trigger: expected { type: "input_tokens", value }';
    }
    if (trigger.value < MIN_TRIGGER) return `context_management.edits.0.trigger.value: must be at least ${MIN_TRIGGER}`;
    return trigger.value;
}

/** A deterministic stand-in for the server's summary: how much it covered and the person's last words. */
function summarise(messages: unknown[]): string {
    let lastPersonText = '';
    for (const message of messages) {
        if (!isRecord(message) || message.role !== 'user') continue;
        for (const block of contentOf(message)) {
            if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') lastPersonText = block.text;
        }
    }
    return `Server summary of ${messages.length} messages. Last request: ${lastPersonText.slice(0, 80)}`;
}

function newestCompaction(messages: unknown[]): number {
    for (let i = messages.length - 1; i >= 0; i--) if (contentOf(messages[i]).some(isCompaction)) return i;
    return 0;
}

function contentOf(message: unknown): unknown[] {
    return isRecord(message) && Array.isArray(message.content) ? (message.content as unknown[]) : [];
}

function isCompaction(block: unknown): boolean {
    return isRecord(block) && block.type === 'compaction';
}

function rejected(message: string): CompactionDecision {
    return { kind: 'rejected', message };
}
