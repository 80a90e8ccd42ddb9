/**
 * Waits on the model endpoint are bounded and announced, through the built `dist/cli.js` (a child process, the real
 * SDK) against the local Messages-API server misbehaving as endpoints do: a 429 asking for an hour, a response that
 * trickles one chunk at a time forever, a stream that stalls after its headers, an SSE `error` event midway, and an
 * endpoint that reports no usage. The caps are the production ones scaled down through the CLI's environment
 * variables, so each case takes seconds, not minutes.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
    rateLimited,
    stall,
    startMessagesApiServer,
    streamError,
    textTurn,
    trickle,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome, type CliRun } from './cli-harness';

const SETTINGS = {
    version: 2,
    model: { defaultModel: 'claude-sonnet-5-5', baseUrl: '', maxOutputTokens: 1000 },
    privacy: { excludedTags: ['private'], excludedFolders: [] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};

/** Small caps: 2 s longest retry-after, 6 s per request with retries, 2 s stall, 3 s per response, notices at 0.5 s. */
const SMALL_CAPS = {
    VAULT_AGENT_MAX_RETRY_AFTER_S: '2',
    VAULT_AGENT_RETRY_BUDGET_S: '6',
    VAULT_AGENT_STALL_S: '2',
    VAULT_AGENT_RESPONSE_DEADLINE_S: '3',
    VAULT_AGENT_SILENCE_NOTICE_S: '0.5',
};

let server: MessagesApiServer;
let temp: TempVault;
let home: CliHome;

async function cli(args: string[], extra: Record<string, string> = {}): Promise<CliRun & { ms: number }> {
    const started = performance.now();
    const run = await runCli([args[0] ?? '', '--vault', temp.root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL, ...SMALL_CAPS, ...extra },
        home: home.dir,
        timeoutMs: 60_000,
    });
    return { ...run, ms: performance.now() - started };
}

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    temp = await makeTempVault({
        'Plan.md': '# Plan\nShip it.\n',
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify(SETTINGS),
    });
    home = await makeCliHome();
}, 60_000);

afterEach(() => {
    server.setDefault(undefined);
    server.setResponder(undefined);
    expect(server.pending()).toBe(0);
});

afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
    await home?.cleanup();
});

describe('vault-agent ask: bounded waits', () => {
    it('gives up at once on a 429 asking to wait an hour, saying when to try again', async () => {
        const before = server.messageRequests().length;
        server.enqueue(rateLimited({ retryAfter: 3600 }));
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(1);
        expect(run.ms).toBeLessThan(15_000);
        expect(run.stderr).toMatch(
            /asked to wait 60 min, longer than the 2 s Vault Agent waits; try again after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/u,
        );
        expect(server.messageRequests().length - before).toBe(1);
    }, 60_000);

    it('waits out a short retry-after, saying so with the attempt, then answers', async () => {
        server.enqueue(rateLimited({ retryAfter: 1 }), textTurn('The plan is to ship it.'));
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('The plan is to ship it.');
        expect(run.stderr).toMatch(/rate-limiting requests right now; retrying in \d s \(attempt 2 of 4\)/u);
    }, 60_000);

    it('cuts off a response that trickles one chunk at a time at the whole-response deadline', async () => {
        const before = server.messageRequests().length;
        server.enqueue(trickle({ intervalMs: 200 }));
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(1);
        expect(run.ms).toBeLessThan(15_000);
        expect(run.stderr).toContain('was still sending the response after 3 s, the longest one response may take');
        // A trickle would trickle as long again: not retried.
        expect(server.messageRequests().length - before).toBe(1);
    }, 60_000);

    it('abandons a stalled stream, says so while it waits, and gives up within the retry budget', async () => {
        server.setDefault(stall({ after: 'headers', turn: textTurn('Never sent.') }));
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(1);
        expect(run.ms).toBeLessThan(20_000);
        expect(run.stderr).toMatch(/No data from 127\.0\.0\.1:\d+ for 1 s; it counts as stalled after 2 s\./u);
        expect(run.stderr).toMatch(/sent nothing for 2 s; the response stalled; retrying in \d s \(attempt 2 of 4\)/u);
        expect(run.stderr).toMatch(
            /gave up after \d attempts in \d+ s \(the most one request may take with its retries is 6 s\)/u,
        );
    }, 60_000);

    it('retries an SSE error event and keeps the upstream message', async () => {
        server.enqueue(
            streamError({
                errorType: 'overloaded_error',
                message: 'Upstream provider overloaded, try later',
                turn: textTurn('Half an answer that is cut off.'),
                after: 'text',
            }),
            textTurn('The plan is to ship it.'),
        );
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('The plan is to ship it.');
        expect(run.stderr).toMatch(
            /stopped the response midway \(overloaded_error\): Upstream provider overloaded, try later; retrying in \d s \(attempt 2 of 4\)/u,
        );
        expect(run.stderr).not.toContain('unknown_error');
    }, 60_000);

    it.each([
        ['an error without a type', '{"type":"error","error":{"message":"Upstream provider overloaded"}}'],
        ['an error given as a string', '{"error":"Upstream provider overloaded"}'],
        ['plain text', 'Upstream provider overloaded'],
    ])(
        'retries an SSE error event from a gateway (%s) and keeps its message',
        async (_, rawData) => {
            server.enqueue(
                streamError({ rawData, turn: textTurn('Half an answer that is cut off.'), after: 'text' }),
                textTurn('The plan is to ship it.'),
            );
            const run = await cli(['ask', 'What is the plan?']);
            expect(run.code).toBe(0);
            expect(run.stdout).toContain('The plan is to ship it.');
            expect(run.stderr).toMatch(/stopped the response midway: Upstream provider overloaded; retrying in \d s/u);
            expect(run.stderr).not.toContain('unknown_error');
        },
        60_000,
    );

    it('ends on an SSE error the endpoint calls final, with its message, without retrying', async () => {
        const before = server.messageRequests().length;
        server.enqueue(
            streamError({
                errorType: 'invalid_request_error',
                message: 'Bad tool schema upstream',
                after: 'message_start',
            }),
        );
        const run = await cli(['ask', 'What is the plan?']);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('(invalid_request_error): Bad tool schema upstream');
        expect(server.messageRequests().length - before).toBe(1);
    }, 60_000);
});

describe('vault-agent run: a job told to wait an hour', () => {
    it('is queued again with its retry time in the job note, and a later run does not send it early', async () => {
        const enqueued = await cli(['enqueue', 'Brief number 7: summarise the plan.']);
        expect(enqueued.code).toBe(0);
        const path = enqueued.stdout.trim();
        const before = server.messageRequests().length;
        server.enqueue(rateLimited({ retryAfter: 3600 }));
        const run = await cli(['run']);
        expect(run.ms).toBeLessThan(20_000);
        expect(server.messageRequests().length - before).toBe(1);
        const note = temp.readRaw(path).toString();
        expect(note).toContain('status: interrupted');
        const at = /retry-at: "?(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"?/u.exec(note)?.[1] ?? '';
        expect(Date.parse(at) - Date.now()).toBeGreaterThan(3_500_000);
        expect(note).toContain(`Queued again: retry at ${at}.`);
        expect(note).toContain('asked to wait 60 min');

        // Before that time, a new run leaves it waiting and sends nothing.
        const again = await cli(['run']);
        expect(again.ms).toBeLessThan(20_000);
        expect(server.messageRequests().length - before).toBe(1);
        expect(temp.readRaw(path).toString()).toContain('status: interrupted');
    }, 90_000);
});

describe('usage an endpoint does not report', () => {
    it('estimates it from the text, says so in the job log, and the daily spend cap holds', async () => {
        const capped = { ...SETTINGS, spend: { dailyCapUsd: 0.05, compactAtShare: 0.8 } };
        const vault = await makeTempVault({
            'Plan.md': '# Plan\nShip it.\n',
            '.obsidian/plugins/vault-agent/data.json': JSON.stringify(capped),
        });
        const ownHome = await makeCliHome();
        try {
            // 40,000 characters, about 10,000 output tokens ($0.10 at $10 per million): over the $0.05 cap once counted.
            const long = `${'The plan is to ship it. '.repeat(1_667)}`.slice(0, 40_000);
            server.setDefault(textTurn(long, { usage: { input_tokens: 0, output_tokens: 0 } }));
            const env = { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL, ...SMALL_CAPS };
            for (const n of [1, 2]) {
                const enqueued = await runCli(['enqueue', '--vault', vault.root, `Brief number ${n}`], {
                    env,
                    home: ownHome.dir,
                });
                expect(enqueued.code).toBe(0);
            }
            const before = server.messageRequests().length;
            const run = await runCli(['run', '--vault', vault.root], { env, home: ownHome.dir, timeoutMs: 60_000 });
            // One job ran; its estimated cost crossed the cap, so the second was never sent.
            expect(server.messageRequests().length - before).toBe(1);
            expect(run.code).toBe(1);
            const jobs = nodePath.join(vault.root, 'Agent/Jobs');
            const notes = await Promise.all(
                readdirSync(jobs).map((name) => readFile(nodePath.join(jobs, name), 'utf8')),
            );
            const done = notes.find((note) => note.includes('status: done'));
            const paused = notes.find((note) => note.includes('status: interrupted'));
            expect(done).toMatch(/\(estimated: the endpoint reported no usage\)/u);
            expect(done).toContain(
                'reported no token usage for a response with content; tokens and cost are estimated',
            );
            expect(done).toMatch(/usage:[\s\S]*output: 10000/u);
            // The cap counted the estimate: about $0.10 of today's $0.05 was already used.
            expect(paused).toMatch(/Paused: Stopped at today’s spend cap of \$0\.0500\. Nothing was sent/u);
            expect(paused).toMatch(/\$0\.1\d{3} of today’s \$0\.0500 spend cap is already used/u);
            expect(run.stderr).toContain('the queue stopped');
        } finally {
            await vault.cleanup();
            await ownHome.cleanup();
        }
    }, 90_000);
});
