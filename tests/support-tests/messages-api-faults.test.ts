import Anthropic, {
    APIConnectionError,
    APIError,
    APIUserAbortError,
    AuthenticationError,
    BadRequestError,
    ContentTooLargeError,
    GatewayTimeoutError,
    InternalServerError,
    OverloadedError,
    PermissionDeniedError,
    RateLimitError,
} from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { EnforcedSpendLimitReachedError } from '@anthropic-ai/sdk/resources/shared';
import { setTimeout } from 'node:timers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
    httpError,
    overloaded,
    rateLimited,
    reset,
    spendCap,
    stall,
    startMessagesApiServer,
    streamError,
    textTurn,
    workspaceSpendLimit,
    type MessagesApiServer,
} from '../support/messages-api-server';

let server: MessagesApiServer;
let client: Anthropic;

beforeEach(async () => {
    server = await startMessagesApiServer({ apiKey: 'sk-test-local' });
    client = new Anthropic({ apiKey: 'sk-test-local', baseURL: server.baseURL, maxRetries: 0 });
});

afterEach(async () => {
    await server.close();
});

const params = (text = 'Summarise my week.'): MessageCreateParamsNonStreaming => ({
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    messages: [{ role: 'user', content: text }],
});

async function collect(stream: AsyncIterable<MessageStreamEvent>): Promise<MessageStreamEvent[]> {
    const events: MessageStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    return events;
}

describe('HTTP errors', () => {
    it('surfaces 429 with retry-after as RateLimitError carrying the header and request id', async () => {
        server.enqueue(rateLimited({ retryAfter: 7 }));
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).headers.get('retry-after')).toBe('7');
        expect((error as RateLimitError).requestID).toMatch(/^req_/);
    });

    it('sends a spend cap as a 429 without retry-after that the SDK classes as a spend limit', async () => {
        server.enqueue(spendCap());
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EnforcedSpendLimitReachedError);
        expect(error).toBeInstanceOf(RateLimitError);
        expect((error as RateLimitError).headers.get('retry-after')).toBeNull();
        expect((error as RateLimitError).message).toContain('usage limits');
    });

    it('sends the workspace spend limit as a 400 invalid_request_error', async () => {
        server.enqueue(workspaceSpendLimit({ regainAccessOn: '2030-01-01' }));
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BadRequestError);
        expect((error as APIError).message).toContain('workspace API usage limits');
    });

    it('maps 529 to the SDK OverloadedError, an InternalServerError', async () => {
        server.enqueue(overloaded());
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OverloadedError);
        expect(error).toBeInstanceOf(InternalServerError);
        expect((error as APIError).status).toBe(529);
    });

    it.each([
        [401, 'authentication_error', AuthenticationError],
        [403, 'permission_error', PermissionDeniedError],
        [413, 'request_too_large', ContentTooLargeError],
        [500, 'api_error', InternalServerError],
        [504, 'timeout_error', GatewayTimeoutError],
    ])('answers a scripted %i as the matching SDK error', async (status, type, errorClass) => {
        server.enqueue(httpError(status, type, `scripted ${status}`));
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(errorClass);
        expect((error as APIError).requestID).toMatch(/^req_/);
    });

    it('refuses a wrong key with 401 and keeps the scripted turn for the next request', async () => {
        server.enqueue(textTurn('kept'));
        const wrong = new Anthropic({ apiKey: 'sk-wrong', baseURL: server.baseURL, maxRetries: 0 });
        await expect(wrong.messages.create(params())).rejects.toBeInstanceOf(AuthenticationError);
        expect(server.pending()).toBe(1);
    });
});

describe('stream faults', () => {
    it('throws on iteration when an error event arrives after partial text', async () => {
        server.enqueue(streamError({ after: 'text' }));
        const seen: MessageStreamEvent[] = [];
        const iterate = async () => {
            for await (const event of client.messages.stream(params())) seen.push(event);
        };
        const error = await iterate().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(APIError);
        expect((error as APIError).type).toBe('overloaded_error');
        expect(seen.some((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta')).toBe(true);
        expect(seen.some((e) => e.type === 'message_stop')).toBe(false);
    });

    it('cuts a tool call off mid-input before the error event', async () => {
        server.enqueue(streamError({ after: 'partial-tool', errorType: 'api_error', message: 'Internal error' }));
        const seen: MessageStreamEvent[] = [];
        const iterate = async () => {
            for await (const event of client.messages.stream(params())) seen.push(event);
        };
        await expect(iterate()).rejects.toBeInstanceOf(APIError);
        expect(seen.some((e) => e.type === 'content_block_delta' && e.delta.type === 'input_json_delta')).toBe(true);
        expect(seen.filter((e) => e.type === 'content_block_stop')).toHaveLength(1);
    });

    it('goes silent on a stall until an AbortController ends the request', async () => {
        server.enqueue(stall({ after: 'text' }));
        const controller = new AbortController();
        const stream = client.messages.stream(params(), { signal: controller.signal });
        stream.on('text', () => setTimeout(() => controller.abort(), 100));
        const started = Date.now();
        await expect(stream.finalMessage()).rejects.toBeInstanceOf(APIUserAbortError);
        expect(Date.now() - started).toBeLessThan(1500);
    });

    it('finishes the turn when a stall resumes', async () => {
        server.enqueue(stall({ after: 'text', resumeAfterMs: 150, turn: textTurn('Slow but complete answer.') }));
        const final = await client.messages.stream(params()).finalMessage();
        expect(final.content[0]).toMatchObject({ text: 'Slow but complete answer.' });
    });

    it('turns a reset before any byte into a connection error', async () => {
        server.enqueue(reset());
        await expect(client.messages.create(params())).rejects.toBeInstanceOf(APIConnectionError);
    });

    it('breaks the stream when the socket is reset after partial text', async () => {
        server.enqueue(reset({ after: 'text' }));
        await expect(client.messages.stream(params()).finalMessage()).rejects.toThrow();
    });

    it('closes promptly even while a stall holds a socket open', async () => {
        server.enqueue(stall());
        const pending = client.messages
            .create({ ...params(), stream: true })
            .then(collect)
            .catch((e: unknown) => e);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const started = Date.now();
        await server.close();
        expect(Date.now() - started).toBeLessThan(1000);
        expect(await pending).toBeInstanceOf(Error);
        server = await startMessagesApiServer();
    });
});
