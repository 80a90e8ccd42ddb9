/**
 * `vault-agent ask --mode ask` the way a person uses it: the built `dist/cli.js` runs in a real pseudo-terminal
 * (`script` from util-linux gives it a pty for stdin, stdout and stderr), the test reads what the terminal shows and
 * types the answer when the question appears, as a person would: `y`, `n` or Ctrl-C. The model is the local
 * Messages-API server; the change is judged on disk. Also an MCP tool call approved with `y` (the real
 * `@modelcontextprotocol/server-everything`, allowed with `mcp-allow` first). Row: terminal approvals.
 */
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    httpError,
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, type CliHome, makeCliHome, REPO, runCli, runInTerminal, type TerminalRun } from './cli-harness';

const EVERYTHING = nodePath.join(REPO, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

let server: MessagesApiServer;
let home: CliHome;
let temp: TempVault;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault({
        'Plan.md': '# Plan\n\nShip it.\n',
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
            mcp: {
                servers: [
                    {
                        name: 'everything',
                        enabled: true,
                        transport: 'stdio',
                        command: process.execPath,
                        args: [EVERYTHING, 'stdio'],
                        env: {},
                        toolPolicies: {},
                        readOnlyTools: [],
                        readsVault: false,
                    },
                ],
            },
        }),
    });
}, 60_000);

afterAll(async () => {
    await server.close();
    await home.cleanup();
    await temp.cleanup();
});

/** Runs `vault-agent ask` in a pseudo-terminal, answering `question` with `answers` (see `runInTerminal`). */
function askInTerminal(args: string[], question: RegExp, answers: string[]): Promise<TerminalRun> {
    return runInTerminal(['ask', '--vault', temp.root, ...args], {
        home: home.dir,
        question,
        answers,
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
    });
}

const CHANGE_PROMPT = /Apply this change\? \[y\/N\]/g;

describe('vault-agent ask in a real terminal', () => {
    it('applies a change the person approves with "y"', async () => {
        server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Approved.md', content: 'made with a yes\n' } }]),
            textTurn('Created it.'),
        );
        const run = await askInTerminal(['--mode', 'ask', 'Create a note'], CHANGE_PROMPT, ['y\r']);
        expect(run.screen).toContain('Proposed create: Approved.md');
        expect(run.screen).toContain('Created it.');
        expect(run.code).toBe(0);
        expect(temp.exists('Approved.md')).toBe(true);
        expect(temp.readRaw('Approved.md').toString()).toBe('made with a yes\n');
        const result = JSON.stringify(toolResultsOf(server.messageRequests().at(-1)!));
        expect(result).not.toMatch(/said no|stopped|refused/);
    }, 60_000);

    it('applies nothing when the person answers "n", and the model is told', async () => {
        server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Refused.md', content: 'made with a no\n' } }]),
            textTurn('Fine, I did not create it.'),
        );
        const run = await askInTerminal(['--mode', 'ask', 'Create a note'], CHANGE_PROMPT, ['n\r']);
        expect(run.screen).toContain('Proposed create: Refused.md');
        expect(run.screen).toContain('Fine, I did not create it.');
        expect(temp.exists('Refused.md')).toBe(false);
        expect(JSON.stringify(toolResultsOf(server.messageRequests().at(-1)!))).toContain('the person said no');
    }, 60_000);

    it('asks about each change in turn: "y" to the first applies it, "n" to the second does not', async () => {
        server.enqueue(
            toolUseTurn([
                { name: 'create_note', input: { path: 'First.md', content: 'first\n' } },
                { name: 'create_note', input: { path: 'Second.md', content: 'second\n' } },
            ]),
            textTurn('One of two.'),
        );
        const run = await askInTerminal(['--mode', 'ask', 'Create two notes'], CHANGE_PROMPT, ['y\r', 'n\r']);
        expect(run.screen.split(CHANGE_PROMPT).length - 1).toBe(2);
        expect(run.code).toBe(0);
        expect(temp.exists('First.md')).toBe(true);
        expect(temp.exists('Second.md')).toBe(false);
    }, 60_000);

    it('stops the turn on Ctrl-C at the question, applies nothing and sends nothing more', async () => {
        server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Stopped.md', content: 'made with Ctrl-C\n' } }]),
        );
        const before = server.messageRequests().length;
        const started = Date.now();
        const run = await askInTerminal(['--mode', 'ask', 'Create a note'], CHANGE_PROMPT, ['\x03']);
        expect(run.screen).toContain('Proposed create: Stopped.md');
        expect(run.code).not.toBe(0);
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(temp.exists('Stopped.md')).toBe(false);
        expect(server.messageRequests().length - before).toBe(1);
    }, 60_000);

    it('runs an MCP tool call the person approves with "y", and its result reaches the model', async () => {
        expect((await runCli(['mcp-allow', '--vault', temp.root, 'everything'], { home: home.dir })).code).toBe(0);
        server.enqueue(
            toolUseTurn([{ name: 'mcp__everything__echo', input: { message: 'approved in the terminal' } }]),
            textTurn('The echo came back.'),
        );
        const run = await askInTerminal(['--mode', 'ask', 'Echo something'], /Run this tool\? \[y\/N\]/g, ['y\r']);
        expect(run.screen).toContain('MCP tool call: mcp__everything__echo (server "everything")');
        expect(run.screen).toContain('The echo came back.');
        expect(run.code).toBe(0);
        expect(JSON.stringify(toolResultsOf(server.messageRequests().at(-1)!))).toContain(
            'Echo: approved in the terminal',
        );
    }, 90_000);

    it("shows the model's answer and the endpoint's error message inert: no control sequence reaches the terminal", async () => {
        const ESC = '\u001b';
        const BEL = '\u0007';
        server.enqueue(
            textTurn(
                `Here ${ESC}]52;c;cm0gLXJmIH4=${BEL}is ${ESC}[2J${ESC}[1;1Hthe ${ESC}]8;;https://example.invalid/${ESC}\\answer${ESC}]8;;${ESC}\\.\r\nDone${'\u009b'}31m.`,
            ),
        );
        const answered = await askInTerminal(['--mode', 'ask', 'Answer me'], /never asked/g, []);
        server.enqueue(httpError(400, 'invalid_request_error', `Bad${ESC}]0;window title${BEL} request`));
        const failed = await askInTerminal(['--mode', 'ask', 'Answer me'], /never asked/g, []);
        expect(answered.code).toBe(0);
        expect(failed.code).not.toBe(0);
        for (const run of [answered, failed]) {
            // The clipboard (OSC 52), the title, a link, clearing the screen and moving the cursor: all shown, none done.
            expect(run.screen).not.toContain(ESC);
            expect(run.screen).not.toContain(BEL);
            expect(run.screen).not.toContain('\u009b');
        }
        expect(answered.screen).toContain('Here \uFFFD]52;c;cm0gLXJmIH4=\uFFFDis \uFFFD[2J\uFFFD[1;1Hthe');
        // A line break the model wrote as CR LF is still a line break.
        expect(answered.screen).toMatch(/answer\uFFFD\]8;;\uFFFD\\\.\r?\nDone\uFFFD31m\./u);
        expect(failed.screen).toContain('Bad\uFFFD]0;window title\uFFFD request');
    }, 60_000);
});
