import { createHash, type Hash } from 'node:crypto';

import { tokensOfSource } from './documents';

/** Rough token count the way people estimate it: about four characters per token. */
export function estimateTokens(text: string): number {
    return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Input-side usage of one request, split the way the API splits it. */
export interface PromptUsage {
    /** Input tokens neither read from nor written to the cache. */
    input_tokens: number;
    /** Tokens written to the cache by this request. */
    cache_creation_input_tokens: number;
    /** Tokens read from the cache by this request. */
    cache_read_input_tokens: number;
    /** Cache writes by time-to-live. */
    cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

/** One cacheable unit of the prompt, in the order the API caches them: tools, system, messages. */
interface Segment {
    /** Canonical text of the unit, without its `cache_control`, so moving a breakpoint keeps earlier bytes. */
    text: string;
    /** Its input tokens: the text's, with a PDF or image counted as the API counts it rather than by its base64. */
    tokens: number;
    /** `cache_control.ttl` when the unit is a cache breakpoint, else `undefined`. */
    breakpoint: '5m' | '1h' | undefined;
}

/** How far back from a breakpoint the API looks for an earlier cache entry. */
const LOOKBACK_BLOCKS = 20;

/** All prompt tokens of a request body (what `count_tokens` answers). */
export function countPromptTokens(body: Record<string, unknown>): number {
    return promptSegments(body).reduce((sum, segment) => sum + segment.tokens, 0);
}

/**
 * Simulates prompt caching for one server: every breakpoint writes the hash of the prompt prefix up to it; a later
 * request whose prefix up to a block (within 20 blocks before one of its breakpoints) hashes the same reads those
 * tokens from the cache instead of paying for them again.
 */
export class PromptCache {
    private readonly written = new Set<string>();

    /** @param minCacheableTokens prefixes shorter than this are never written, like the API's per-model minimum */
    constructor(private readonly minCacheableTokens: number) {}

    /** Splits a request's input tokens into uncached, cache-write and cache-read, and records its writes. */
    account(body: Record<string, unknown>): PromptUsage {
        const segments = promptSegments(body);
        const cumulative: number[] = [];
        const keys: string[] = [];
        const hash = createHash('sha256');
        let total = 0;
        for (const segment of segments) {
            total += segment.tokens;
            cumulative.push(total);
            keys.push(prefixKey(hash, segment.text));
        }
        const breakpoints = segments.flatMap((segment, index) => (segment.breakpoint ? [index] : []));
        const hit = this.longestHit(breakpoints, keys);
        const read = hit < 0 ? 0 : (cumulative[hit] ?? 0);
        const last = breakpoints.at(-1) ?? -1;
        const lastTokens = last < 0 ? 0 : (cumulative[last] ?? 0);
        const created = last > hit && lastTokens >= this.minCacheableTokens ? lastTokens - read : 0;
        for (const index of breakpoints) {
            if ((cumulative[index] ?? 0) >= this.minCacheableTokens) this.written.add(keys[index] ?? '');
        }
        const longLived = last >= 0 && segments[last]?.breakpoint === '1h';
        return {
            input_tokens: total - read - created,
            cache_creation_input_tokens: created,
            cache_read_input_tokens: read,
            cache_creation: {
                ephemeral_5m_input_tokens: longLived ? 0 : created,
                ephemeral_1h_input_tokens: longLived ? created : 0,
            },
        };
    }

    /** Forgets every cache entry, as if the TTL had run out. */
    clear(): void {
        this.written.clear();
    }

    private longestHit(breakpoints: number[], keys: string[]): number {
        let best = -1;
        for (const breakpoint of breakpoints) {
            for (let index = breakpoint; index >= 0 && index > breakpoint - LOOKBACK_BLOCKS; index--) {
                if (index <= best) break;
                if (this.written.has(keys[index] ?? '')) {
                    best = index;
                    break;
                }
            }
        }
        return best;
    }
}

/** The prompt as cacheable units: each tool, each system block, each message content block (tagged with role). */
function promptSegments(body: Record<string, unknown>): Segment[] {
    const segments: Segment[] = [];
    for (const tool of asArray(body.tools)) segments.push(segmentOf({ tool }, tool));
    const system = body.system;
    if (typeof system === 'string') segments.push(plainSegment(JSON.stringify({ system })));
    for (const block of asArray(system)) segments.push(segmentOf({ system: block }, block));
    for (const message of asArray(body.messages)) {
        const role = isRecord(message) ? message.role : undefined;
        const content = isRecord(message) ? message.content : undefined;
        if (typeof content === 'string') segments.push(plainSegment(JSON.stringify({ role, content })));
        for (const block of asArray(content)) segments.push(segmentOf({ role, block }, block));
    }
    const last = segments.at(-1);
    // A top-level cache_control asks the API to place the breakpoint on the last cacheable block itself.
    const automatic = ttlOf(body);
    if (last && automatic && !last.breakpoint) last.breakpoint = automatic;
    return segments;
}

function segmentOf(wrapper: Record<string, unknown>, block: unknown): Segment {
    const text = JSON.stringify(wrapper, withoutCacheControl);
    let media = 0;
    const counted = JSON.stringify(wrapper, (key, value: unknown) => {
        if (key === 'cache_control') return undefined;
        if (key === 'data' && typeof value === 'string') {
            const tokens = tokensOfSource(value);
            if (tokens !== undefined) {
                media += tokens;
                return '';
            }
        }
        return value;
    });
    return { text, tokens: estimateTokens(counted) + media, breakpoint: ttlOf(block) };
}

function plainSegment(text: string): Segment {
    return { text, tokens: estimateTokens(text), breakpoint: undefined };
}

function withoutCacheControl(key: string, value: unknown): unknown {
    return key === 'cache_control' ? undefined : value;
}

function ttlOf(value: unknown): Segment['breakpoint'] {
    if (!isRecord(value) || !isRecord(value.cache_control)) return undefined;
    return value.cache_control.ttl === '1h' ? '1h' : '5m';
}

function prefixKey(hash: Hash, text: string): string {
    hash.update(text);
    hash.update('\u0000');
    return hash.copy().digest('hex');
}

function asArray(value: unknown): unknown[] {
    return Array.isArray(value) ? (value as unknown[]) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
