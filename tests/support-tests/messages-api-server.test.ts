import Anthropic, { APIError, InternalServerError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
    contextWindowExceeded,
    maxTokensInToolUse,
    overloaded,
    pauseTurn,
    refusal,
    startMessagesApiServer,
    textTurn,
    thinkingTurn,
    toolResultsOf,
    toolUseTurn,
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

describe('streaming turns', () => {
    it('streams text in several chunks, in order, and finalMessage() rebuilds the scripted turn', async () => {
        const text = 'Monday was planning, Tuesday was calls, and the rest of the week went to writing. 🎉';
        server.enqueue(textTurn(text));
        const stream = client.messages.stream(params());
        const events = await collect(stream);
        const chunks = events.flatMap((e) =>
            e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? [e.delta.text] : [],
        );
        expect(chunks.length).toBeGreaterThan(2);
        expect(chunks.join('')).toBe(text);
        const final = await stream.finalMessage();
        expect(final.content).toEqual([{ type: 'text', text, citations: null }]);
        expect(final.stop_reason).toBe('end_turn');
        expect(final.usage.output_tokens).toBeGreaterThan(0);
        expect(final.usage.input_tokens).toBeGreaterThan(0);
    });

    it('sends the SSE events in the documented order, with a ping', async () => {
        server.enqueue(textTurn('Short answer here.'));
        const response = await client.messages.create({ ...params(), stream: true }).asResponse();
        expect(response.headers.get('content-type')).toContain('text/event-stream');
        const names = [...(await response.text()).matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
        const order = names.filter((name, i) => name !== names[i - 1]);
        expect(order).toEqual([
            'message_start',
            'content_block_start',
            'ping',
            'content_block_delta',
            'content_block_stop',
            'message_delta',
            'message_stop',
        ]);
    });

    it('splits a tool call input across several input_json_delta events that parse back to the input', async () => {
        const input = { path: 'Projects/Alpha.md', query: 'status "green"', limits: [1, 2, 3] };
        server.enqueue(toolUseTurn([{ name: 'read_note', input, id: 'toolu_fixed' }], { preface: 'Reading it.' }));
        const stream = client.messages.stream(params());
        const events = await collect(stream);
        const pieces = events.flatMap((e) =>
            e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : [],
        );
        expect(pieces.length).toBeGreaterThanOrEqual(3);
        expect(JSON.parse(pieces.join(''))).toEqual(input);
        const final = await stream.finalMessage();
        expect(final.stop_reason).toBe('tool_use');
        expect(final.content[1]).toMatchObject({ type: 'tool_use', id: 'toolu_fixed', name: 'read_note', input });
    });

    it('ends with stop_reason max_tokens while the tool input JSON is still incomplete', async () => {
        server.enqueue(maxTokensInToolUse());
        const stream = client.messages.stream(params());
        const events = await collect(stream);
        const json = events
            .flatMap((e) =>
                e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : [],
            )
            .join('');
        expect(() => JSON.parse(json) as unknown).toThrow();
        expect((await stream.finalMessage()).stop_reason).toBe('max_tokens');
    });

    it('streams thinking with its signature before the answer', async () => {
        server.enqueue(thinkingTurn('The person wants a summary, so list the days.', 'Here is your week.'));
        const final = await client.messages.stream(params()).finalMessage();
        expect(final.content[0]).toMatchObject({
            type: 'thinking',
            thinking: 'The person wants a summary, so list the days.',
        });
        expect(final.content[0]?.type === 'thinking' && final.content[0].signature.length).toBeGreaterThan(0);
        expect(final.content[1]).toMatchObject({ type: 'text', text: 'Here is your week.' });
    });

    it('paces events when the server is given a delay between them', async () => {
        const paced = await startMessagesApiServer({ apiKey: 'sk-test-local', eventDelayMs: 15 });
        try {
            paced.enqueue(textTurn('one two three four five six'));
            const pacedClient = new Anthropic({ apiKey: 'sk-test-local', baseURL: paced.baseURL, maxRetries: 0 });
            const started = Date.now();
            const events = await collect(pacedClient.messages.stream(params()));
            expect(Date.now() - started).toBeGreaterThanOrEqual(15 * (events.length - 1));
        } finally {
            await paced.close();
        }
    });

    it('reports refusal, context-window and pause_turn stop reasons', async () => {
        server.enqueue(refusal({ category: 'cyber' }), contextWindowExceeded(), pauseTurn());
        const first = await client.messages.stream(params()).finalMessage();
        expect(first.stop_reason).toBe('refusal');
        expect(first.stop_details).toMatchObject({ type: 'refusal', category: 'cyber' });
        expect((await client.messages.create(params())).stop_reason).toBe('model_context_window_exceeded');
        expect((await client.messages.stream(params()).finalMessage()).stop_reason).toBe('pause_turn');
    });
});

describe('non-streaming turns', () => {
    it('answers a JSON Message with usage and a request id', async () => {
        server.enqueue(textTurn('All done.'));
        const message = await client.messages.create(params());
        expect(message.content).toEqual([{ type: 'text', text: 'All done.', citations: null }]);
        expect(message.model).toBe('claude-sonnet-4-6');
        expect(message._request_id).toMatch(/^req_/);
    });

    it('answers scripted turns first in, first out', async () => {
        server.enqueue(textTurn('one'), textTurn('two'));
        const texts = [];
        for (let i = 0; i < 2; i++) texts.push((await client.messages.create(params())).content[0]);
        expect(texts.map((block) => (block?.type === 'text' ? block.text : ''))).toEqual(['one', 'two']);
        expect(server.pending()).toBe(0);
    });

    it('lets a responder react to the tool results it was sent', async () => {
        server.setResponder((request) => {
            const [result] = toolResultsOf(request);
            if (result === undefined) return toolUseTurn([{ name: 'list_notes', input: {} }]);
            return textTurn(`I saw ${result.text}.`);
        });
        const first = await client.messages.create(params());
        const call = first.content.find((block) => block.type === 'tool_use');
        expect(call?.name).toBe('list_notes');
        const second = await client.messages.create({
            ...params(),
            messages: [
                { role: 'user', content: 'Summarise my week.' },
                { role: 'assistant', content: first.content },
                { role: 'user', content: [{ type: 'tool_result', tool_use_id: call?.id ?? '', content: 'a.md' }] },
            ],
        });
        expect(second.content[0]).toMatchObject({ text: 'I saw a.md.' });
    });

    it('names the problem when nothing is scripted', async () => {
        const error = await client.messages.create(params()).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InternalServerError);
        expect((error as APIError).message).toContain('no scripted response');
    });

    it('delays the answer by the scripted latency', async () => {
        server.enqueue(textTurn('slow', { latencyMs: 150 }));
        const started = Date.now();
        await client.messages.create(params());
        expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });
});

describe('other endpoints', () => {
    it('counts tokens, lists models page by page and runs a batch through to its results', async () => {
        const counted = await client.messages.countTokens({ model: 'claude-sonnet-4-6', messages: params().messages });
        expect(counted.input_tokens).toBeGreaterThan(0);

        const ids: string[] = [];
        for await (const model of client.models.list({ limit: 2 })) ids.push(model.id);
        expect(ids).toHaveLength(3);
        expect(server.countOf('/v1/models')).toBe(2);

        server.enqueue(textTurn('batched answer'), overloaded());
        const created = await client.messages.batches.create({
            requests: [
                { custom_id: 'a', params: params('first') },
                { custom_id: 'b', params: params('second') },
            ],
        });
        expect(created.processing_status).toBe('in_progress');
        expect((await client.messages.batches.retrieve(created.id)).processing_status).toBe('in_progress');
        expect((await client.messages.batches.retrieve(created.id)).processing_status).toBe('ended');
        const results = [];
        for await (const result of await client.messages.batches.results(created.id)) results.push(result);
        expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([
            ['a', 'succeeded'],
            ['b', 'errored'],
        ]);
    });

    it('cancels a batch so its requests end as canceled', async () => {
        server.enqueue(textTurn('never delivered'));
        const created = await client.messages.batches.create({ requests: [{ custom_id: 'x', params: params() }] });
        expect((await client.messages.batches.cancel(created.id)).processing_status).toBe('canceling');
        const ended = await client.messages.batches.retrieve(created.id);
        expect(ended.request_counts.canceled).toBe(1);
    });
});

describe('recording', () => {
    it('records method, path, lowercased headers, parsed and raw bodies, and the key for canary scans', async () => {
        server.enqueue(textTurn('ok'));
        await client.messages.create(params('canary-7f3a in the prompt'));
        const [recorded] = server.messageRequests();
        expect(recorded?.method).toBe('POST');
        expect(recorded?.headers.authorization).toBe('Bearer sk-test-local');
        expect(recorded?.anthropicVersion).toBeTruthy();
        expect(recorded?.body).toMatchObject({ model: 'claude-sonnet-4-6', messages: [{ role: 'user' }] });
        expect(recorded?.rawBody).toContain('canary-7f3a');
        expect(server.allRequestText()).toContain('canary-7f3a');
        expect(server.allRequestText()).toContain('sk-test-local');
        expect(server.countOf('/v1/messages', 'POST')).toBe(1);
    });

    it('reports cache reads on a second request that repeats the cached prefix byte for byte', async () => {
        const system = [
            { type: 'text' as const, text: 'Vault rules. '.repeat(400), cache_control: { type: 'ephemeral' as const } },
        ];
        server.enqueue(textTurn('first'), textTurn('second'), textTurn('third'));
        const first = await client.messages.create({ ...params(), system });
        expect(first.usage.cache_creation_input_tokens).toBeGreaterThan(1000);
        expect(first.usage.cache_read_input_tokens).toBe(0);
        const second = await client.messages.create({ ...params('Another question.'), system });
        expect(second.usage.cache_read_input_tokens).toBe(first.usage.cache_creation_input_tokens);
        expect(second.usage.cache_creation_input_tokens).toBe(0);
        const changed = [{ ...system[0]!, text: 'Other rules. '.repeat(400) }];
        const third = await client.messages.create({ ...params(), system: changed });
        expect(third.usage.cache_read_input_tokens).toBe(0);
    });
});
