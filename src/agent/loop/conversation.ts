/**
 * The history of one chat or job, as Messages-API message params. Content is always stored as block arrays (never
 * the string shorthand) so a message reads the same bytes whether it is the newest one, carrying a cache
 * breakpoint, or an older one: the prompt cache needs a byte-identical prefix.
 *
 * Every block that carries vault content remembers the vault paths it came from (its provenance). Before each request
 * the turn loop asks the current exclusion gate about them, and a block with any source that is now excluded is
 * replaced, for good, by a neutral text (docs/RELIABILITY.md row 13): privacy first, so the original is not kept.
 */
import type Anthropic from '@anthropic-ai/sdk';

/** What stands, in the history, where a block carrying a now-excluded note was. Names nothing. */
export const WITHHELD_TEXT = '[removed: a note here is now hidden by the privacy settings]';

/** One message as sent to the model. */
export interface HistoryMessage {
    /** Who said it. */
    role: 'user' | 'assistant';
    /** Its blocks, never the string shorthand. */
    content: Anthropic.ContentBlockParam[];
}

/** Vault paths a block carries text or names of; absent = none (the person's own words, model text from no notes). */
export type BlockSources = readonly string[];

/** The messages of one conversation; the turn loop appends, rolls back and reads it. */
export class Conversation {
    private readonly messages: HistoryMessage[] = [];
    // Keyed by the block object: provenance is never part of what is sent, and survives compaction's copies.
    private readonly provenance = new WeakMap<object, BlockSources>();

    /** How many messages there are; a turn remembers it to roll back to. */
    get length(): number {
        return this.messages.length;
    }

    /** The messages, read-only. */
    snapshot(): readonly HistoryMessage[] {
        return this.messages;
    }

    /** Appends what the person said; `sources` are the vault paths every block of it carries. */
    addUser(content: string | Anthropic.ContentBlockParam[], sources?: BlockSources): void {
        const blocks = typeof content === 'string' ? [{ type: 'text' as const, text: content }] : [...content];
        for (const block of blocks) this.tag(block, sources);
        this.append('user', blocks);
    }

    /**
     * Appends assistant blocks; a continuation (after `pause_turn`) extends the assistant message before it. `sources`
     * taint the text and tool calls: what the model wrote after reading notes may quote them.
     */
    addAssistant(blocks: Anthropic.ContentBlockParam[], sources?: BlockSources): void {
        for (const block of blocks) if (block.type === 'text' || block.type === 'tool_use') this.tag(block, sources);
        if (blocks.length > 0) this.append('assistant', blocks);
    }

    /**
     * Appends tool results as a user message. `sources[i]` are the vault paths of `results[i]`; the matching
     * `tool_use` gets them too, since its input names the note it asked for.
     */
    addToolResults(results: Anthropic.ToolResultBlockParam[], sources?: readonly (BlockSources | undefined)[]): void {
        results.forEach((result, index) => {
            const paths = sources?.[index];
            if (paths === undefined || paths.length === 0) return;
            this.tag(result, paths);
            const call = this.findToolUse(result.tool_use_id);
            if (call !== undefined) this.tag(call, paths);
        });
        if (results.length > 0) this.append('user', results);
    }

    /** The vault paths a block of this history carries, if any. */
    sourcesOf(block: Anthropic.ContentBlockParam): BlockSources | undefined {
        return this.provenance.get(block);
    }

    /** Every vault path any block of the history carries, sorted. */
    allSources(): string[] {
        const all = new Set<string>();
        for (const message of this.messages)
            for (const block of message.content) this.provenance.get(block)?.forEach((p) => all.add(p));
        return [...all].sort();
    }

    /** Whether the history holds vault text: a tool result, or any block with sources. */
    holdsVaultText(): boolean {
        return this.messages.some((message) =>
            message.content.some((block) => block.type === 'tool_result' || this.provenance.has(block)),
        );
    }

    /**
     * Replaces, in place, every block with a source that `isExcluded` now, by `WITHHELD_TEXT`: a tool result keeps
     * its id (and error flag), a tool call its id and name with an empty input, so tool pairing stays valid. Returns
     * how many blocks were replaced.
     */
    withhold(isExcluded: (path: string) => boolean): number {
        let replaced = 0;
        const verdicts = new Map<string, boolean>();
        const excluded = (path: string): boolean => {
            let verdict = verdicts.get(path);
            if (verdict === undefined) {
                verdict = isExcluded(path);
                verdicts.set(path, verdict);
            }
            return verdict;
        };
        for (const message of this.messages) {
            message.content.forEach((block, index) => {
                const sources = this.provenance.get(block);
                if (sources === undefined || !sources.some(excluded)) return;
                message.content[index] = neutralBlock(block);
                this.provenance.delete(block);
                replaced++;
            });
        }
        return replaced;
    }

    /** Drops every message from `length` on (a refused exchange leaves the history). */
    truncate(length: number): void {
        this.messages.splice(Math.max(0, length));
    }

    /**
     * Replaces the whole history (compaction); the messages are copied so later appends never reach the caller's.
     * Blocks that are new (the compaction record) inherit the sources of every block they replaced: a summary may
     * quote any note it summarised.
     */
    replace(messages: readonly HistoryMessage[]): void {
        const before = new Set<object>(this.messages.flatMap((m) => m.content));
        const after = new Set<object>(messages.flatMap((m) => m.content));
        const inherited = new Set<string>();
        for (const block of before) if (!after.has(block)) this.provenance.get(block)?.forEach((p) => inherited.add(p));
        this.messages.splice(
            0,
            this.messages.length,
            ...messages.map((m) => ({ role: m.role, content: [...m.content] })),
        );
        if (inherited.size === 0) return;
        const sources = [...inherited].sort();
        for (const block of after) if (!before.has(block)) this.tag(block, sources);
    }

    /** How many content blocks the history holds; appends only grow it, so it marks what a request already carried. */
    blockCount(): number {
        return this.messages.reduce((sum, message) => sum + message.content.length, 0);
    }

    /** The newest message, if any. */
    last(): HistoryMessage | undefined {
        return this.messages[this.messages.length - 1];
    }

    /** Adds `sources` to the provenance of `block` (a block of this history). */
    tag(block: object, sources: BlockSources | undefined): void {
        if (sources === undefined || sources.length === 0) return;
        const own = this.provenance.get(block);
        this.provenance.set(block, own === undefined ? [...sources] : [...new Set([...own, ...sources])]);
    }

    private findToolUse(id: string): Anthropic.ToolUseBlockParam | undefined {
        for (let m = this.messages.length - 1; m >= 0; m--) {
            const message = this.messages[m];
            if (message?.role !== 'assistant') continue;
            for (const block of message.content) if (block.type === 'tool_use' && block.id === id) return block;
        }
        return undefined;
    }

    private append(role: 'user' | 'assistant', blocks: Anthropic.ContentBlockParam[]): void {
        const last = this.last();
        // Same-role neighbours would be merged by the API anyway; merging here keeps the alternation explicit.
        if (last !== undefined && last.role === role) last.content.push(...blocks);
        else this.messages.push({ role, content: blocks });
    }
}

/** The stand-in for a withheld block: same pairing, no content. */
function neutralBlock(block: Anthropic.ContentBlockParam): Anthropic.ContentBlockParam {
    switch (block.type) {
        case 'tool_result':
            return {
                type: 'tool_result',
                tool_use_id: block.tool_use_id,
                content: [{ type: 'text', text: WITHHELD_TEXT }],
                ...(block.is_error === true ? { is_error: true } : {}),
            };
        case 'tool_use':
            return { type: 'tool_use', id: block.id, name: block.name, input: {} };
        default:
            return { type: 'text', text: WITHHELD_TEXT };
    }
}
