/**
 * How big a model's context window is, and how many tokens a request will take before it is sent. Counting exactly
 * needs a round trip (`count_tokens`), so the loop anchors on the exact prompt size of the previous response (its
 * `usage`) and estimates only what was added since; the estimate leans high so a request never crosses the window.
 */
import type Anthropic from '@anthropic-ai/sdk';
import { stringifyWithoutMedia } from '../../context/attachment-files';
import type { UsageLike } from '../pricing';
import type { HistoryMessage } from '../loop/conversation';

/** One row of the window table: every model whose id starts with `prefix`. */
export interface ContextWindowRow {
    /** Model id prefix; the longest match wins. */
    prefix: string;
    /** Input plus output tokens the model accepts in one request. */
    tokens: number;
}

/** Context windows by model id prefix, and the size assumed for any other model. */
export interface ContextWindowTable {
    /** Rows matched by longest prefix. */
    rows: ContextWindowRow[];
    /** Window for models no row matches (custom endpoints, new releases). */
    fallback: number;
}

/**
 * No per-model rows: the window of a model comes from the endpoint's models list (`max_input_tokens`, see
 * `model-catalog.ts`), and a model it does not list gets 200k, the smallest window of current Claude models, so
 * compaction starts early rather than late on an endpoint we know nothing about.
 */
export const DEFAULT_CONTEXT_WINDOWS: ContextWindowTable = { rows: [], fallback: 200_000 };

/** The context window of `model` from `table`. */
export function contextWindowFor(model: string, table: ContextWindowTable = DEFAULT_CONTEXT_WINDOWS): number {
    const id = model.trim().toLowerCase();
    let best: ContextWindowRow | undefined;
    for (const row of table.rows) {
        const prefix = row.prefix.toLowerCase();
        if (prefix !== '' && id.startsWith(prefix) && (best === undefined || prefix.length > best.prefix.length)) {
            best = row;
        }
    }
    return best?.tokens ?? table.fallback;
}

/**
 * Characters per token the estimate assumes. Claude's tokenizers give about four for English prose but fewer for
 * JSON, code and non-Latin text; three keeps the estimate above the real count for the content a vault holds.
 */
export const CONSERVATIVE_CHARS_PER_TOKEN = 3;

/** An upper-leaning token estimate of content blocks, JSON scaffolding included (tool inputs and results are JSON). */
export function estimateBlockTokens(blocks: readonly unknown[]): number {
    let tokens = 0;
    for (const block of blocks) {
        // A PDF or an image counts by what it costs the model, not by the length of its base64.
        const { json, mediaTokens } = stringifyWithoutMedia(block);
        tokens += Math.ceil(json.length / CONSERVATIVE_CHARS_PER_TOKEN) + 4 + mediaTokens;
    }
    return tokens;
}

/** The estimate for whole messages. */
export function estimateMessageTokens(messages: readonly HistoryMessage[]): number {
    return messages.reduce((sum, message) => sum + estimateBlockTokens(message.content) + 4, 0);
}

/** The estimate for a stable prefix. */
export function estimatePrefixTokens(prefix: {
    system: readonly Anthropic.TextBlockParam[];
    tools: readonly Anthropic.Tool[];
}): number {
    let tokens = 0;
    for (const block of [...prefix.system, ...prefix.tools]) {
        if (!Object.isFrozen(block)) {
            tokens += estimateBlockTokens([block]);
            continue;
        }
        let kept = FROZEN_BLOCK_TOKENS.get(block);
        if (kept === undefined) {
            kept = estimateBlockTokens([block]);
            FROZEN_BLOCK_TOKENS.set(block, kept);
        }
        tokens += kept;
    }
    return tokens;
}

/**
 * Estimates of frozen prefix blocks, kept with the block. The prompt prefix deep-freezes its blocks and shares each
 * tool's among sessions (`prompt-cache.ts`), so a frozen block's estimate cannot change.
 */
const FROZEN_BLOCK_TOKENS = new WeakMap<object, number>();

/** Every input token a response's `usage` says its request carried: uncached, cache reads and cache writes. */
export function promptTokensOf(usage: UsageLike): number {
    return (usage.input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}

/** What the chat footer and the job view show: how full the context is. */
export interface ContextMeterValue {
    /** Input tokens the next request would carry (prefix and history). */
    usedTokens: number;
    /** The model's context window. */
    windowTokens: number;
    /** Where automatic compaction starts. */
    thresholdTokens: number;
    /** True when part of `usedTokens` is an estimate rather than the endpoint's count. */
    estimated: boolean;
}

/**
 * Tracks the prompt size of a conversation: the exact size of the last request as the endpoint counted it, plus an
 * estimate of the blocks appended since. Compaction resets it to an estimate (or a `count_tokens` answer).
 */
export class PromptSizeTracker {
    private anchorBlocks = 0;
    private anchorTokens: number;
    private anchorExact = false;

    constructor(private readonly prefixEstimate: number) {
        this.anchorTokens = prefixEstimate;
    }

    /** Records the exact prompt size of a request that carried the first `blocks` history blocks. */
    observe(blocks: number, promptTokens: number): void {
        if (promptTokens <= 0) return;
        this.anchorBlocks = blocks;
        this.anchorTokens = promptTokens;
        this.anchorExact = true;
    }

    /** Forgets the anchor (the history was replaced); `exactTokens` re-anchors on a count of the whole new prompt. */
    reset(exactTokens?: { blocks: number; tokens: number }): void {
        this.anchorBlocks = exactTokens?.blocks ?? 0;
        this.anchorTokens = exactTokens?.tokens ?? this.prefixEstimate;
        this.anchorExact = exactTokens !== undefined;
    }

    /** The prompt size of a request carrying `messages`. */
    measure(messages: readonly HistoryMessage[]): { tokens: number; estimated: boolean } {
        const blocks = messages.flatMap((message) => message.content);
        if (blocks.length < this.anchorBlocks) {
            // The history shrank under the anchor (a refused exchange was dropped): estimate it all again.
            return { tokens: this.prefixEstimate + estimateMessageTokens(messages), estimated: true };
        }
        const added = blocks.slice(this.anchorBlocks);
        const roleOverhead = this.anchorBlocks === 0 ? messages.length * 4 : 8;
        return {
            tokens: this.anchorTokens + estimateBlockTokens(added) + (added.length > 0 ? roleOverhead : 0),
            estimated: !this.anchorExact || added.length > 0,
        };
    }
}
