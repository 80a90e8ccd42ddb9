import { APIError } from '@anthropic-ai/sdk/core/error';
import { describe, expect, it } from 'vitest';
import {
    DEFAULT_WAIT_LIMITS,
    describeWait,
    resolveWaitLimits,
    waitLimitsFromEnv,
} from '../../src/agent/loop/wait-limits';
import { classifyError, RateLimited, SpendCap, StreamError } from '../../src/agent/model-errors';

describe('wait limits', () => {
    it('has production defaults in one place, and fills in what a caller leaves out', () => {
        expect(DEFAULT_WAIT_LIMITS).toEqual({
            maxRetryAfterMs: 60_000,
            retryBudgetMs: 180_000,
            idleTimeoutMs: 60_000,
            responseDeadlineMs: 600_000,
            silenceNoticeMs: 15_000,
        });
        expect(resolveWaitLimits({ idleTimeoutMs: 5_000, retryBudgetMs: -1 })).toEqual({
            ...DEFAULT_WAIT_LIMITS,
            idleTimeoutMs: 5_000,
        });
    });

    it('reads the CLI variables in seconds and names the ones that are not positive numbers', () => {
        const env = {
            VAULT_AGENT_STALL_S: '1.5',
            VAULT_AGENT_RETRY_BUDGET_S: 'soon',
            VAULT_AGENT_MAX_RETRY_AFTER_S: '0',
        };
        expect(waitLimitsFromEnv(env)).toEqual({
            limits: { idleTimeoutMs: 1_500 },
            invalid: ['VAULT_AGENT_MAX_RETRY_AFTER_S', 'VAULT_AGENT_RETRY_BUDGET_S'],
        });
    });

    it('describes waits for people', () => {
        expect(describeWait(400)).toBe('1 s');
        expect(describeWait(20_000)).toBe('20 s');
        expect(describeWait(3_600_000)).toBe('60 min');
        expect(describeWait(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 5 min');
    });
});

describe('SSE error events, whatever their shape', () => {
    const event = (body: unknown): unknown =>
        classifyError(new APIError(undefined, body as object, undefined, new Headers()), { endpointName: 'gw' });

    it('keeps a gateway’s message and retries when no type is named', () => {
        for (const body of [
            { error: 'Upstream down' },
            { type: 'error', error: { message: 'Upstream down' } },
            'Upstream down',
        ]) {
            const error = event(body) as StreamError;
            expect(error).toBeInstanceOf(StreamError);
            expect(error.retryable).toBe(true);
            expect(error.summary).toBe('gw stopped the response midway: Upstream down.');
        }
    });

    it('keeps the meaning of rate limits, spend limits and final request errors', () => {
        expect(event({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } })).toBeInstanceOf(
            RateLimited,
        );
        expect(event({ type: 'error', error: { type: 'billing_error', message: 'no credit' } })).toBeInstanceOf(
            SpendCap,
        );
        const final = event({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }) as StreamError;
        expect(final.retryable).toBe(false);
        const api = event({ type: 'error', error: { type: 'api_error', message: 'Internal' } }) as StreamError;
        expect(api.retryable).toBe(true);
        expect(api.summary).toBe('gw stopped the response midway (api_error): Internal.');
    });
});
