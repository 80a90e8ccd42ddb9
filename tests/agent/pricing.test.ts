import { describe, expect, it } from 'vitest';

import { costOf, DEFAULT_PRICES, pricesFor, type PriceTable } from '../../src/agent/pricing';

const MILLION = 1_000_000;

describe('pricesFor', () => {
    it('picks the longest matching prefix, so a dated Opus 4.5 id is not priced as Opus 4', () => {
        expect(pricesFor('claude-opus-4-5-20251101').input).toBe(5);
        expect(pricesFor('claude-opus-4-20250514').input).toBe(15);
        expect(pricesFor('claude-opus-4-1-20250805').input).toBe(15);
    });

    it('prices Fable 5.2 on its own row rather than as Fable 5', () => {
        expect(pricesFor('claude-fable-5-2').input).toBe(8);
        expect(pricesFor('claude-fable-5').input).toBe(10);
    });

    it('tells Sonnet 5.5 from Sonnet 5 and from Sonnet 4.x', () => {
        expect(pricesFor('claude-sonnet-5-5').cacheRead).toBe(0.1);
        expect(pricesFor('claude-sonnet-5').cacheRead).toBe(0.2);
        expect(pricesFor('claude-sonnet-4-5-20250929').input).toBe(3);
    });

    it('matches regardless of case and surrounding spaces', () => {
        expect(pricesFor('  Claude-Haiku-4-5 ').output).toBe(5);
    });

    it('falls back to the default row for a model it does not know, and that row is never free', () => {
        const rates = pricesFor('llama3.1:8b');
        expect(rates).toBe(DEFAULT_PRICES.fallback);
        expect(rates.input).toBeGreaterThan(0);
        expect(rates.output).toBeGreaterThan(0);
    });
});

describe('costOf', () => {
    it('prices plain input and output per million tokens', () => {
        expect(costOf({ input_tokens: MILLION, output_tokens: MILLION }, 'claude-sonnet-4-5')).toBeCloseTo(18, 10);
    });

    it('charges cache writes and cache reads at their own rates', () => {
        const usage = {
            input_tokens: 1000,
            output_tokens: 500,
            cache_creation_input_tokens: 10_000,
            cache_read_input_tokens: 200_000,
        };
        // Sonnet 4.5: 3 in, 15 out, 3.75 write, 0.30 read (USD per million).
        const expected = (1000 * 3 + 500 * 15 + 10_000 * 3.75 + 200_000 * 0.3) / MILLION;
        expect(costOf(usage, 'claude-sonnet-4-5')).toBeCloseTo(expected, 12);
    });

    it('charges 1-hour cache writes at the 1-hour rate when the usage splits them', () => {
        const usage = {
            input_tokens: 0,
            output_tokens: 0,
            cache_creation_input_tokens: 3000,
            cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
        };
        // Haiku 4.5: 1.25 for 5 minutes, 2 for an hour.
        expect(costOf(usage, 'claude-haiku-4-5')).toBeCloseTo((1000 * 1.25 + 2000 * 2) / MILLION, 12);
    });

    it('never charges more 1-hour writes than the total the response reported', () => {
        const usage = {
            cache_creation_input_tokens: 100,
            cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 5000 },
        };
        expect(costOf(usage, 'claude-haiku-4-5')).toBeCloseTo((100 * 2) / MILLION, 12);
    });

    it('treats missing, null and negative counts as zero', () => {
        expect(costOf({}, 'claude-sonnet-4-5')).toBe(0);
        expect(costOf({ input_tokens: null, output_tokens: -5 }, 'claude-sonnet-4-5')).toBe(0);
    });

    it('switches a prompt-length-priced model to its long-prompt rates above the threshold', () => {
        const short = costOf({ input_tokens: 100_000, output_tokens: 1000 }, 'claude-haiku-5-5');
        const long = costOf(
            { input_tokens: 90_000, cache_read_input_tokens: 20_000, output_tokens: 1000 },
            'claude-haiku-5-5',
        );
        expect(short).toBeCloseTo((100_000 * 0.1 + 1000 * 0.5) / MILLION, 12);
        expect(long).toBeCloseTo((90_000 * 0.5 + 20_000 * 0.05 + 1000 * 2.5) / MILLION, 12);
    });

    it('uses an edited table when one is given', () => {
        const table: PriceTable = {
            rows: [{ prefix: 'local-', input: 0, output: 0, cacheWrite: 0, cacheRead: 0 }],
            fallback: { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 },
        };
        expect(costOf({ input_tokens: MILLION, output_tokens: MILLION }, 'local-qwen', table)).toBe(0);
        expect(costOf({ input_tokens: MILLION, output_tokens: MILLION }, 'other', table)).toBe(2);
    });

    it('charges a 1-hour write at the 5-minute rate when a row has no 1-hour price', () => {
        const table: PriceTable = {
            rows: [],
            fallback: { input: 1, output: 1, cacheWrite: 4, cacheRead: 1 },
        };
        const usage = { cache_creation_input_tokens: MILLION, cache_creation: { ephemeral_1h_input_tokens: MILLION } };
        expect(costOf(usage, 'x', table)).toBe(4);
    });
});
