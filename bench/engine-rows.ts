/**
 * Engine rows: the share of input tokens served from the prompt cache over a scripted chat, and the turn loop's own
 * overhead per streamed turn. Both run the real loop and the real SDK against the local Messages-API server.
 */
import { AgentSession } from '../src/agent/agent-session';
import { CheckpointStore } from '../src/agent/changes/checkpoints';
import { Throttle } from '../src/agent/loop/throttle';
import type { UsageTotals } from '../src/agent/loop/turn-events';
import { DEFAULT_MODEL } from '../src/kernel/default-model';
import { createModelClient, type ModelClient } from '../src/agent/model-client';
import { ExclusionGate } from '../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../src/kernel/settings';
import {
    startMessagesApiServer,
    textTurn,
    toolUseTurn,
    type MessagesApiServer,
} from '../tests/support/messages-api-server';
import { makeTempVault, type TempVault } from '../tests/support/temp-vault';
import { median, type BenchResult, type BenchRow } from './bench-row';

const MODEL = DEFAULT_MODEL;
const CHAT_TURNS = 10;
/** About 20k tokens of vault instructions at the 4-characters-per-token estimate the server uses. */
const CONTEXT_CHARS = 80_000;

interface Rig {
    server: MessagesApiServer;
    temp: TempVault;
    client: ModelClient;
    session(instructions?: string): AgentSession;
    close(): Promise<void>;
}

async function rig(files: Record<string, string>): Promise<Rig> {
    const server = await startMessagesApiServer();
    const temp = await makeTempVault(files);
    const client = await createModelClient({
        secrets: { get: () => Promise.resolve(server.apiKey) },
        settings: { ...DEFAULT_SETTINGS.model, baseUrl: server.baseURL },
    });
    const gate = new ExclusionGate({ vault: temp.vault, privacy: DEFAULT_SETTINGS.privacy });
    const checkpoints = new CheckpointStore({
        vault: temp.vault,
        persistence: { load: () => Promise.resolve(null), save: () => Promise.resolve() },
    });
    const throttle = new Throttle();
    return {
        server,
        temp,
        client,
        session: (instructions = '') =>
            new AgentSession({
                client,
                vault: temp.vault,
                gate,
                mode: 'read-only',
                approvals: { request: () => Promise.resolve({ kind: 'deny' }) },
                checkpoints,
                throttle,
                model: MODEL,
                maxOutputTokens: 1024,
                instructions,
                budget: { maxModelCalls: 1_000 },
            }),
        close: async () => {
            await server.close();
            await temp.cleanup();
        },
    };
}

/** Share of input tokens read from the cache, turns 3–10 of a 10-turn chat over a ~20k-token context. */
export const cacheShareRow: BenchRow = {
    name: 'prompt cache: cached share of input, turns 3+',
    async run(): Promise<BenchResult> {
        const files: Record<string, string> = {};
        for (let i = 1; i <= CHAT_TURNS; i++)
            files[`Notes/Note ${i}.md`] = `# Note ${i}\n\n${'Some thoughts. '.repeat(200)}\n`;
        const r = await rig(files);
        try {
            const paragraph = 'The vault keeps meeting notes, project plans and reading notes. ';
            const session = r.session(paragraph.repeat(Math.ceil(CONTEXT_CHARS / paragraph.length)));
            const perTurn: UsageTotals[] = [];
            for (let turn = 1; turn <= CHAT_TURNS; turn++) {
                r.server.enqueue(
                    toolUseTurn([{ name: 'read_note', input: { path: `Notes/Note ${turn}.md` } }]),
                    textTurn(`Note ${turn} is about some thoughts.`),
                );
                perTurn.push((await session.send(`What is in note ${turn}?`)).usage);
            }
            const later = perTurn.slice(2);
            const read = later.reduce((sum, u) => sum + u.cacheReadTokens, 0);
            const all = later.reduce((sum, u) => sum + u.cacheReadTokens + u.cacheWriteTokens + u.inputTokens, 0);
            const share = (100 * read) / all;
            return {
                value: share,
                unit: '%',
                target: '≥ 85%',
                pass: share >= 85,
                note:
                    `${CHAT_TURNS} turns, each a read_note call and an answer; ~${Math.round(CONTEXT_CHARS / 4 / 1000)}k-token ` +
                    'prefix; cache simulated by the local server (prefix hashes, 20-block lookback), tokens ≈ chars/4',
            };
        } finally {
            await r.close();
        }
    },
};

/** The loop's own time per streamed turn: a session turn minus a bare SDK stream of the same answer. */
export const loopOverheadRow: BenchRow = {
    name: 'turn loop overhead per streamed turn',
    async run(context): Promise<BenchResult> {
        const turns = context.quick ? 100 : 300;
        const r = await rig({});
        try {
            r.server.setDefault(textTurn('A short answer of a few words.'));
            const bare: number[] = [];
            const looped: number[] = [];
            const params = {
                model: MODEL,
                max_tokens: 1024,
                messages: [{ role: 'user' as const, content: 'Hi' }],
            };
            for (let i = 0; i < turns + 20; i++) {
                let started = performance.now();
                await r.client.stream(params).done();
                const bareMs = performance.now() - started;
                // A fresh session per turn keeps the history (and the request) the same size as the bare call's.
                const session = r.session();
                started = performance.now();
                await session.send('Hi');
                const loopMs = performance.now() - started;
                // The first rounds warm up the JIT and the HTTP agent.
                if (i >= 20) {
                    bare.push(bareMs);
                    looped.push(loopMs);
                }
            }
            const overhead = median(looped) - median(bare);
            return {
                value: overhead,
                unit: 'ms',
                target: '< 5 ms',
                pass: overhead < 5,
                note:
                    `median of ${turns} turns against a zero-latency local server: loop ${median(looped).toFixed(2)} ms, ` +
                    `bare SDK stream ${median(bare).toFixed(2)} ms (the loop also sends the tool definitions and system prompt)`,
            };
        } finally {
            await r.close();
        }
    },
};
