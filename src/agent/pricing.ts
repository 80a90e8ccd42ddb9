/**
 * What a model response cost, from its `usage` and an editable price table. Settings let people edit the table
 * (prices change, and custom endpoints have their own), so it is plain data keyed by model id prefix.
 */

/** Prices in USD per million tokens. */
export interface PriceRates {
    /** Uncached input tokens. */
    input: number;
    /** Output tokens (thinking included). */
    output: number;
    /** Tokens written to the prompt cache with the default 5-minute lifetime. */
    cacheWrite: number;
    /** Tokens written to the prompt cache with the 1-hour lifetime; `cacheWrite` when absent. */
    cacheWrite1h?: number;
    /** Tokens read from the prompt cache. */
    cacheRead: number;
}

/** Rates that replace the row's own when the whole prompt is longer than `thresholdTokens`. */
export interface LongPromptRates extends PriceRates {
    /** Prompt size (input + cache reads + cache writes) above which these rates apply to the whole request. */
    thresholdTokens: number;
}

/** One row of the table: every model whose id starts with `prefix`. */
export interface PriceRow extends PriceRates {
    /** Model id prefix; the longest matching prefix wins, so `claude-opus-4-5` beats `claude-opus-4`. */
    prefix: string;
    /** Higher rates for long prompts, for models priced by prompt length. */
    longPrompt?: LongPromptRates;
}

/** The editable table: rows by prefix and the row for models that match none. */
export interface PriceTable {
    /** Rows matched by longest prefix. */
    rows: PriceRow[];
    /** Rates for any other model (custom endpoints, new releases). */
    fallback: PriceRates;
}

/** The `usage` fields of a Messages API response that cost money; absent counts are zero. */
export interface UsageLike {
    /** Uncached input tokens. */
    input_tokens?: number | null;
    /** Output tokens. */
    output_tokens?: number | null;
    /** Tokens written to the prompt cache (all lifetimes). */
    cache_creation_input_tokens?: number | null;
    /** Tokens read from the prompt cache. */
    cache_read_input_tokens?: number | null;
    /** The cache writes split by lifetime, when the endpoint reports it. */
    cache_creation?: {
        /** Tokens written with the 5-minute lifetime. */
        ephemeral_5m_input_tokens?: number | null;
        /** Tokens written with the 1-hour lifetime. */
        ephemeral_1h_input_tokens?: number | null;
    } | null;
}

const PER_MILLION = 1_000_000;

/**
 * Anthropic's list prices, from the pricing page and model overviews at platform.claude.com, checked 2026-11-21
 * (Fable 5.2, released 2026-11-09, from its launch price notes). Cache writes are 1.25× input (5 min) and 2× input
 * (1 h); cache reads 0.1× input unless a row says otherwise. Batch requests cost half; the batch runner halves
 * `costOf` itself.
 */
export const DEFAULT_PRICES: PriceTable = {
    rows: [
        { prefix: 'claude-fable-5-2', input: 8, output: 40, cacheWrite: 10, cacheWrite1h: 16, cacheRead: 0.2 },
        { prefix: 'claude-mythos-5-2', input: 8, output: 40, cacheWrite: 10, cacheWrite1h: 16, cacheRead: 0.2 },
        { prefix: 'claude-fable-5-1', input: 10, output: 50, cacheWrite: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
        { prefix: 'claude-mythos-5-1', input: 10, output: 50, cacheWrite: 12.5, cacheWrite1h: 20, cacheRead: 0.25 },
        { prefix: 'claude-fable-5', input: 10, output: 50, cacheWrite: 12.5, cacheWrite1h: 20, cacheRead: 1 },
        { prefix: 'claude-mythos-5', input: 10, output: 50, cacheWrite: 12.5, cacheWrite1h: 20, cacheRead: 1 },
        { prefix: 'claude-opus-5-5', input: 4, output: 20, cacheWrite: 5, cacheWrite1h: 8, cacheRead: 0.2 },
        { prefix: 'claude-opus-5', input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
        { prefix: 'claude-opus-4-5', input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
        { prefix: 'claude-opus-4-6', input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
        { prefix: 'claude-opus-4-7', input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
        { prefix: 'claude-opus-4-8', input: 5, output: 25, cacheWrite: 6.25, cacheWrite1h: 10, cacheRead: 0.5 },
        { prefix: 'claude-opus-4', input: 15, output: 75, cacheWrite: 18.75, cacheWrite1h: 30, cacheRead: 1.5 },
        { prefix: 'claude-3-opus', input: 15, output: 75, cacheWrite: 18.75, cacheWrite1h: 30, cacheRead: 1.5 },
        // Sonnet 5.5 cache reads were cut to 0.05× input on 2026-10-07.
        { prefix: 'claude-sonnet-5-5', input: 2, output: 10, cacheWrite: 2.5, cacheWrite1h: 4, cacheRead: 0.1 },
        { prefix: 'claude-sonnet-5', input: 2, output: 10, cacheWrite: 2.5, cacheWrite1h: 4, cacheRead: 0.2 },
        { prefix: 'claude-sonnet-4', input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
        { prefix: 'claude-3-7-sonnet', input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
        { prefix: 'claude-3-5-sonnet', input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
        {
            prefix: 'claude-haiku-5-5',
            input: 0.1,
            output: 0.5,
            cacheWrite: 0.125,
            cacheWrite1h: 0.2,
            cacheRead: 0.01,
            longPrompt: {
                thresholdTokens: 100_000,
                input: 0.5,
                output: 2.5,
                cacheWrite: 0.625,
                cacheWrite1h: 1,
                cacheRead: 0.05,
            },
        },
        { prefix: 'claude-haiku-4-5', input: 1, output: 5, cacheWrite: 1.25, cacheWrite1h: 2, cacheRead: 0.1 },
        { prefix: 'claude-3-5-haiku', input: 0.8, output: 4, cacheWrite: 1, cacheWrite1h: 1.6, cacheRead: 0.08 },
        { prefix: 'claude-3-haiku', input: 0.25, output: 1.25, cacheWrite: 0.3, cacheWrite1h: 0.5, cacheRead: 0.03 },
    ],
    // Sonnet-class, not zero: an unknown model must still count against a job's USD budget.
    fallback: { input: 3, output: 15, cacheWrite: 3.75, cacheWrite1h: 6, cacheRead: 0.3 },
};

/** The row for `model`: the longest matching prefix (case-insensitive), else the table's fallback. */
export function pricesFor(model: string, table: PriceTable = DEFAULT_PRICES): PriceRates & Partial<PriceRow> {
    const id = model.trim().toLowerCase();
    let best: PriceRow | undefined;
    for (const row of table.rows) {
        const prefix = row.prefix.toLowerCase();
        if (prefix !== '' && id.startsWith(prefix) && (best === undefined || prefix.length > best.prefix.length)) {
            best = row;
        }
    }
    return best ?? table.fallback;
}

/** The cost in USD of one response's `usage` for `model`; missing or negative counts count as zero. */
export function costOf(usage: UsageLike, model: string, table: PriceTable = DEFAULT_PRICES): number {
    const input = count(usage.input_tokens);
    const output = count(usage.output_tokens);
    const cacheRead = count(usage.cache_read_input_tokens);
    const cacheWriteTotal = count(usage.cache_creation_input_tokens);
    const split = usage.cache_creation;
    const write1h = Math.min(cacheWriteTotal, count(split?.ephemeral_1h_input_tokens));
    // The split is optional and may not add up; whatever is not reported as 1 h is charged at the 5-minute rate.
    const write5m = cacheWriteTotal - write1h;

    const row = pricesFor(model, table);
    const promptTokens = input + cacheRead + cacheWriteTotal;
    const rates: PriceRates =
        row.longPrompt !== undefined && promptTokens > row.longPrompt.thresholdTokens ? row.longPrompt : row;

    const micro =
        input * rates.input +
        output * rates.output +
        cacheRead * rates.cacheRead +
        write5m * rates.cacheWrite +
        write1h * (rates.cacheWrite1h ?? rates.cacheWrite);
    return micro / PER_MILLION;
}

function count(value: number | null | undefined): number {
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}
