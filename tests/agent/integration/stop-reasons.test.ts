/** docs/RELIABILITY.md row 27 through the loop: every stop reason, with scripted model turns and a real temp vault. */
import { afterEach, describe, expect, it } from 'vitest';
import {
    contextWindowExceeded,
    maxTokensInText,
    maxTokensInToolUse,
    pauseTurn,
    refusal,
    textTurn,
    toolResultsOf,
    toolUseTurn,
} from '../../support/messages-api-server';
import { makeEngine, messagesOf, type Engine } from './engine-harness';

let engine: Engine;

afterEach(async () => {
    await engine.cleanup();
});

describe('the turn loop on each stop reason', () => {
    it('ends the turn on end_turn with the streamed text', async () => {
        engine = await makeEngine();
        engine.server.enqueue(textTurn('Hello from the vault.'));
        const result = await engine.session.send('Hi');
        expect(result).toMatchObject({ outcome: 'done', text: 'Hello from the vault.', truncated: false });
        expect(
            engine.events
                .filter((e) => e.type === 'text')
                .map((e) => (e.type === 'text' ? e.delta : ''))
                .join(''),
        ).toBe('Hello from the vault.');
        expect(engine.events.at(-1)).toMatchObject({ type: 'stop', result: { outcome: 'done' } });
    });

    it('runs the tool calls of a tool_use response in order, sends their results, and continues', async () => {
        engine = await makeEngine({ files: { 'Plan.md': '# Plan\n\nShip it.\n' } });
        engine.server.enqueue(
            toolUseTurn([
                { name: 'list_notes', input: {} },
                { name: 'read_note', input: { path: 'Plan.md' } },
            ]),
            textTurn('The plan is to ship it.'),
        );
        const result = await engine.session.send('What is the plan?');
        expect(result.outcome).toBe('done');
        expect(result.toolCalls.map((call) => call.name)).toEqual(['list_notes', 'read_note']);
        const results = toolResultsOf(engine.server.messageRequests()[1]!);
        expect(results).toHaveLength(2);
        expect(results[0]!.text).toContain('Plan.md');
        expect(results[1]!.text).toContain('Ship it.');
        const kinds = engine.events.map((e) => e.type).filter((t) => t.startsWith('tool'));
        expect(kinds).toEqual([
            'tool-proposed',
            'tool-proposed',
            'tool-running',
            'tool-done',
            'tool-running',
            'tool-done',
        ]);
    });

    it('keeps text cut by max_tokens and flags the turn truncated', async () => {
        engine = await makeEngine();
        engine.server.enqueue(maxTokensInText('The summary so far covers'));
        const result = await engine.session.send('Summarise');
        expect(result).toMatchObject({ outcome: 'truncated', truncated: true, text: 'The summary so far covers' });
    });

    it('never runs a tool call cut off by max_tokens, and leaves it out of the history', async () => {
        engine = await makeEngine({ mode: 'auto-edits' });
        engine.server.enqueue(
            maxTokensInToolUse({ call: { name: 'create_note', input: { path: 'New.md', content: 'x'.repeat(80) } } }),
        );
        engine.server.enqueue(textTurn('ok'));
        const result = await engine.session.send('Write a note');
        expect(result).toMatchObject({ outcome: 'truncated', truncated: true });
        expect(result.toolCalls).toEqual([]);
        expect(engine.temp.exists('New.md')).toBe(false);
        expect(engine.approvals.requests).toHaveLength(0);

        await engine.session.send('Go on');
        const history = JSON.stringify(messagesOf(engine.server, 1));
        expect(history).not.toContain('tool_use');
        expect(history).toContain('I will write the note now.');
    });

    it('takes a refused exchange out of the history so the next request does not carry it', async () => {
        engine = await makeEngine();
        engine.server.enqueue(textTurn('First answer.'), refusal({ text: 'I can’t help with' }), textTurn('Sure.'));
        await engine.session.send('First question');
        const refused = await engine.session.send('A question the model refuses');
        expect(refused.outcome).toBe('refused');
        expect(refused.message).toMatch(/declined/);
        await engine.session.send('Another question');
        const sent = JSON.stringify(messagesOf(engine.server, 2));
        expect(sent).toContain('First question');
        expect(sent).not.toContain('A question the model refuses');
        expect(sent).not.toContain('I can’t help with');
    });

    it('stops with a clear "context full" result on model_context_window_exceeded', async () => {
        engine = await makeEngine();
        engine.server.enqueue(contextWindowExceeded({ text: 'Partial' }));
        const result = await engine.session.send('Read everything');
        expect(result.outcome).toBe('context-full');
        expect(result.message).toMatch(/context window/);
    });

    it('offers a compaction seam that lets the turn go on when it made room', async () => {
        let asked = 0;
        engine = await makeEngine({
            session: {
                onContextFull: () => {
                    asked++;
                    return Promise.resolve(true);
                },
            },
        });
        engine.server.enqueue(contextWindowExceeded(), textTurn('Fits now.'));
        const result = await engine.session.send('Read everything');
        expect(asked).toBe(1);
        expect(result).toMatchObject({ outcome: 'done', text: 'Fits now.' });
    });

    it('continues after pause_turn by sending the assistant content back', async () => {
        engine = await makeEngine();
        engine.server.enqueue(pauseTurn({ text: 'Still working.' }), textTurn(' Finished.'));
        const result = await engine.session.send('Long task');
        expect(result.outcome).toBe('done');
        const second = messagesOf(engine.server, 1);
        expect(second.at(-1)?.role).toBe('assistant');
        expect(JSON.stringify(second.at(-1))).toContain('Still working.');
    });
});
