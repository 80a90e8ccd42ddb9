/**
 * Trigger notes in `vault-agent run --watch`: the built `dist/cli.js` in a child process follows the file system, a
 * note written into the trigger's folder starts a job, and the job runs to its end against the local Messages API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from './cli-harness';

let server: MessagesApiServer;
let temp: TempVault;
let home: CliHome;

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
    temp = await makeTempVault({
        'Agent/Jobs/On meeting.md':
            '---\nvault-agent: trigger\nevent: created\nfolder: Meetings/\ncontext: ["{{note}}"]\nmode: read-only\n' +
            'debounce: 0.2\n---\nSummarise {{note}}.\n',
        'Meetings/Old.md': 'An old meeting.\n',
    });
}, 60_000);

afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
    await home?.cleanup();
});

describe('vault-agent run --watch with trigger notes', () => {
    it('a note created in the folder starts a job that runs to its end, once', async () => {
        server.enqueue(textTurn('A short meeting.'));
        const run = await runCli(['run', '--vault', temp.root, '--watch', '--default-settings'], {
            env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
            home: home.dir,
            timeoutMs: 30_000,
            onSpawn: (child) => {
                setTimeout(() => void temp.write('Meetings/Kickoff.md', 'We kicked off.\n'), 1_500);
                const poll = setInterval(() => {
                    const path = 'Agent/Jobs/On meeting - Kickoff.md';
                    if (!temp.exists(path) || !temp.readRaw(path).toString().includes('status: done')) return;
                    clearInterval(poll);
                    setTimeout(() => child.kill('SIGINT'), 1_000);
                }, 100);
            },
        });
        expect(run.code).toBe(0);
        expect(run.stderr).toContain('1 job(s) ran: 1 done');
        const job = temp.readRaw('Agent/Jobs/On meeting - Kickoff.md').toString();
        expect(job).toContain('source: "[[Meetings/Kickoff]]"');
        expect(job).toContain('trigger: "[[Agent/Jobs/On meeting]]"');
        expect(JSON.stringify(server.messageRequests()[0]?.body)).toContain('We kicked off.');
        expect(temp.readRaw('Agent/Jobs/On meeting.md').toString()).toContain(
            'Started [[Agent/Jobs/On meeting - Kickoff]]',
        );
    }, 40_000);
});
