/**
 * Issue 9's "done when": a scripted 200-turn conversation against the local Messages API never sends a request above
 * the configured window, keeps every change record after compaction, and keeps the cached prefix byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUMMARY_INSTRUCTION } from '../../../src/agent/compaction/compactor';
import type { CompactionNotice } from '../../../src/agent/compaction/context-manager';
import type { TurnResult } from '../../../src/agent/loop/turn-events';
import { countPromptTokens } from '../../support/messages-api/prompt-cache';
import {
    lastUserText,
    textTurn,
    toolUseTurn,
    type RecordedRequest,
    type ScriptedResponse,
} from '../../support/messages-api-server';
import { makeEngine, type Engine } from './engine-harness';

const WINDOW = 24_000;
const TURNS = 200;

/** The model: answers at length, creates a note every 5th turn, reads one every 7th, summarises when asked. */
export function scriptedModel(request: RecordedRequest): ScriptedResponse {
    const last = lastUserText(request);
    if (last.includes(SUMMARY_INSTRUCTION.slice(0, 40))) {
        return textTurn('Decisions so far: keep notes short. Open question: which folder for reviews.');
    }
    if (isToolResult(request)) return textTurn('Done with that step.');
    const turn = Number(/Turn (\d+)/.exec(last)?.[1] ?? '0');
    if (turn % 5 === 0) {
        return toolUseTurn([
            { name: 'create_note', input: { path: `Notes/Change ${turn}.md`, content: `# ${turn}\n` } },
        ]);
    }
    if (turn % 7 === 0) return toolUseTurn([{ name: 'read_note', input: { path: 'Seed.md' } }]);
    return textTurn(`Answer to turn ${turn}: ${'a considered reply with some detail. '.repeat(12)}`);
}

function isToolResult(request: RecordedRequest): boolean {
    const messages = (request.body as { messages: { role: string; content: { type: string }[] }[] }).messages;
    const last = messages.at(-1);
    return last?.role === 'user' && last.content.some((block) => block.type === 'tool_result');
}

function isSummaryRequest(request: RecordedRequest): boolean {
    return lastUserText(request).includes(SUMMARY_INSTRUCTION.slice(0, 40));
}

describe('a 200-turn conversation', () => {
    let engine: Engine;
    const results: TurnResult[] = [];
    const notices: CompactionNotice[] = [];

    beforeAll(async () => {
        engine = await makeEngine({
            mode: 'auto-edits',
            files: { 'Seed.md': '# Seed\nThe seed note.\n' },
            session: { compaction: { windowTokens: WINDOW, threshold: 0.6, maxSummaryTokens: 600 } },
        });
        engine.server.setResponder(scriptedModel);
        engine.session.subscribe((event) => {
            if (event.type === 'compacted') notices.push(event.notice);
        });
        for (let turn = 1; turn <= TURNS; turn++) {
            results.push(await engine.session.send(`Turn ${turn}: please go on with the work.`));
        }
    }, 120_000);

    afterAll(async () => {
        await engine.cleanup();
    });

    it('finishes every turn', () => {
        expect(results.filter((result) => result.outcome !== 'done').map((r) => r.message)).toEqual([]);
    });

    it('compacted more than once, each time at or above the threshold', () => {
        expect(notices.length).toBeGreaterThan(1);
        for (const notice of notices) {
            expect(notice.reason).toBe('threshold');
            expect(notice.tokensAfter).toBeLessThan(notice.tokensBefore);
        }
    });

    it('never sends a request above the configured window', () => {
        const requests = engine.server.messageRequests();
        expect(requests.length).toBeGreaterThan(TURNS);
        for (const request of requests) {
            const body = request.body as Record<string, unknown> & { max_tokens: number };
            expect(countPromptTokens(body) + body.max_tokens).toBeLessThanOrEqual(WINDOW);
        }
    });

    it('keeps every change record after compaction: the last request lists all 40 created notes', () => {
        expect(engine.session.changes()).toHaveLength(TURNS / 5);
        const requests = engine.server.messageRequests().filter((request) => !isSummaryRequest(request));
        const lastText = requests.at(-1)!.rawBody;
        for (let turn = 5; turn <= TURNS; turn += 5) expect(lastText).toContain(`Notes/Change ${turn}.md`);
        for (let turn = 5; turn <= TURNS; turn += 5) expect(engine.temp.exists(`Notes/Change ${turn}.md`)).toBe(true);
    });

    it('keeps every change in every request after it was made', () => {
        const turnRequests = engine.server.messageRequests().filter((request) => !isSummaryRequest(request));
        for (const request of turnRequests) {
            const turn = Number(/Turn (\d+)/.exec(lastUserText(request))?.[1] ?? '0');
            if (turn === 0) continue;
            for (let made = 5; made < turn; made += 5) expect(request.rawBody).toContain(`Notes/Change ${made}.md`);
        }
    });

    it('keeps the cached prefix byte-identical on every request, summarising ones included', () => {
        const prefixOf = (request: RecordedRequest): string => {
            const { system, tools } = request.body as { system: unknown; tools: unknown };
            return JSON.stringify([system, tools]);
        };
        const requests = engine.server.messageRequests();
        expect(requests.some(isSummaryRequest)).toBe(true);
        for (const request of requests) expect(prefixOf(request)).toBe(prefixOf(requests[0]!));
    });

    it('shows the context meter under the threshold after the run', () => {
        const meter = engine.session.contextMeter();
        expect(meter.windowTokens).toBe(WINDOW);
        expect(meter.usedTokens).toBeLessThan(meter.thresholdTokens);
    });
});
