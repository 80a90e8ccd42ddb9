/**
 * Compaction on request (`/compact`) and in the hard case (docs/RELIABILITY.md row 27: `model_context_window_exceeded`
 * → context compacted with notice, then the turn is retried once), and where the history may be cut.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RECORD_FACTS_HEADING } from '../../../src/agent/compaction/compact-record';
import { planCompaction, SUMMARY_INSTRUCTION } from '../../../src/agent/compaction/compactor';
import type { CompactionNotice } from '../../../src/agent/compaction/context-manager';
import type { HistoryMessage } from '../../../src/agent/loop/conversation';
import {
    contextWindowExceeded,
    lastUserText,
    textTurn,
    toolUseTurn,
    type RecordedRequest,
} from '../../support/messages-api-server';
import { makeEngine, type Engine } from '../integration/engine-harness';

let engine: Engine | undefined;

afterEach(async () => {
    await engine?.cleanup();
    engine = undefined;
});

const isSummary = (request: RecordedRequest): boolean =>
    lastUserText(request).includes(SUMMARY_INSTRUCTION.slice(0, 40));
const LONG = 'A long answer with plenty of words in it. '.repeat(40);

async function chatWithChanges(): Promise<{ engine: Engine; notices: CompactionNotice[] }> {
    const made = await makeEngine({ mode: 'auto-edits', files: { 'A.md': 'alpha\n' } });
    const notices: CompactionNotice[] = [];
    made.session.subscribe((event) => {
        if (event.type === 'compacted') notices.push(event.notice);
    });
    made.server.enqueue(
        toolUseTurn([{ name: 'read_note', input: { path: 'A.md' } }]),
        toolUseTurn([{ name: 'create_note', input: { path: 'Plans/Q3 plan.md', content: '# Q3\n' } }]),
        textTurn(LONG),
        textTurn(LONG),
        textTurn(LONG),
    );
    await made.session.send('Read A and write a plan');
    await made.session.send('Tell me more');
    await made.session.send('And more');
    return { engine: made, notices };
}

describe('/compact', () => {
    it('replaces older turns with a record that lists every change and note read, and says so', async () => {
        const chat = await chatWithChanges();
        engine = chat.engine;
        engine.server.enqueue(textTurn('The person is planning Q3; open question: budget.'), textTurn('Sure.'));
        const notice = await engine.session.compact();
        expect(notice).toMatchObject({ reason: 'requested', method: 'summary', changesKept: 1, notesKept: 1 });
        expect(chat.notices).toHaveLength(1);
        await engine.session.send('Go on');
        const requests = engine.server.messageRequests();
        const after = requests.at(-1)!;
        expect(isSummary(requests.at(-2)!)).toBe(true);
        expect(after.rawBody).toContain('open question: budget');
        expect(after.rawBody).toContain(RECORD_FACTS_HEADING);
        expect(after.rawBody).toContain('create Plans/Q3 plan.md');
        expect(after.rawBody).toContain('- A.md');
        expect(after.rawBody.length).toBeLessThan(requests.at(-3)!.rawBody.length);
        const prefix = (r: RecordedRequest): string =>
            JSON.stringify([(r.body as { system: unknown }).system, (r.body as { tools: unknown }).tools]);
        for (const request of requests) expect(prefix(request)).toBe(prefix(requests[0]!));
    });

    it('does nothing when there is too little to compact', async () => {
        engine = await makeEngine();
        engine.server.enqueue(textTurn('Hi.'));
        await engine.session.send('Hello');
        expect(await engine.session.compact()).toBeNull();
        expect(engine.server.messageRequests()).toHaveLength(1);
    });
});

describe('a full context window (row 27)', () => {
    it('compacts with a notice and retries the turn once', async () => {
        const chat = await chatWithChanges();
        engine = chat.engine;
        engine.server.enqueue(contextWindowExceeded(), textTurn('Summary of the plan work.'), textTurn('Fits now.'));
        const result = await engine.session.send('One more thing');
        expect(result).toMatchObject({ outcome: 'done', text: 'Fits now.' });
        expect(chat.notices.map((n) => n.reason)).toEqual(['context-full']);
        expect(engine.server.messageRequests().at(-1)!.rawBody).toContain('create Plans/Q3 plan.md');
    });

    it('stops with context-full when the window is still full after one compaction', async () => {
        const chat = await chatWithChanges();
        engine = chat.engine;
        engine.server.enqueue(contextWindowExceeded(), textTurn('Summary.'), contextWindowExceeded());
        const result = await engine.session.send('One more thing');
        expect(result.outcome).toBe('context-full');
        expect(engine.server.messageRequests().filter(isSummary)).toHaveLength(1);
    });

    it('never sends a request that cannot fit the configured window', async () => {
        engine = await makeEngine({ session: { compaction: { windowTokens: 2_000 } } });
        const result = await engine.session.send('Hello');
        expect(result.outcome).toBe('context-full');
        expect(engine.server.messageRequests()).toHaveLength(0);
    });
});

describe('where the history is cut', () => {
    const text = (t: string) => ({ type: 'text' as const, text: t });
    const history: HistoryMessage[] = [
        { role: 'user', content: [text('first question')] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'read_note', input: { path: 'A.md' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'x'.repeat(4000) }] },
        { role: 'assistant', content: [text('answer')] },
        { role: 'user', content: [text('second question')] },
    ];

    it('keeps every tool_result with its tool_use and starts the kept part with an assistant message', () => {
        for (const keep of [0, 50, 2000, 100_000]) {
            const plan = planCompaction(history, keep);
            if (plan === null) continue;
            expect(plan.kept[0]?.role ?? 'assistant').toBe('assistant');
            expect(plan.older.at(-1)?.role).toBe('user');
            const keptIds = plan.kept.flatMap((m) => m.content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : [])));
            const keptResults = plan.kept.flatMap((m) =>
                m.content.flatMap((b) => (b.type === 'tool_result' ? [b.tool_use_id] : [])),
            );
            for (const id of keptResults) expect(keptIds).toContain(id);
        }
    });
});
