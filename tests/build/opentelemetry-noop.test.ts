/**
 * The plugin bundle resolves `@opentelemetry/api` to a module with the API's no-op answers (decision 0016). This
 * bundles the real Anthropic SDK with that same esbuild plugin, as the plugin build does, and streams a message from
 * the local Messages-API server through it: the SDK's tracing paths (spans, context, header propagation) run against
 * the stand-in and the answer arrives whole. What it cannot show: an application that registers a tracer provider,
 * which nothing in Obsidian does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as esbuild from 'esbuild';
import { bundleWithStandIn } from './bundle-with-stand-in';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations.
import { openTelemetryNoop } from '../../scripts/esbuild-opentelemetry-noop.mjs';
import { startMessagesApiServer, type MessagesApiServer } from '../support/messages-api-server';
import { textTurn } from '../support/messages-api/scripts';

let server: MessagesApiServer;
let dir: string;

beforeAll(async () => {
    server = await startMessagesApiServer();
    dir = mkdtempSync(join(tmpdir(), 'va-otel-'));
});

afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
});

describe('the OpenTelemetry stand-in in the plugin bundle', () => {
    it('leaves the real API out, and the SDK streams an answer through it', async () => {
        const { module, inputs } = await bundleWithStandIn<{
            default: new (options: { apiKey: string; baseURL: string; maxRetries: number }) => {
                messages: { stream(body: unknown): { finalText(): Promise<string> } };
            };
        }>("export { default } from '@anthropic-ai/sdk';", openTelemetryNoop as esbuild.Plugin, dir);
        expect(inputs.some((input) => input.includes('node_modules/@opentelemetry/api'))).toBe(false);
        expect(inputs.some((input) => input.endsWith('scripts/opentelemetry-noop.mjs'))).toBe(true);
        const Anthropic = module.default;
        server.enqueue(textTurn('Traced by nobody, answered in full.'));
        const client = new Anthropic({ apiKey: server.apiKey, baseURL: server.baseURL, maxRetries: 0 });
        const text = await client.messages
            .stream({ model: 'a-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] })
            .finalText();
        expect(text).toBe('Traced by nobody, answered in full.');
    });
});
