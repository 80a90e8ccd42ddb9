/**
 * Server-side compaction where the endpoint supports it (issue 9): the turn requests ask the endpoint to compact, no
 * summarising request of our own is sent, the endpoint's compaction block is carried back unchanged, our facts block
 * (every change, every note read) follows it, and the stable prefix stays byte-identical. A custom endpoint without
 * the feature gets our own summarising call, exactly as before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FACTS_HEADING } from '../../../src/agent/compaction/compact-record';
import { SUMMARY_INSTRUCTION } from '../../../src/agent/compaction/compactor';
import type { CompactionNotice } from '../../../src/agent/compaction/context-manager';
import { createModelClient, type ModelClient } from '../../../src/agent/model-client';
import { DEFAULT_SETTINGS } from '../../../src/kernel/settings';
import {
    COMPACTION_BETA,
    lastUserText,
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type MessagesApiServer,
    type RecordedRequest,
} from '../../support/messages-api-server';
import { makeEngine, TEST_KEY, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;
let server: MessagesApiServer | undefined;

afterEach(async () => {
    await engine?.cleanup();
    await server?.close();
    engine = undefined;
    server = undefined;
});

/** About 22,500 tokens as the server counts (characters / 4). */
const BIG = 'Field notes from the archive, copied out in full for the agent. '.repeat(1_400);
/** Threshold 60,000 tokens: above the API's minimum trigger, reached on the third big message. */
const COMPACTION = { windowTokens: 100_000, threshold: 0.6 };

const isOwnSummary = (request: RecordedRequest): boolean =>
    lastUserText(request).includes(SUMMARY_INSTRUCTION.slice(0, 40));
const bodyOf = (request: RecordedRequest): Record<string, unknown> => request.body as Record<string, unknown>;
const prefixOf = (request: RecordedRequest): string => JSON.stringify([bodyOf(request).system, bodyOf(request).tools]);

type Endpoint = 'anthropic' | 'custom';

async function start(endpoint: Endpoint, options: { serverHasIt: boolean; configured?: boolean }): Promise<Engine> {
    server = await startMessagesApiServer({ apiKey: TEST_KEY, serverCompaction: options.serverHasIt });
    const local = server;
    // Anthropic's own endpoint (no base URL), answered by the local server.
    const toLocal: typeof fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        return fetch(`${local.baseURL}${url.pathname}${url.search}`, init);
    };
    const client: ModelClient = await createModelClient({
        secrets: { get: () => Promise.resolve(local.apiKey) },
        settings: { ...DEFAULT_SETTINGS.model, baseUrl: endpoint === 'anthropic' ? '' : local.baseURL },
        ...(endpoint === 'anthropic' ? { fetchImpl: toLocal } : {}),
        ...(options.configured !== undefined ? { serverCompaction: options.configured } : {}),
    });
    return makeEngine({
        server: local,
        mode: 'auto-edits',
        files: { 'A.md': 'alpha\n' },
        session: { client, compaction: COMPACTION },
    });
}

/** Three big messages and a change; the third crosses the threshold. */
async function longChat(made: Engine): Promise<CompactionNotice[]> {
    const notices: CompactionNotice[] = [];
    made.session.subscribe((event) => {
        if (event.type === 'compacted') notices.push(event.notice);
    });
    made.server.enqueue(
        toolUseTurn([{ name: 'create_note', input: { path: 'Plans/Q3 plan.md', content: '# Q3\n' } }]),
        textTurn('Created the plan.'),
        textTurn('Noted.'),
    );
    made.server.setResponder((request) =>
        textTurn(isOwnSummary(request) ? 'Our own summary: the person is planning Q3.' : 'Noted again.'),
    );
    await made.session.send(`Make a Q3 plan from these notes:\n${BIG}`);
    await made.session.send(`More notes:\n${BIG}`);
    await made.session.send(`Even more notes:\n${BIG}`);
    return notices;
}

describe('server-side compaction on an endpoint that supports it', () => {
    it('sends no summarising request of its own and carries the compaction block back unchanged', async () => {
        engine = await start('anthropic', { serverHasIt: true });
        const notices = await longChat(engine);
        const result = await engine.session.send('Go on');
        expect(result.outcome).toBe('done');

        const requests = engine.server.messageRequests();
        expect(requests.filter(isOwnSummary)).toHaveLength(0);
        for (const request of requests) {
            expect(request.headers['anthropic-beta']).toContain(COMPACTION_BETA);
            expect(bodyOf(request).context_management).toEqual({
                edits: [{ type: 'compact_20260112', trigger: { type: 'input_tokens', value: 60_000 } }],
            });
        }
        const compacted = requests.filter((request) => request.serverCompaction !== undefined);
        expect(compacted).toHaveLength(1);
        const summary = compacted[0]!.serverCompaction!.summary;
        expect(notices).toEqual([expect.objectContaining({ method: 'server', reason: 'threshold', changesKept: 1 })]);

        const last = requests.at(-1)!;
        const messages = bodyOf(last).messages as { role: string; content: Record<string, unknown>[] }[];
        const at = messages.findIndex((m) => m.content.some((block) => block.type === 'compaction'));
        expect(at).toBeGreaterThan(0);
        const block = messages[at]!.content.find((b) => b.type === 'compaction');
        expect(block).toEqual({ type: 'compaction', content: summary, encrypted_content: null });
        // Our facts follow the compaction (the endpoint drops what comes before it), with every change.
        const after = JSON.stringify(messages.slice(at + 1));
        expect(after).toContain(RECORD_FACTS_HEADING);
        expect(after).toContain('create Plans/Q3 plan.md');
        for (const request of requests) expect(prefixOf(request)).toBe(prefixOf(requests[0]!));
    });

    it('keeps the facts block where it was first sent, so the cached history never changes', async () => {
        engine = await start('anthropic', { serverHasIt: true });
        await longChat(engine);
        await engine.session.send('Go on');
        await engine.session.send('And then?');
        const [previous, last] = engine.server.messageRequests().slice(-2).map(bodyOf);
        const sent = (previous!.messages as unknown[]).slice(0, -1).map((m) => JSON.stringify(m));
        const resent = (last!.messages as unknown[]).slice(0, sent.length).map((m) => JSON.stringify(m));
        // The breakpoint moves, so compare without cache_control.
        const plain = (text: string): string => text.replace(/,"cache_control":\{"type":"ephemeral"\}/g, '');
        expect(resent.map(plain)).toEqual(sent.map(plain));
        expect(JSON.stringify(last!.messages).split(RECORD_FACTS_HEADING)).toHaveLength(2);
    });
});

describe('/compact after the endpoint compacted', () => {
    it('turns the endpoint’s summary into our record before its own summarising call, which carries no compaction block', async () => {
        engine = await start('anthropic', { serverHasIt: true });
        await longChat(engine);
        await engine.session.send('Go on');
        await engine.session.send('And then?');
        engine.server.enqueue(textTurn('Our own summary of the server summary.'), textTurn('Sure.'));
        const notice = await engine.session.compact();
        expect(notice).toMatchObject({ reason: 'requested', method: 'summary', changesKept: 1 });
        await engine.session.send('Go on');
        const requests = engine.server.messageRequests();
        const ownSummary = requests.filter(isOwnSummary);
        expect(ownSummary).toHaveLength(1);
        expect(ownSummary[0]!.rawBody).not.toContain('"type":"compaction"');
        expect(ownSummary[0]!.rawBody).toContain('Server summary of');
        const last = requests.at(-1)!;
        expect(last.rawBody).not.toContain('"type":"compaction"');
        expect(last.rawBody).toContain('Our own summary of the server summary.');
        expect(last.rawBody.split(RECORD_FACTS_HEADING)).toHaveLength(2);
        expect(last.rawBody).toContain('create Plans/Q3 plan.md');
    });
});

describe('an endpoint without server-side compaction', () => {
    it('runs our own summarising call on a custom endpoint, and sends no compaction field or beta', async () => {
        engine = await start('custom', { serverHasIt: false });
        const notices = await longChat(engine);
        const requests = engine.server.messageRequests();
        expect(requests.filter(isOwnSummary)).toHaveLength(1);
        expect(notices).toEqual([expect.objectContaining({ method: 'summary', reason: 'threshold' })]);
        for (const request of requests) {
            expect(bodyOf(request).context_management).toBeUndefined();
            expect(request.headers['anthropic-beta'] ?? '').not.toContain(COMPACTION_BETA);
        }
        expect(requests.at(-1)!.rawBody).toContain('create Plans/Q3 plan.md');
    });

    it('falls back to our own call when an endpoint configured for it rejects the field', async () => {
        engine = await start('custom', { serverHasIt: false, configured: true });
        const notices = await longChat(engine);
        expect(engine.client.capabilities.has('serverCompaction')).toBe(false);
        const requests = engine.server.messageRequests();
        expect(requests.filter(isOwnSummary)).toHaveLength(1);
        expect(notices.map((notice) => notice.method)).toEqual(['summary']);
        expect(requests.at(-1)!.rawBody).toContain('create Plans/Q3 plan.md');
    });
});
