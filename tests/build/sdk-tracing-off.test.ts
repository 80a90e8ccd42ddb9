/**
 * The plugin bundle resolves the Anthropic SDK's tracing modules to stand-ins (decision 0016): inside Obsidian
 * `@opentelemetry/api` answers with its no-op tracer, so no client ever has a tracer and no API call gets a span. This
 * bundles the real SDK with that same esbuild plugin, as the plugin build does, and makes every kind of call the plugin
 * makes against the local Messages-API server: a streamed turn, a call retried after a 429, an error kept with its
 * status and message, a list that pages, a Message Batch created and read back, and a token count. What it cannot
 * show: a person who registers a tracer inside Obsidian, which no plugin API offers.
 */
import type * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sdkSuite } from './bundle-with-stand-in';
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { sdkTracingOff } from '../../scripts/esbuild-sdk-tracing-off.mjs';
import { overloaded, rateLimited, textTurn } from '../support/messages-api/scripts';

interface Client {
    openTelemetry: { traces: { enabled: boolean } };
    messages: {
        stream(body: unknown): { finalText(): Promise<string> };
        create(body: unknown): Promise<{ content: { type: string; text?: string }[] }>;
        countTokens(body: unknown): Promise<{ input_tokens: number }>;
        batches: {
            create(body: unknown): Promise<{ id: string }>;
            retrieve(id: string): Promise<{ id: string; processing_status: string }>;
        };
    };
    models: { list(query?: unknown): AsyncIterable<{ id: string }> };
}
type ClientClass = new (options: Record<string, unknown>) => Client;

const BODY = { model: 'a-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] };

const suite = sdkSuite<ClientClass>(sdkTracingOff as esbuild.Plugin);

function client(maxRetries = 0): Client {
    return new suite.Anthropic({ apiKey: suite.server.apiKey, baseURL: suite.server.baseURL, maxRetries });
}

describe('the SDK tracing in the plugin bundle', () => {
    it('leaves the tracing modules out, and says traces are off', () => {
        for (const left of ['/sdk/internal/tracing.mjs', '/sdk/lib/internal/tracing.mjs', 'tracing/content.mjs']) {
            expect(suite.inputs.some((input) => input.endsWith(left))).toBe(false);
        }
        expect(suite.inputs.some((input) => input.endsWith('scripts/sdk-tracing-off.mjs'))).toBe(true);
        expect(suite.inputs.some((input) => input.endsWith('scripts/sdk-tracing-off-lib.mjs'))).toBe(true);
        expect(client().openTelemetry.traces.enabled).toBe(false);
    });

    it('streams a turn, answers a plain create, and retries a 429 before answering', async () => {
        suite.server.enqueue(textTurn('Streamed.'));
        expect(await client().messages.stream(BODY).finalText()).toBe('Streamed.');
        suite.server.enqueue(rateLimited({ retryAfter: 0 }), textTurn('After the retry.'));
        const made = await client(2).messages.create(BODY);
        expect(made.content[0]?.text).toBe('After the retry.');
    });

    it('keeps an error with its status and message', async () => {
        suite.server.enqueue(overloaded());
        const failure = await client()
            .messages.create(BODY)
            .then(() => null)
            .catch((error: unknown) => error as { status?: number; message: string });
        expect(failure?.status).toBe(529);
        expect(failure?.message).toContain('Overloaded');
    });

    it('pages a list, creates and reads back a Message Batch, and counts tokens', async () => {
        const models: string[] = [];
        for await (const model of client().models.list({ limit: 1 })) models.push(model.id);
        expect(models.length).toBeGreaterThan(0);
        suite.server.enqueue(textTurn('In the batch.'));
        const batch = await client().messages.batches.create({ requests: [{ custom_id: 'one', params: BODY }] });
        expect((await client().messages.batches.retrieve(batch.id)).id).toBe(batch.id);
        expect((await client().messages.countTokens(BODY)).input_tokens).toBeGreaterThan(0);
    });
});
