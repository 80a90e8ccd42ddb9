/**
 * Compaction rows: a scripted 200-turn conversation (a note created every 5th turn, one read every 7th, long answers
 * otherwise) through the real session, loop and SDK against the local Messages-API server, with a 24k-token window
 * and compaction at 60%. Measures whether input tokens per turn stay flat, and how much of the input is read from the
 * prompt cache once compaction has happened.
 */
import { AgentSession } from '../src/agent/agent-session';
import { CheckpointStore } from '../src/agent/changes/checkpoints';
import { SUMMARY_INSTRUCTION } from '../src/agent/compaction/compactor';
import { Throttle } from '../src/agent/loop/throttle';
import { emptyUsage, addUsage, type UsageTotals } from '../src/agent/loop/turn-events';
import { DEFAULT_MODEL } from '../src/kernel/default-model';
import { createModelClient } from '../src/agent/model-client';
import { ExclusionGate } from '../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import {
    lastUserText,
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type RecordedRequest,
    type ScriptedResponse,
} from '../tests/support/messages-api-server';
import { countPromptTokens } from '../tests/support/messages-api/prompt-cache';
import { makeTempVault } from '../tests/support/temp-vault';
import { median, type BenchResult, type BenchRow } from './bench-row';

const WINDOW = 24_000;
const THRESHOLD = 0.6;

/** What one run of the long conversation measured. */
interface LongRun {
    /** Prompt tokens of each turn's first request, in turn order. */
    perTurn: number[];
    /** Compactions that happened. */
    compactions: number;
    /** Usage of turn requests after the first compaction. */
    afterCompaction: UsageTotals;
}

let cached: Promise<LongRun> | null = null;

/** Runs the conversation once; both rows read the same run. */
function longRun(turns: number): Promise<LongRun> {
    cached ??= runConversation(turns);
    return cached;
}

async function runConversation(turns: number): Promise<LongRun> {
    const server = await startMessagesApiServer({ responder: scriptedModel });
    const temp = await makeTempVault({ 'Seed.md': '# Seed\nThe seed note.\n' });
    try {
        const client = await createModelClient({
            secrets: { get: () => Promise.resolve(server.apiKey) },
            settings: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
        });
        const session = new AgentSession({
            client,
            vault: temp.vault,
            gate: new ExclusionGate({ vault: temp.vault, privacy: DEFAULT_SETTINGS.privacy }),
            mode: 'auto-edits',
            approvals: { request: () => Promise.resolve({ kind: 'deny' }) },
            checkpoints: new CheckpointStore({
                vault: temp.vault,
                persistence: { load: () => Promise.resolve(null), save: () => Promise.resolve() },
            }),
            throttle: new Throttle(),
            model: DEFAULT_MODEL,
            maxOutputTokens: 1024,
            compaction: { windowTokens: WINDOW, threshold: THRESHOLD, maxSummaryTokens: 600 },
        });
        let compactions = 0;
        let afterCompaction = emptyUsage();
        session.subscribe((event) => {
            if (event.type === 'compacted') compactions++;
            else if (event.type === 'usage' && compactions > 0) afterCompaction = addUsage(afterCompaction, event.call);
        });
        for (let turn = 1; turn <= turns; turn++) await session.send(`Turn ${turn}: please go on with the work.`);
        const perTurn: number[] = [];
        let seen = 0;
        for (const request of server.messageRequests()) {
            const turn = Number(/^Turn (\d+)/.exec(lastUserText(request))?.[1] ?? '0');
            if (turn <= seen || isSummary(request)) continue;
            seen = turn;
            perTurn.push(countPromptTokens(request.body as Record<string, unknown>));
        }
        return { perTurn, compactions, afterCompaction };
    } finally {
        await server.close();
        await temp.cleanup();
    }
}

function scriptedModel(request: RecordedRequest): ScriptedResponse {
    if (isSummary(request)) return textTurn('Decisions so far: keep notes short. Open question: review folder.');
    const messages = (request.body as { messages: { role: string; content: { type: string }[] }[] }).messages;
    if (messages.at(-1)?.content.some((block) => block.type === 'tool_result') === true) return textTurn('Done.');
    const turn = Number(/Turn (\d+)/.exec(lastUserText(request))?.[1] ?? '0');
    if (turn % 5 === 0) {
        return toolUseTurn([
            { name: 'create_note', input: { path: `Notes/Change ${turn}.md`, content: `# ${turn}\n` } },
        ]);
    }
    if (turn % 7 === 0) return toolUseTurn([{ name: 'read_note', input: { path: 'Seed.md' } }]);
    return textTurn(`Answer to turn ${turn}: ${'a considered reply with some detail. '.repeat(12)}`);
}

function isSummary(request: RecordedRequest): boolean {
    return lastUserText(request).includes(SUMMARY_INSTRUCTION.slice(0, 40));
}

/** Input tokens per turn: the median over the last quarter against the threshold; growth between quarters. */
export const compactionInputRow: BenchRow = {
    name: 'compaction: input tokens/turn (200 turns)',
    async run(): Promise<BenchResult> {
        const run = await longRun(200);
        const quarter = Math.floor(run.perTurn.length / 4);
        const second = median(run.perTurn.slice(quarter, 2 * quarter));
        const last = median(run.perTurn.slice(3 * quarter));
        const max = Math.max(...run.perTurn);
        const growth = last / second;
        return {
            value: Math.round(last),
            unit: 'tokens',
            target: `flat (last ÷ second quarter ≤ 1.2), max ≤ ${WINDOW * THRESHOLD}`,
            pass: growth <= 1.2 && max <= WINDOW * THRESHOLD,
            note:
                `median of the last 50 turns; second quarter ${Math.round(second)}, growth ×${growth.toFixed(2)}, ` +
                `max ${max}, ${run.compactions} compactions; window ${WINDOW}, threshold ${THRESHOLD * 100}%; ` +
                'token counts are the local server’s (characters ÷ 4)',
        };
    },
};

/** Share of turn-request input read from the prompt cache after the first compaction. */
export const compactionCacheRow: BenchRow = {
    name: 'compaction: cache-read share after',
    async run(): Promise<BenchResult> {
        const run = await longRun(200);
        const usage = run.afterCompaction;
        const input = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
        const share = input === 0 ? 0 : (100 * usage.cacheReadTokens) / input;
        return {
            value: Math.round(share * 10) / 10,
            unit: '%',
            target: '≥ 80%',
            pass: share >= 80,
            note:
                'turn requests after the first compaction (summarising requests not counted); simulated cache ' +
                'with the API’s 20-block lookback and no minimum size',
        };
    },
};
