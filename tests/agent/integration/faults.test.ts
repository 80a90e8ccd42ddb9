/**
 * docs/RELIABILITY.md rows 24, 25, 26 and 28 through the loop: rate limits and the shared throttle, spend caps, errors
 * mid-stream and after a partial tool call, stalls and the idle watchdog, Stop, and classified HTTP errors.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ApprovalGate } from '../../../src/agent/changes/approval';
import { Throttle } from '../../../src/agent/loop/throttle';
import { AuthError, RateLimited, ServerError, SpendCap, TooLarge } from '../../../src/agent/model-errors';
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
    toolUseTurn,
    workspaceSpendLimit,
} from '../../support/messages-api-server';
import { FakeClock, makeEngine, TEST_KEY, type Engine } from './engine-harness';

let engine: Engine;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
    await engine.cleanup();
    for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('rate limits and spend caps (row 24)', () => {
    it('waits out retry-after through the throttle, with a countdown, then succeeds', async () => {
        const clock = new FakeClock();
        engine = await makeEngine({ throttle: new Throttle({ clock }), session: { clock } });
        engine.server.enqueue(rateLimited({ retryAfter: 3 }), textTurn('After the wait.'));
        const result = await engine.session.send('Hi');
        expect(result).toMatchObject({ outcome: 'done', text: 'After the wait.' });
        expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3000);
        const retry = engine.events.find((e) => e.type === 'retry');
        expect(retry).toMatchObject({ type: 'retry', delayMs: 3000, attempt: 1 });
        expect(retry?.type === 'retry' && retry.error).toBeInstanceOf(RateLimited);
        const countdown = engine.events.flatMap((e) => (e.type === 'waiting' ? [e.remainingMs] : []));
        expect(countdown).toEqual([3000, 2000, 1000]);
    });

    it('makes a second session wait too: one 429 pauses every session sharing the throttle', async () => {
        const throttle = new Throttle();
        engine = await makeEngine({ throttle });
        const other = engine.another();
        const otherEvents: string[] = [];
        other.subscribe((event) => otherEvents.push(event.type));
        engine.server.enqueue(rateLimited({ retryAfter: 1 }), textTurn('one'), textTurn('two'));
        const first = engine.session.send('first');
        await waitFor(() => engine.events.some((e) => e.type === 'retry'));
        const limitedAt = engine.server.messageRequests()[0]!.time;
        const second = other.send('second');
        const results = await Promise.all([first, second]);
        expect(results.map((r) => r.outcome)).toEqual(['done', 'done']);
        const later = engine.server.messageRequests().slice(1);
        expect(later).toHaveLength(2);
        // Neither session sent again before the endpoint's retry-after had passed.
        for (const request of later) expect(request.time - limitedAt).toBeGreaterThanOrEqual(950);
        expect(otherEvents).toContain('waiting');
    });

    it('never retries a spend cap and says so clearly', async () => {
        engine = await makeEngine();
        engine.server.enqueue(spendCap());
        const result = await engine.session.send('Hi');
        expect(result.outcome).toBe('failed');
        expect(result.error).toBeInstanceOf(SpendCap);
        expect(result.message).toMatch(/spend or credit limit/);
        expect(engine.server.messageRequests()).toHaveLength(1);
        expect(engine.events.some((e) => e.type === 'retry')).toBe(false);
    });

    it('never retries a workspace spend limit (400)', async () => {
        engine = await makeEngine();
        engine.server.enqueue(workspaceSpendLimit());
        const result = await engine.session.send('Hi');
        expect(result.error).toBeInstanceOf(SpendCap);
        expect(engine.server.messageRequests()).toHaveLength(1);
    });
});

describe('errors mid-stream (row 25)', () => {
    it('backs off and retries a 529, then answers', async () => {
        engine = await makeEngine();
        engine.server.enqueue(overloaded(), overloaded(), textTurn('Finally.'));
        const result = await engine.session.send('Hi');
        expect(result).toMatchObject({ outcome: 'done', text: 'Finally.', modelCalls: 3 });
        expect(engine.events.filter((e) => e.type === 'retry')).toHaveLength(2);
    });

    it('keeps partial text and marks the turn interrupted when retries run out', async () => {
        engine = await makeEngine({ session: { retry: { maxAttempts: 2, random: () => 0 } } });
        engine.server.enqueue(streamError({ after: 'text' }), streamError({ after: 'text' }));
        const result = await engine.session.send('Draft a note');
        expect(result.outcome).toBe('interrupted');
        expect(result.interrupted).toBe(true);
        expect(result.text.length).toBeGreaterThan(0);
        expect('Let me draft that note for you right away.'.startsWith(result.text)).toBe(true);
        expect(engine.events.some((e) => e.type === 'error')).toBe(true);
    });

    it('never runs a tool call that was cut by an error mid-stream', async () => {
        engine = await makeEngine({ mode: 'auto-edits', session: { retry: { maxAttempts: 1 } } });
        engine.server.enqueue(streamError({ after: 'partial-tool' }));
        const result = await engine.session.send('Draft a note');
        expect(result.outcome).toBe('interrupted');
        expect(result.toolCalls).toEqual([]);
        expect(engine.temp.exists('Agent/Outputs/Draft.md')).toBe(false);
        expect(engine.approvals.requests).toHaveLength(0);
    });

    it('re-asks the model after an error following a partial tool call, and runs only the complete call', async () => {
        engine = await makeEngine({ mode: 'auto-edits' });
        engine.server.enqueue(
            streamError({ after: 'partial-tool' }),
            toolUseTurn([{ name: 'create_note', input: { path: 'Out.md', content: 'Done.' } }]),
            textTurn('Created.'),
        );
        const result = await engine.session.send('Draft a note');
        expect(result.outcome).toBe('done');
        expect(result.toolCalls.map((c) => c.name)).toEqual(['create_note']);
        expect(engine.temp.readRaw('Out.md').toString()).toBe('Done.');
        expect(engine.temp.exists('Agent/Outputs/Draft.md')).toBe(false);
    });

    it('retries a connection reset mid-stream', async () => {
        engine = await makeEngine();
        engine.server.enqueue(reset({ after: 'text' }), textTurn('Recovered.'));
        const result = await engine.session.send('Hi');
        expect(result).toMatchObject({ outcome: 'done', text: 'Recovered.' });
    });
});

describe('stalls and Stop (row 26)', () => {
    it('aborts a stalled stream with the idle watchdog and retries it', async () => {
        engine = await makeEngine({ session: { retry: { random: () => 0, waits: { idleTimeoutMs: 200 } } } });
        engine.server.enqueue(stall({ after: 'message_start' }), textTurn('Back.'));
        const started = Date.now();
        const result = await engine.session.send('Hi');
        expect(result).toMatchObject({ outcome: 'done', text: 'Back.' });
        expect(Date.now() - started).toBeLessThan(3000);
        const retry = engine.events.find((e) => e.type === 'retry');
        expect(retry?.type === 'retry' && retry.error.summary).toMatch(/stalled/);
    });

    it('reports a stall that never ends as a stall, after bounded retries', async () => {
        engine = await makeEngine({
            session: { retry: { maxAttempts: 2, random: () => 0, waits: { idleTimeoutMs: 150 } } },
        });
        engine.server.enqueue(stall({ after: 'text' }), stall({ after: 'text' }));
        const result = await engine.session.send('Hi');
        expect(result.outcome).toBe('interrupted');
        expect(result.message).toMatch(/stalled/);
    });

    it('stops within a second mid-stream', async () => {
        engine = await makeEngine({ session: { retry: { random: () => 0, waits: { idleTimeoutMs: 60_000 } } } });
        engine.server.enqueue(stall({ after: 'text' }));
        const turn = engine.session.send('Hi');
        await waitFor(() => engine.events.some((e) => e.type === 'text'));
        const pressed = Date.now();
        engine.session.stop();
        const result = await turn;
        expect(Date.now() - pressed).toBeLessThan(1000);
        expect(result.outcome).toBe('stopped');
        expect(result.text.length).toBeGreaterThan(0);
    });

    it('stops within a second while waiting for a retry delay', async () => {
        engine = await makeEngine({ session: { retry: { baseDelayMs: 30_000, random: () => 0.99 } } });
        engine.server.enqueue(overloaded());
        const turn = engine.session.send('Hi');
        await waitFor(() => engine.events.some((e) => e.type === 'retry'));
        const pressed = Date.now();
        engine.session.stop();
        const result = await turn;
        expect(Date.now() - pressed).toBeLessThan(1000);
        expect(result.outcome).toBe('stopped');
    });

    it('stops within a second while an approval is pending, and nothing is written', async () => {
        const never: ApprovalGate = { request: () => new Promise(() => undefined) };
        engine = await makeEngine({ approvals: never, files: { 'Plan.md': 'old\n' } });
        engine.server.enqueue(toolUseTurn([{ name: 'create_note', input: { path: 'New.md', content: 'new' } }]));
        const turn = engine.session.send('Write it');
        await waitFor(() => engine.events.some((e) => e.type === 'tool-running'));
        const pressed = Date.now();
        engine.session.stop();
        const result = await turn;
        expect(Date.now() - pressed).toBeLessThan(1000);
        expect(result.outcome).toBe('stopped');
        expect(result.toolCalls[0]?.result).toBeNull();
        expect(engine.temp.exists('New.md')).toBe(false);

        // The history stays valid: the unanswered call got a result, so the next turn's request is accepted.
        engine.server.enqueue(textTurn('OK.'));
        expect((await engine.session.send('Never mind')).outcome).toBe('done');
    });
});

describe('classified errors (row 28)', () => {
    it.each([
        [401, 'authentication_error', AuthError, /API key was rejected/],
        [403, 'permission_error', AuthError, /not allowed/],
        [413, 'request_too_large', TooLarge, /too large/],
    ])('does not retry %i and gives a human message with the request id', async (status, type, kind, text) => {
        engine = await makeEngine();
        engine.server.enqueue(httpError(status, type, 'nope'));
        const result = await engine.session.send('Hi');
        expect(result.error).toBeInstanceOf(kind);
        expect(result.message).toMatch(text);
        expect(result.message).toMatch(/\(request req_/);
        expect(engine.server.messageRequests()).toHaveLength(1);
    });

    it.each([500, 504])('retries %i with backoff, then reports it', async (status) => {
        engine = await makeEngine({ session: { retry: { maxAttempts: 2, random: () => 0 } } });
        engine.server.enqueue(httpError(status, 'api_error', 'boom'), httpError(status, 'api_error', 'boom'));
        const result = await engine.session.send('Hi');
        expect(result.error).toBeInstanceOf(ServerError);
        expect(result.outcome).toBe('failed');
        expect(engine.server.messageRequests()).toHaveLength(2);
    });

    it('reports an unreachable endpoint as offline', async () => {
        const dead = await startMessagesApiServer({ apiKey: TEST_KEY });
        await dead.close();
        engine = await makeEngine({ server: dead, session: { retry: { maxAttempts: 1 } } });
        const result = await engine.session.send('Hi');
        expect(result.error?.name).toBe('Offline');
        expect(result.message).toMatch(/Nothing answers at .*is the server running\?/);
    });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > until) throw new Error('condition not met in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}
