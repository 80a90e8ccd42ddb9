/**
 * The per-user state files that several `vault-agent` processes change at once (decision 0038): the spend ledger,
 * which every CLI run of this person shares (two vaults' cron runs), and a vault's undo records (`run --watch` beside
 * `review`). Each is read, changed and written back whole; without the lock beside it, two processes that read it at
 * the same moment each wrote back their own version, and one's entries were lost: a spend cap that undercounts, an
 * undo that is gone. Real processes throughout: the built `dist/cli.js`, and second processes bundled from the
 * ledger's and the undo file's own code.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJobNote } from '../../src/delegate/job-spec';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { bundleStateWriter, runWritersAtOnce } from '../support/state-writer';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from './cli-harness';

let server: MessagesApiServer;
let bundle: string;
let state: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
    await buildCli();
    bundle = await bundleStateWriter();
    server = await startMessagesApiServer({ latencyMs: 5 });
    server.setDefault(textTurn('A short result.'));
    state = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-shared-state-'));
}, 60_000);

afterAll(async () => {
    await server.close();
    for (const cleanup of cleanups) await cleanup();
    await rm(nodePath.dirname(bundle), { recursive: true, force: true });
    await rm(state, { recursive: true, force: true });
});

async function vaultWithJobs(jobs: number): Promise<TempVault> {
    const files: Record<string, string> = {};
    for (let i = 0; i < jobs; i++) {
        files[`Agent/Jobs/Job ${i}.md`] = renderJobNote(
            { title: `Job ${i}`, brief: `Summarise item ${i}.` },
            Date.now(),
        );
    }
    const temp = await makeTempVault(files);
    cleanups.push(() => temp.cleanup());
    return temp;
}

async function freshHome(): Promise<CliHome> {
    const home = await makeCliHome();
    cleanups.push(() => home.cleanup());
    return home;
}

/** The spend ledger's entries: one JSON entry per line. */
function ledgerLines(file: string): { scope: { id: string } }[] {
    return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as { scope: { id: string } });
}

describe('state files shared by several vault-agent processes', () => {
    it('keeps the spend of two runs on two vaults at once, all of it, in the one ledger', async () => {
        const [first, second] = [await vaultWithJobs(30), await vaultWithJobs(30)];
        const home = await freshHome();
        const before = server.messageRequests().length;
        const runs = await Promise.all(
            [first, second].map((temp) =>
                runCli(['run', '--vault', temp.root, '--default-settings', '--concurrency', '8'], {
                    env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
                    home: home.dir,
                    timeoutMs: 60_000,
                }),
            ),
        );
        for (const run of runs) expect(run.stderr).toContain('30 job(s) ran: 30 done');
        expect(server.messageRequests().length - before).toBe(60);
        const ledger = ledgerLines(nodePath.join(home.dir, 'config', 'vault-agent', 'spend.json'));
        expect(new Set(ledger.map((entry) => entry.scope.id)).size).toBe(60);
    }, 90_000);

    it('keeps every entry when three processes add to the spend ledger at once', async () => {
        const file = nodePath.join(state, 'spend.json');
        await runWritersAtOnce(bundle, 'spend', file, 3, 40);
        const ledger = ledgerLines(file);
        expect(new Set(ledger.map((entry) => entry.scope.id)).size).toBe(120);
    }, 60_000);

    it('keeps every undo record when two processes record changes on one vault at once', async () => {
        const file = nodePath.join(state, 'checkpoints.json');
        // 2 × 24 turns: under the 50 turns the undo file keeps.
        await runWritersAtOnce(bundle, 'checkpoints', file, 2, 24);
        const stored = JSON.parse(readFileSync(file, 'utf8')) as { checkpoints: { turnId: string }[] };
        expect(new Set(stored.checkpoints.map((checkpoint) => checkpoint.turnId)).size).toBe(48);
    }, 60_000);
});
