import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createModelClient } from '../../src/agent/model-client';

import {
    AuthError,
    backoffDelay,
    Cancelled,
    classifyError,
    ConnectionLost,
    InvalidRequest,
    ModelError,
    Offline,
    Overloaded,
    RateLimited,
    retryAfterFromHeaders,
    ServerError,
    SpendCap,
    StreamError,
    Timeout,
    TooLarge,
    UnexpectedError,
} from '../../src/agent/model-errors';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import {
    httpError,
    rateLimited,
    reset,
    spendCap,
    startMessagesApiServer,
    streamError,
    workspaceSpendLimit,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

/** An SDK error exactly as the SDK builds one from an HTTP error response. */
function apiError(status: number, type: string, message: string, headers: Record<string, string> = {}): APIError {
    const body = { type: 'error', error: { type, message } };
    return APIError.generate(status, body, undefined, new Headers({ 'request-id': 'req_123', ...headers }));
}

function withCode(message: string, code: string): Error {
    return Object.assign(new Error(message), { code });
}

describe('classifyError: HTTP statuses', () => {
    it('prefers retry-after-ms over retry-after', () => {
        const error = classifyError(
            apiError(429, 'rate_limit_error', 'slow down', { 'retry-after-ms': '1500', 'retry-after': '9' }),
        );
        expect((error as RateLimited).retryAfterMs).toBe(1500);
    });

    it('never retries a 429 that names a spend limit, even with retry-after', () => {
        const error = classifyError(
            apiError(429, 'rate_limit_error', 'Your organization has reached its monthly spend limit.', {
                'retry-after': '30',
            }),
        );
        expect(error).toBeInstanceOf(SpendCap);
        expect(error.retryable).toBe(false);
    });

    it('classifies the 400 workspace usage limit and a low credit balance as SpendCap', () => {
        const workspace = apiError(
            400,
            'invalid_request_error',
            'You have reached your specified workspace API usage limits. You will regain access on 2026-12-01.',
        );
        const credit = apiError(400, 'invalid_request_error', 'Your credit balance is too low to access the API.');
        for (const e of [workspace, credit]) {
            const error = classifyError(e);
            expect(error).toBeInstanceOf(SpendCap);
            expect(error.retryable).toBe(false);
        }
    });

    it('classifies a spend-limit error code as SpendCap whatever the message says', () => {
        const body = {
            type: 'error',
            error: { type: 'rate_limit_error', message: 'x', details: { error_code: 'enforced_spend_limit_reached' } },
        };
        const e = APIError.generate(429, body, undefined, new Headers());
        expect(classifyError(e)).toBeInstanceOf(SpendCap);
    });

    it('classifies 529 and 503 as Overloaded and retryable', () => {
        for (const status of [529, 503]) {
            const error = classifyError(apiError(status, 'overloaded_error', 'Overloaded'));
            expect(error).toBeInstanceOf(Overloaded);
            expect(error.retryable).toBe(true);
        }
    });

    it('says the key was rejected on 401 and names permissions on 403, never retrying either', () => {
        const rejected = classifyError(apiError(401, 'authentication_error', 'invalid x-api-key'));
        const forbidden = classifyError(apiError(403, 'permission_error', 'not allowed'));
        expect(rejected).toBeInstanceOf(AuthError);
        expect(rejected.userMessage).toBe(
            'The API key was rejected; check the key in this device’s settings. (request req_123)',
        );
        expect(forbidden).toBeInstanceOf(AuthError);
        expect(forbidden.userMessage).toMatch(/not allowed/);
        expect(rejected.retryable || forbidden.retryable).toBe(false);
    });

    it('classifies 413 and a 400 prompt-too-long as TooLarge', () => {
        expect(classifyError(apiError(413, 'request_too_large', 'Request exceeds the maximum size'))).toBeInstanceOf(
            TooLarge,
        );
        const tooLong = apiError(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum');
        expect(classifyError(tooLong)).toBeInstanceOf(TooLarge);
    });

    it('keeps other 400s as InvalidRequest with the endpoint’s reason', () => {
        const error = classifyError(apiError(400, 'invalid_request_error', 'messages: roles must alternate'));
        expect(error).toBeInstanceOf(InvalidRequest);
        expect(error.retryable).toBe(false);
        expect(error.userMessage).toContain('roles must alternate');
    });

    it('names the custom endpoint in its messages instead of Anthropic', () => {
        const error = classifyError(apiError(529, 'overloaded_error', 'busy'), { endpointName: 'localhost:4000' });
        expect(error.userMessage).toBe('localhost:4000 is overloaded right now. (request req_123)');
    });
});

describe('classifyError: streams, transport and aborts', () => {
    it('turns an error event mid-stream into StreamError carrying its type', () => {
        const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
        const e = new APIError(undefined, body, undefined, new Headers({ 'request-id': 'req_9' }));
        const error = classifyError(e);
        expect(error).toBeInstanceOf(StreamError);
        expect((error as StreamError).errorType).toBe('overloaded_error');
        expect(error.retryable).toBe(true);
        expect(error.requestId).toBe('req_9');
    });

    it('does not retry a mid-stream invalid_request_error', () => {
        const body = { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } };
        const error = classifyError(new APIError(undefined, body, undefined, new Headers()));
        expect(error).toBeInstanceOf(StreamError);
        expect(error.retryable).toBe(false);
    });

    it('reads refused connections and DNS failures through the cause chain as Offline', () => {
        const refused = new APIConnectionError({ cause: withCode('connect ECONNREFUSED 127.0.0.1:9', 'ECONNREFUSED') });
        const dns = new APIConnectionError({
            cause: new TypeError('fetch failed', { cause: withCode('getaddrinfo ENOTFOUND x.invalid', 'ENOTFOUND') }),
        });
        expect(classifyError(refused)).toBeInstanceOf(Offline);
        expect(classifyError(dns)).toBeInstanceOf(Offline);
        expect(classifyError(dns).userMessage).toMatch(/does not resolve/);
    });

    it('finds the code inside an AggregateError from dual-stack connect attempts', () => {
        const both = new AggregateError([withCode('a', 'ECONNREFUSED'), withCode('b', 'ECONNREFUSED')], 'connect');
        expect(classifyError(new APIConnectionError({ cause: both }))).toBeInstanceOf(Offline);
    });

    it('calls every connection failure Offline when the device says it is offline', () => {
        const reset = new APIConnectionError({ cause: withCode('read ECONNRESET', 'ECONNRESET') });
        expect(classifyError(reset, { online: false })).toBeInstanceOf(Offline);
    });

    it('classifies resets and hang-ups as ConnectionLost', () => {
        expect(classifyError(withCode('read ECONNRESET', 'ECONNRESET'))).toBeInstanceOf(ConnectionLost);
        expect(classifyError(new TypeError('terminated', { cause: new Error('other side closed') }))).toBeInstanceOf(
            ConnectionLost,
        );
        expect(classifyError(new Error('socket hang up'))).toBeInstanceOf(ConnectionLost);
    });

    it('classifies SDK timeouts and timed-out sockets as Timeout', () => {
        expect(classifyError(new APIConnectionTimeoutError())).toBeInstanceOf(Timeout);
        expect(classifyError(withCode('connect ETIMEDOUT', 'ETIMEDOUT'))).toBeInstanceOf(Timeout);
    });

    it('classifies our own abort as Cancelled and never retries it', () => {
        const aborted = Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
        for (const e of [new APIUserAbortError(), aborted]) {
            const error = classifyError(e);
            expect(error).toBeInstanceOf(Cancelled);
            expect(error.retryable).toBe(false);
        }
    });

    it('passes a ModelError through unchanged and never throws on odd values', () => {
        const once = classifyError(apiError(500, 'api_error', 'x'));
        expect(classifyError(once)).toBe(once);
        expect(once.name).toBe('ServerError');
        expect(classifyError('weird')).toBeInstanceOf(UnexpectedError);
        expect(classifyError(undefined)).toBeInstanceOf(UnexpectedError);
    });
});

describe('messages for people', () => {
    it('adds the wait and the request id when retrying', () => {
        const error = classifyError(apiError(529, 'overloaded_error', 'Overloaded'));
        expect(error.retryMessage(8000)).toBe('Anthropic is overloaded right now; retrying in 8 s. (request req_123)');
    });

    it('leaves the request id out when there is none', () => {
        const error = classifyError(new APIConnectionTimeoutError());
        expect(error.userMessage).toBe('Anthropic took too long to answer.');
    });
});

describe('retryAfterFromHeaders', () => {
    it('reads seconds, milliseconds and HTTP dates, and ignores nonsense', () => {
        const now = Date.parse('2026-11-21T10:00:00Z');
        expect(retryAfterFromHeaders(new Headers({ 'retry-after': '2.5' }), now)).toBe(2500);
        expect(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '120' }), now)).toBe(120);
        expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'Sat, 21 Nov 2026 10:00:30 GMT' }), now)).toBe(
            30_000,
        );
        expect(retryAfterFromHeaders(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
        expect(retryAfterFromHeaders(new Headers(), now)).toBeUndefined();
    });
});

describe('backoffDelay', () => {
    it('waits a uniform share of an exponential ceiling (full jitter)', () => {
        const options = { base: 1000, max: 60_000 };
        expect(backoffDelay(0, { ...options, random: () => 0.5 })).toBe(500);
        expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(4000);
        expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
    });

    it('never exceeds the cap, however many attempts', () => {
        expect(backoffDelay(50, { base: 1000, max: 30_000, random: () => 0.999999 })).toBeLessThanOrEqual(30_000);
    });

    it('spreads waits out rather than retrying in lockstep', () => {
        const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { base: 1000, max: 60_000 })));
        expect(delays.size).toBeGreaterThan(10);
    });

    it('waits at least as long as retry-after asked, even above the cap', () => {
        const delay = backoffDelay(0, { base: 1000, max: 5000, retryAfterMs: 20_000, random: () => 0.25 });
        expect(delay).toBe(20_250);
    });
});

describe.each([
    { route: 'the platform fetch', isDesktop: false },
    { route: 'the Node fetch', isDesktop: true },
])('against the real SDK over HTTP, through $route', ({ isDesktop }) => {
    const PARAMS = { model: DEFAULT_MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };
    let server: MessagesApiServer;

    beforeEach(async () => {
        server = await startMessagesApiServer({ apiKey: 'sk-test' });
    });

    afterEach(async () => {
        await server.close();
    });

    const clientAt = (baseUrl: string, key = 'sk-test') =>
        createModelClient({
            secrets: { get: () => Promise.resolve(key) },
            settings: { ...DEFAULT_SETTINGS.model, baseUrl },
            isDesktop,
        });

    async function failureOf(promise: Promise<unknown>): Promise<ModelError> {
        try {
            await promise;
        } catch (e) {
            expect(e).toBeInstanceOf(ModelError);
            return e as ModelError;
        }
        throw new Error('expected the call to fail');
    }

    function expectHumanMessageWithRequestId(error: ModelError): void {
        expect(error.requestId).toMatch(/^req_/);
        expect(error.userMessage.endsWith(`(request ${error.requestId ?? ''})`)).toBe(true);
        expect(error.userMessage).not.toMatch(/\{|\}|undefined|null/);
    }

    it('row 28: a closed port is Offline, naming the address where nothing answers', async () => {
        const closed = await new Promise<number>((resolve) => {
            const probe = createServer().listen(0, '127.0.0.1', () => {
                const { port } = probe.address() as AddressInfo;
                probe.close(() => resolve(port));
            });
        });
        const client = await clientAt(`http://127.0.0.1:${closed}`);
        const error = await failureOf(client.create(PARAMS));
        expect(error).toBeInstanceOf(Offline);
        expect(error.retryable).toBe(true);
        expect(error.userMessage).toBe(`Nothing answers at http://127.0.0.1:${closed}: is the server running?`);
    });

    it('row 28: a host name that does not resolve is Offline and says so', async () => {
        const client = await clientAt('http://vault-agent-test.invalid');
        const error = await failureOf(client.create(PARAMS));
        expect(error).toBeInstanceOf(Offline);
        expect(error.userMessage).toMatch(/does not resolve/);
    });

    it('row 28: 401 says the key was rejected, with the request id', async () => {
        const client = await clientAt(server.baseURL, 'sk-wrong');
        const error = await failureOf(client.create(PARAMS));
        expect(error).toBeInstanceOf(AuthError);
        expect(error.status).toBe(401);
        expect(error.userMessage).toMatch(/^The API key was rejected/);
        expectHumanMessageWithRequestId(error);
    });

    it.each([
        { status: 403, type: 'permission_error', expected: AuthError, retryable: false },
        { status: 413, type: 'request_too_large', expected: TooLarge, retryable: false },
        { status: 500, type: 'api_error', expected: ServerError, retryable: true },
        { status: 502, type: 'api_error', expected: ServerError, retryable: true },
        { status: 504, type: 'timeout_error', expected: ServerError, retryable: true },
        { status: 529, type: 'overloaded_error', expected: Overloaded, retryable: true },
    ])('rows 25/28: $status is $expected.name, retryable $retryable', async ({ status, type, expected, retryable }) => {
        server.enqueue(httpError(status, type, 'scripted failure'));
        const client = await clientAt(server.baseURL);
        const error = await failureOf(client.create(PARAMS));
        expect(error).toBeInstanceOf(expected);
        expect(error.retryable).toBe(retryable);
        expect(error.status).toBe(status);
        expectHumanMessageWithRequestId(error);
    });

    it('row 24: 429 with retry-after is RateLimited and carries the wait', async () => {
        server.enqueue(rateLimited({ retryAfter: 8 }));
        const client = await clientAt(server.baseURL);
        const error = await failureOf(client.create(PARAMS));
        expect(error).toBeInstanceOf(RateLimited);
        expect((error as RateLimited).retryAfterMs).toBe(8000);
        expect(backoffDelay(0, { retryAfterMs: (error as RateLimited).retryAfterMs, random: () => 0 })).toBe(8000);
        expectHumanMessageWithRequestId(error);
    });

    it('row 24: a 429 spend cap and a 400 workspace spend limit are SpendCap and never retried', async () => {
        server.enqueue(spendCap(), workspaceSpendLimit());
        const client = await clientAt(server.baseURL);
        for (let i = 0; i < 2; i++) {
            const error = await failureOf(client.create(PARAMS));
            expect(error).toBeInstanceOf(SpendCap);
            expect(error.retryable).toBe(false);
            expect(error.userMessage).toMatch(/spend or credit limit/);
        }
        expect(server.messageRequests()).toHaveLength(2);
    });

    it('row 25: an error event mid-stream is a StreamError with its type and request id', async () => {
        server.enqueue(streamError({ errorType: 'overloaded_error' }));
        const client = await clientAt(server.baseURL);
        const stream = client.stream(PARAMS);
        const error = client.classify(
            await stream.finalMessage().then(
                () => undefined,
                (e: unknown) => e,
            ),
        );
        expect(error).toBeInstanceOf(StreamError);
        expect((error as StreamError).errorType).toBe('overloaded_error');
        expect(error.retryable).toBe(true);
        expect(error.requestId).toMatch(/^req_/);
    });

    it('row 26: a connection reset mid-stream is ConnectionLost', async () => {
        server.enqueue(reset({ after: 'text' }));
        const client = await clientAt(server.baseURL);
        const stream = client.stream(PARAMS);
        const error = client.classify(
            await stream.finalMessage().then(
                () => undefined,
                (e: unknown) => e,
            ),
        );
        expect(error).toBeInstanceOf(ConnectionLost);
        expect(error.retryable).toBe(true);
    });
});
