/**
 * The history of one chat or job, as Messages-API message params. Content is always stored as block arrays (never
 * the string shorthand) so a message reads the same bytes whether it is the newest one, carrying a cache
 * breakpoint, or an older one: the prompt cache needs a byte-identical prefix.
 */
import type Anthropic from '@anthropic-ai/sdk';

/** One message as sent to the model. */
export interface HistoryMessage {
    /** Who said it. */
    role: 'user' | 'assistant';
    /** Its blocks, never the string shorthand. */
    content: Anthropic.ContentBlockParam[];
}

/** The messages of one conversation; the turn loop appends, rolls back and reads it. */
export class Conversation {
    private readonly messages: HistoryMessage[] = [];

    /** How many messages there are; a turn remembers it to roll back to. */
    get length(): number {
        return this.messages.length;
    }

    /** The messages, read-only. */
    snapshot(): readonly HistoryMessage[] {
        return this.messages;
    }

    /** Appends what the person said. */
    addUser(content: string | Anthropic.ContentBlockParam[]): void {
        const blocks = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : [...content];
        this.append('user', blocks);
    }

    /** Appends assistant blocks; a continuation (after `pause_turn`) extends the assistant message before it. */
    addAssistant(blocks: Anthropic.ContentBlockParam[]): void {
        if (blocks.length > 0) this.append('assistant', blocks);
    }

    /** Appends tool results as a user message. */
    addToolResults(results: Anthropic.ToolResultBlockParam[]): void {
        if (results.length > 0) this.append('user', results);
    }

    /** Drops every message from `length` on (a refused exchange leaves the history). */
    truncate(length: number): void {
        this.messages.splice(Math.max(0, length));
    }

    /** Replaces the whole history (compaction); the messages are copied so later appends never reach the caller's. */
    replace(messages: readonly HistoryMessage[]): void {
        this.messages.splice(
            0,
            this.messages.length,
            ...messages.map((m) => ({ role: m.role, content: [...m.content] })),
        );
    }

    /** How many content blocks the history holds; appends only grow it, so it marks what a request already carried. */
    blockCount(): number {
        return this.messages.reduce((sum, message) => sum + message.content.length, 0);
    }

    /** The newest message, if any. */
    last(): HistoryMessage | undefined {
        return this.messages[this.messages.length - 1];
    }

    private append(role: 'user' | 'assistant', blocks: Anthropic.ContentBlockParam[]): void {
        const last = this.last();
        // Same-role neighbours would be merged by the API anyway; merging here keeps the alternation explicit.
        if (last !== undefined && last.role === role) last.content.push(...blocks);
        else this.messages.push({ role, content: blocks });
    }
}
