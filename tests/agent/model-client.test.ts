import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { APIError } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { EndpointCapabilities, isUnsupportedResponse } from '../../src/agent/capabilities';
import { createModelClient, FALLBACK_MODELS, type ModelClientOptions } from '../../src/agent/model-client';
import { nodeFetch } from '../../src/agent/model-fetch-node';
import { ApiKeyMissing, Cancelled, InvalidRequest } from '../../src/agent/model-errors';
import type { SecretStore } from '../../src/kernel/ports';
import { DEFAULT_SETTINGS, type ModelSettings } from '../../src/kernel/settings';
import {
    LISTED_MODELS,
    stall,
    startMessagesApiServer,
    textTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

const KEY = 'sk-test-canary-7f3a9c';
const PARAMS = { model: DEFAULT_MODEL, max_tokens: 64, messages: [{ role: 'user' as const, content: 'Hi' }] };

/** A secret store backed by a map, recording which names were asked for. */
function secretsWith(entries: Record<string, string>): SecretStore & { asked: string[] } {
    const asked: string[] = [];
    return {
        asked,
        get: (name) => {
            asked.push(name);
            return Promise.resolve(entries[name] ?? null);
        },
    };
}

function settingsFor(baseUrl: string): ModelSettings {
    return { ...DEFAULT_SETTINGS.model, baseUrl };
}

function clientFor(server: MessagesApiServer, extra: Partial<ModelClientOptions> = {}) {
    return createModelClient({
        secrets: secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: server.apiKey }),
        settings: settingsFor(server.baseURL),
        ...extra,
    });
}

let server: MessagesApiServer;

beforeEach(async () => {
    server = await startMessagesApiServer({ apiKey: KEY });
});

afterEach(async () => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
    await server.close();
});

describe('createModelClient: key and host', () => {
    it('reads the key from the secret store under the configured name and sends it only as the bearer token', async () => {
        const secrets = secretsWith({ 'my-key-name': KEY });
        const settings = { ...settingsFor(server.baseURL), apiKeySecretName: 'my-key-name' };
        server.enqueue(textTurn('Hello there.'));

        const client = await createModelClient({ secrets, settings });
        const message = await client.create(PARAMS);

        expect(secrets.asked).toEqual(['my-key-name']);
        expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello there.' })]);
        const [request] = server.requests;
        expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
        const { authorization: _auth, ...otherHeaders } = request?.headers ?? {};
        expect(JSON.stringify(otherHeaders)).not.toContain(KEY);
        expect(request?.rawBody).not.toContain(KEY);
        expect(request?.path).not.toContain(KEY);
        expect(JSON.stringify(request?.query)).not.toContain(KEY);
    });

    it('fails with “API key not set on this device” before sending anything', async () => {
        const attempt = createModelClient({ secrets: secretsWith({}), settings: settingsFor(server.baseURL) });
        await expect(attempt).rejects.toBeInstanceOf(ApiKeyMissing);
        await expect(attempt).rejects.toThrow(/API key not set on this device/);
        const blank = secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: '   ' });
        await expect(createModelClient({ secrets: blank, settings: settingsFor(server.baseURL) })).rejects.toThrow(
            /API key not set on this device/,
        );
        expect(server.requests).toHaveLength(0);
    });

    it('sends every request to the base URL from settings, not to one from the environment', async () => {
        const decoy = await startMessagesApiServer({ apiKey: KEY });
        try {
            vi.stubEnv('ANTHROPIC_BASE_URL', decoy.baseURL);
            server.enqueue(textTurn('From settings.'));
            const client = await clientFor(server);
            await client.create(PARAMS);
            expect(server.messageRequests()).toHaveLength(1);
            expect(decoy.requests).toHaveLength(0);
        } finally {
            await decoy.close();
        }
    });

    it('leaves the host to the SDK default when the base URL is empty, ignoring ANTHROPIC_BASE_URL', async () => {
        vi.stubEnv('ANTHROPIC_BASE_URL', server.baseURL);
        const urls: string[] = [];
        // The request must not leave the machine: record where it would go and fail it.
        const recordOnly: typeof fetch = (input) => {
            urls.push(input instanceof Request ? input.url : String(input));
            return Promise.reject(Object.assign(new Error('blocked in test'), { code: 'ECONNREFUSED' }));
        };
        const client = await createModelClient({
            secrets: secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: KEY }),
            settings: settingsFor(''),
            fetchImpl: recordOnly,
        });
        await expect(client.create(PARAMS)).rejects.toThrow();
        expect(client.baseUrl).toBe('');
        expect(client.endpointName).toBe('Anthropic');
        expect(urls).toHaveLength(1);
        expect(new URL(urls[0] ?? '').protocol).toBe('https:');
        expect(urls[0]?.startsWith(server.baseURL)).toBe(false);
        expect(server.requests).toHaveLength(0);
    });

    it('rejects a base URL that is not http or https before any request', async () => {
        const secrets = secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: KEY });
        await expect(createModelClient({ secrets, settings: settingsFor('file:///etc') })).rejects.toBeInstanceOf(
            InvalidRequest,
        );
    });

    it('is frozen and never exposes the key on the object the engine holds', async () => {
        const client = await clientFor(server);
        expect(Object.isFrozen(client)).toBe(true);
        expect(JSON.stringify(client)).not.toContain(KEY);
        expect(Object.values(client).map(String).join(' ')).not.toContain(KEY);
    });

    it('does not retry by itself: one failed request is one request on the wire', async () => {
        server.enqueue({ kind: 'http-error', status: 529, errorType: 'overloaded_error', message: 'Overloaded' });
        const client = await clientFor(server);
        await expect(client.create(PARAMS)).rejects.toThrow();
        expect(server.messageRequests()).toHaveLength(1);
    });
});

describe('createModelClient: streaming and cancellation', () => {
    it('streams a turn through the SDK’s MessageStream', async () => {
        server.enqueue(textTurn('Streaming works.'));
        const client = await clientFor(server);
        const stream = client.stream(PARAMS);
        let text = '';
        stream.on('text', (delta) => (text += delta));
        const message = await stream.finalMessage();
        expect(text).toBe('Streaming works.');
        expect(message.stop_reason).toBe('end_turn');
    });

    it('stops a stalled stream within a second of the abort and calls it Cancelled', async () => {
        server.enqueue(stall());
        const client = await clientFor(server, { isDesktop: true });
        const controller = new AbortController();
        const stream = client.stream(PARAMS, { signal: controller.signal });
        await new Promise<void>((resolve) => stream.on('streamEvent', () => resolve()));
        const started = Date.now();
        controller.abort();
        const error = await stream.finalMessage().then(
            () => undefined,
            (e: unknown) => client.classify(e),
        );
        expect(Date.now() - started).toBeLessThan(1000);
        expect(error).toBeInstanceOf(Cancelled);
    });
});

describe('createModelClient: the Node fetch on desktop', () => {
    it('uses Node’s HTTP client, not the platform fetch, for a custom base URL on desktop', async () => {
        const platformFetch = vi.fn(fetch);
        vi.stubGlobal('fetch', platformFetch);
        server.enqueue(textTurn('Via Node http.'));
        const client = await clientFor(server, { isDesktop: true });
        const stream = client.stream(PARAMS);
        expect((await stream.finalMessage()).content).toEqual([
            expect.objectContaining({ type: 'text', text: 'Via Node http.' }),
        ]);
        expect(platformFetch).not.toHaveBeenCalled();
    });

    it('uses the platform fetch when not on desktop', async () => {
        const platformFetch = vi.fn(fetch);
        vi.stubGlobal('fetch', platformFetch);
        server.enqueue(textTurn('Via fetch.'));
        const client = await clientFor(server, { isDesktop: false });
        await client.create(PARAMS);
        expect(platformFetch).toHaveBeenCalledTimes(1);
    });
});

describe('nodeFetch', () => {
    let raw: Server;
    let rawUrl: string;
    let onRequest: (req: IncomingMessage, res: ServerResponse) => void;

    beforeEach(async () => {
        raw = createServer((req, res) => onRequest(req, res));
        await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
        rawUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
        raw.closeAllConnections();
        await new Promise<void>((resolve) => raw.close(() => resolve()));
    });

    it('streams SSE chunks as they arrive from a server that sends no CORS headers', async () => {
        let finish: () => void = () => undefined;
        onRequest = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write('event: ping\ndata: {"type":"ping"}\n\n');
            finish = () => res.end('event: message_stop\ndata: {"type":"message_stop"}\n\n');
        };
        const response = await nodeFetch(`${rawUrl}/v1/messages`, { method: 'POST', body: '{}' });
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const decoder = new TextDecoder();
        const first = await reader.read();
        // The first event arrived while the server still holds the response open.
        expect(decoder.decode(first.value)).toContain('event: ping');
        finish();
        let rest = '';
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
            rest += decoder.decode(chunk.value);
        expect(rest).toContain('message_stop');
    });

    it('sends the method, headers and string body it was given', async () => {
        let seen: { method?: string; header?: string; body: string } = { body: '' };
        onRequest = (req, res) => {
            let body = '';
            req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            req.on('end', () => {
                seen = { method: req.method, header: req.headers['x-probe'] as string, body };
                res.end('ok');
            });
        };
        const response = await nodeFetch(`${rawUrl}/echo`, {
            method: 'post',
            headers: { 'x-probe': 'yes' },
            body: '{"ü":1}',
        });
        expect(await response.text()).toBe('ok');
        expect(seen).toEqual({ method: 'POST', header: 'yes', body: '{"ü":1}' });
    });

    it('aborts a silent response within a second and closes the connection', async () => {
        let serverSawClose = false;
        onRequest = (req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write('event: ping\ndata: {}\n\n');
            req.socket.on('close', () => (serverSawClose = true));
        };
        const controller = new AbortController();
        const response = await nodeFetch(`${rawUrl}/stall`, { signal: controller.signal });
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        await reader.read();
        const started = Date.now();
        void delay(50).then(() => controller.abort());
        await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
        expect(Date.now() - started).toBeLessThan(1000);
        await vi.waitFor(() => expect(serverSawClose).toBe(true), { timeout: 1000 });
    });

    it('rejects at once with an AbortError when the signal is already aborted', async () => {
        let hits = 0;
        onRequest = (_req, res) => {
            hits += 1;
            res.end();
        };
        await expect(nodeFetch(rawUrl, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
        expect(hits).toBe(0);
    });

    it('reports a connection dropped mid-body as a reset', async () => {
        onRequest = (_req, res) => {
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.write('event: ping\ndata: {}\n\n', () => res.socket?.destroy());
        };
        const response = await nodeFetch(`${rawUrl}/reset`);
        await expect(response.text()).rejects.toMatchObject({ code: 'ECONNRESET' });
    });
});

describe('listModels and countTokens', () => {
    it('lists the endpoint’s models with the configured default first', async () => {
        const client = await clientFor(server);
        const list = await client.listModels();
        expect(list.source).toBe('endpoint');
        expect(list.models.map((m) => m.id)).toEqual([
            DEFAULT_SETTINGS.model.defaultModel,
            ...LISTED_MODELS.map((m) => m.id).filter((id) => id !== DEFAULT_SETTINGS.model.defaultModel),
        ]);
    });

    it('falls back to a known list, and stops asking, when a custom endpoint has no models route', async () => {
        // Under an unknown path prefix every route of the local server answers 404, like a bare-bones proxy.
        const client = await createModelClient({
            secrets: secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: KEY }),
            settings: settingsFor(`${server.baseURL}/bare`),
        });
        const first = await client.listModels();
        expect(first.source).toBe('fallback');
        expect(first.models.map((m) => m.id)).toContain(FALLBACK_MODELS[0]?.id);
        expect(client.capabilities.has('modelsList')).toBe(false);
        const asked = server.requests.length;
        await client.listModels();
        expect(server.requests.length).toBe(asked);
    });

    it('counts tokens with the endpoint when it can', async () => {
        const client = await clientFor(server);
        const counted = await client.countTokens(PARAMS);
        expect(counted.estimated).toBe(false);
        expect(counted.inputTokens).toBeGreaterThan(0);
        expect(server.countOf('/v1/messages/count_tokens', 'POST')).toBe(1);
    });

    it('estimates tokens as characters / 4 once a custom endpoint says it cannot count', async () => {
        const client = await createModelClient({
            secrets: secretsWith({ [DEFAULT_SETTINGS.model.apiKeySecretName]: KEY }),
            settings: settingsFor(`${server.baseURL}/bare`),
        });
        const params = { ...PARAMS, messages: [{ role: 'user' as const, content: 'x'.repeat(400) }] };
        expect(await client.countTokens(params)).toEqual({ inputTokens: 100, estimated: true });
        expect(client.capabilities.has('countTokens')).toBe(false);
        expect(await client.countTokens(params)).toEqual({ inputTokens: 100, estimated: true });
        expect(server.requests).toHaveLength(1);
    });
});

describe('endpoint capabilities', () => {
    const unknownField = APIError.generate(
        400,
        {
            type: 'error',
            error: { type: 'invalid_request_error', message: 'cache_control: Extra inputs are not permitted' },
        },
        undefined,
        new Headers(),
    );

    it('lets a custom endpoint lose a feature it answers with “unknown”, and keeps the rest', () => {
        const capabilities = new EndpointCapabilities({ custom: true });
        expect(capabilities.learnFrom('promptCaching', unknownField)).toBe(true);
        expect(capabilities.snapshot()).toEqual({
            promptCaching: false,
            countTokens: true,
            batches: true,
            modelsList: true,
            documents: true,
        });
    });

    it('never downgrades Anthropic’s own endpoint, where a 404 means a wrong model name', () => {
        const capabilities = new EndpointCapabilities({ custom: false });
        const notFound = APIError.generate(
            404,
            { type: 'error', error: { type: 'not_found_error', message: 'model: x' } },
            undefined,
            new Headers(),
        );
        expect(capabilities.learnFrom('countTokens', notFound)).toBe(false);
        expect(capabilities.has('countTokens')).toBe(true);
    });

    it('does not take an ordinary failure for a missing feature', () => {
        const overloaded = APIError.generate(
            529,
            { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
            undefined,
            new Headers(),
        );
        expect(isUnsupportedResponse(overloaded)).toBe(false);
        expect(isUnsupportedResponse(unknownField)).toBe(true);
    });
});

describe('the plugin bundle on mobile', () => {
    it('keeps Node builtins and the Node fetch out of every static import of the modules the plugin loads', async () => {
        const folder = new URL('../../src/agent/', import.meta.url);
        for (const file of ['model-client.ts', 'model-errors.ts', 'capabilities.ts', 'pricing.ts']) {
            const source = await readFile(new URL(file, folder), 'utf8');
            const staticImports = [...source.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
            if (file === 'model-client.ts') expect(staticImports).toContain('./model-errors');
            expect(staticImports.filter((name) => name?.startsWith('node:') || name?.includes('-node'))).toEqual([]);
        }
    });
});
