/**
 * `vault-agent run` follows the vault's settings file while it works, as the plugin follows its settings: a folder
 * excluded in Obsidian while a queue runs is never sent by a job that starts after, nor in the next request of a job
 * already running; settings that break pause the queue with the reason said, until they are fixed. The built
 * `dist/cli.js` in a child process, against the local Messages API, on a real folder whose settings file the test
 * rewrites as Obsidian would.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderJobNote } from '../../src/delegate/job-spec';
import { startMessagesApiServer, textTurn, toolUseTurn, type MessagesApiServer } from '../support/messages-api-server';
import type { TempVault } from '../support/temp-vault';
import { buildCli, type CliHome, perTest, runCli } from './cli-harness';

const SETTINGS_FILE = '.obsidian/plugins/vault-agent/data.json';
const SECRET = `diary-${Math.random().toString(36).slice(2)}`;

function settingsExcluding(folders: string[]): string {
    return JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: folders } });
}

const made = perTest();
let server: MessagesApiServer | null = null;

beforeAll(async () => {
    await buildCli();
}, 60_000);

afterEach(async () => {
    await server?.close();
    server = null;
});

async function setUp(): Promise<{ server: MessagesApiServer; temp: TempVault; home: CliHome }> {
    server = await startMessagesApiServer();
    const temp = await made.vault({
        [SETTINGS_FILE]: settingsExcluding([]),
        'Journal/Day.md': `Dear diary, ${SECRET}.\n`,
        'Ideas.md': '# Ideas\n',
        'Agent/Jobs/.keep': '',
    });
    return { server, temp, home: await made.home() };
}

function jobNote(brief: string, context: string[] = []): string {
    return renderJobNote({ title: 'Diary job', brief, context }, Date.now());
}

/** Resolves once `check` holds, polling every 50 ms (the test's time limit ends a wait that never does). */
async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 50));
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `vault-agent run --watch` on `temp` while `meanwhile` changes things under it; once the diary job's note says it
 * ended, stops the run with Ctrl-C (SIGINT), as a person would.
 */
function runWatching(
    setup: { server: MessagesApiServer; temp: TempVault; home: CliHome },
    meanwhile: () => Promise<void>,
): ReturnType<typeof runCli> {
    const { server, temp, home } = setup;
    return runCli(['run', '--vault', temp.root, '--watch'], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
        home: home.dir,
        timeoutMs: 30_000,
        onSpawn: (child) => {
            void (async () => {
                await meanwhile();
                await until(() => /status: (done|failed)/u.test(temp.readRaw('Agent/Jobs/Diary job.md').toString()));
                child.kill('SIGINT');
            })();
        },
    });
}

describe('run --watch while the settings change', () => {
    it('never sends a folder excluded after it started, for a job queued after the change', async () => {
        const setup = await setUp();
        const { server, temp } = setup;
        server.enqueue(textTurn('A summary.'));
        const run = await runWatching(setup, async () => {
            await wait(1_500);
            await temp.write(SETTINGS_FILE, settingsExcluding(['Journal/']));
            await wait(500);
            await temp.write('Agent/Jobs/Diary job.md', jobNote('Summarise my diary.', ['[[Journal/Day]]']));
        });
        expect(run.code).not.toBeNull();
        expect(JSON.stringify(server.messageRequests().map((request) => request.body))).not.toContain(SECRET);
        // Its one context item is excluded now: the model is never asked (row 58).
        expect(server.messageRequests()).toHaveLength(0);
        expect(temp.readRaw('Agent/Jobs/Diary job.md').toString()).toContain('status: failed');
    }, 40_000);

    it('sends none of it in the next request of a job that read it before the change', async () => {
        const setup = await setUp();
        const { server, temp } = setup;
        server.enqueue(toolUseTurn([{ name: 'read_note', input: { path: 'Journal/Day.md' } }]));
        // The second answer takes its time: the folder is excluded meanwhile.
        server.enqueue(toolUseTurn([{ name: 'list_notes', input: {} }], { latencyMs: 3_000 }));
        server.enqueue(textTurn('Done.'));
        await temp.write('Agent/Jobs/Diary job.md', jobNote('Read my diary, then list my notes.'));
        const run = await runWatching(setup, async () => {
            await until(() => server.messageRequests().length >= 2);
            await temp.write(SETTINGS_FILE, settingsExcluding(['Journal/']));
        });
        expect(run.code).not.toBeNull();
        const bodies = server.messageRequests().map((request) => JSON.stringify(request.body));
        expect(bodies).toHaveLength(3);
        // Read while allowed, and sent in the request after.
        expect(bodies[1]).toContain(SECRET);
        // Excluded before the third request: gone from it, as from a chat's (decision 0008).
        expect(bodies[2]).not.toContain(SECRET);
        expect(bodies[2]).not.toContain('Journal/Day');
    }, 40_000);

    it('pauses while the settings cannot be used, says why once, and runs the job once they are fixed', async () => {
        const setup = await setUp();
        const { server, temp } = setup;
        server.enqueue(textTurn('Ideas, summarised.'));
        let sentWhileBroken = -1;
        const run = await runWatching(setup, async () => {
            await wait(1_500);
            await temp.write(SETTINGS_FILE, 'null');
            await wait(500);
            await temp.write('Agent/Jobs/Diary job.md', jobNote('Summarise my ideas.', ['[[Ideas]]']));
            await wait(3_000);
            sentWhileBroken = server.messageRequests().length;
            await temp.write(SETTINGS_FILE, settingsExcluding(['Journal/']));
        });
        expect(sentWhileBroken).toBe(0);
        expect(run.stderr.match(/holds no settings \(null\)/gu)).toHaveLength(1);
        expect(run.stderr).toContain('Vault Agent paused the job queue: The Vault Agent settings in');
        expect(run.stderr).toContain('the settings can be used again');
        expect(server.messageRequests()).toHaveLength(1);
        expect(temp.readRaw('Agent/Jobs/Diary job.md').toString()).toContain('status: done');
    }, 40_000);
});
