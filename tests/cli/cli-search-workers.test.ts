/**
 * `search_notes` in the CLI's own agent turns (`vault-agent ask` and `vault-agent run`) searches in the search workers,
 * as `vault-agent mcp` does (decision 0024): the built `dist/cli.js` in a child process, the local Messages API
 * scripting a model that calls the tool, on a real temp vault whose matching notes sort past the first `HERE_FIRST`
 * ones (which the serving thread searches itself). `VAULT_AGENT_DEBUG=search` says what the workers did.
 *
 * The same calls through a copy of the build without the workers' program (the fallback: every search on the serving
 * thread) must give the model exactly the same results, exclusions included, and both commands end by themselves.
 */
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERE_FIRST } from '../../src/agent/tools/search-tools';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
    type ToolCall,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, CLI, makeCliHome, runCli, type CliHome, type CliRun } from './cli-harness';
import { SEARCH_FIXTURE_NOTES } from '../support/search-fixture';

const CANARY = `WORKERS${Math.random().toString(36).slice(2)}CANARY`;

const SETTINGS = JSON.stringify({
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
});

/** Notes that exercise every way a line can match: plain, inside links, line endings, a BOM, a two-letter lowercase. */
const FILES: Record<string, string> = {
    'Secret.md': `#private\nThe meeting notes nobody may see, ${CANARY}.\n`,
    'Journal/Day.md': `A meeting in the excluded folder, ${CANARY}.\n`,
    ...SEARCH_FIXTURE_NOTES,
    'Late.md': `---\ntags: [private]\n---\nA meeting in a note private by its frontmatter, ${CANARY}.\n`,
};

/** The searches the model makes, each in its own call. */
const SEARCHES: ToolCall[] = [
    { name: 'search_notes', input: { query: 'meeting' } },
    { name: 'search_notes', input: { query: 'meeting', limit: 2, offset: 2 } },
    { name: 'search_notes', input: { query: 'secret' } },
    { name: 'search_notes', input: { query: 'meeting notes' } },
    { name: 'search_notes', input: { query: 'nowhere at all' } },
    { name: 'search_notes', input: { query: CANARY.toLowerCase() } },
];

let server: MessagesApiServer;
let home: CliHome;
let temp: TempVault;
/** A copy of the build without `text-scan-worker.js`. */
let withoutWorkers: string;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    const files: Record<string, string> = { '.obsidian/plugins/vault-agent/data.json': SETTINGS, ...FILES };
    // Notes without a match that sort first: the serving thread searches the first HERE_FIRST notes itself.
    for (let i = 0; i < HERE_FIRST; i++) files[`0 filler/${String(i).padStart(5, '0')}.md`] = `filler ${i}\n`;
    temp = await makeTempVault(files);
    withoutWorkers = mkdtempSync(nodePath.join(os.tmpdir(), 'vault-agent-no-workers-'));
    copyFileSync(CLI, nodePath.join(withoutWorkers, 'cli.js'));
    cpSync(nodePath.join(nodePath.dirname(CLI), 'chunks'), nodePath.join(withoutWorkers, 'chunks'), {
        recursive: true,
    });
    writeFileSync(nodePath.join(withoutWorkers, 'package.json'), '{ "type": "module" }\n');
}, 120_000);

afterAll(async () => {
    await server.close();
    await home.cleanup();
    await temp.cleanup();
    rmSync(withoutWorkers, { recursive: true, force: true });
});

/** The environment of every run: the local API, and the search trace. */
function env(): Record<string, string> {
    return { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL, VAULT_AGENT_DEBUG: 'search' };
}

/** Runs `ask` (with the given build) while the model makes `SEARCHES`; the tool results it read back, in order. */
async function askSearching(cli: string): Promise<{ run: CliRun; results: string[] }> {
    server.enqueue(toolUseTurn(SEARCHES), textTurn('Done.'));
    const before = server.messageRequests().length;
    const run = await runCli(['ask', '--vault', temp.root, 'Find the meetings.'], {
        env: env(),
        home: home.dir,
        cli,
        timeoutMs: 30_000,
    });
    const requests = server.messageRequests().slice(before);
    expect(requests).toHaveLength(2);
    const results = toolResultsOf(requests[1] as (typeof requests)[number]);
    expect(results.every((result) => !result.isError)).toBe(true);
    return { run, results: results.map((result) => result.text) };
}

describe('search_notes in the search workers of vault-agent ask and run', () => {
    let served: string[];

    it('ask searches in the worker threads and ends by itself', async () => {
        const { run, results } = await askSearching(CLI);
        // Ended by itself (a run still alive at the timeout is killed, and has no exit code).
        expect(run.code).toBe(0);
        const traced = run.stderr.match(/search workers: \d+ of \d+ notes searched in \d worker threads/gu) ?? [];
        // Every search of the whole vault went past the first notes into the workers.
        expect(traced.length).toBe(SEARCHES.length);
        expect(run.stderr).not.toMatch(/a worker failed|no program at/u);
        expect(results.join('\n')).toContain('Plain.md:2: The weekly meeting.');
        served = results;
    }, 60_000);

    it('gives the model exactly what the serving thread alone gives, exclusions included', async () => {
        const { run, results } = await askSearching(nodePath.join(withoutWorkers, 'cli.js'));
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(
            /search workers: no program at .*text-scan-worker\.js; searches run on the serving thread/u,
        );
        expect(run.stderr).not.toMatch(/notes searched in \d worker threads/u);
        expect(served).toEqual(results);
        const all = results.join('\n');
        expect(all).not.toContain(CANARY);
        expect(all).not.toContain('Secret.md');
        expect(all).not.toContain('Journal/');
        expect(all).not.toContain('Late.md');
        // A link to the private note is redacted, and a match only inside it does not count.
        expect(all).toContain('[[hidden note]]');
        expect(all).not.toContain('[[Secret');
    }, 60_000);

    it('run: a job searches in the worker threads and the run ends by itself', async () => {
        const queued = await runCli(['enqueue', '--vault', temp.root, 'Summarize the week.'], {
            env: env(),
            home: home.dir,
        });
        expect(queued.code).toBe(0);
        server.enqueue(toolUseTurn([SEARCHES[0] as ToolCall]), textTurn('Meetings listed.'));
        const before = server.messageRequests().length;
        const run = await runCli(['run', '--vault', temp.root], { env: env(), home: home.dir, timeoutMs: 30_000 });
        expect(run.code).toBe(0);
        expect(run.stderr).toMatch(/search workers: \d+ of \d+ notes searched in \d worker threads/u);
        const requests = server.messageRequests().slice(before);
        const results = requests.flatMap((request) => toolResultsOf(request)).map((result) => result.text);
        expect(results).toEqual([served[0]]);
    }, 60_000);
});
