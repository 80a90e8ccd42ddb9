/** `vault-agent enqueue --propose` (the built CLI): the job note asks for `propose` mode, which the queue reads. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { buildCli, makeCliHome, runCli, type CliHome } from '../cli/cli-harness';
import { makeTempVault, type TempVault } from '../support/temp-vault';

let temp: TempVault;
let home: CliHome;

beforeAll(async () => {
    await buildCli();
    home = await makeCliHome();
    temp = await makeTempVault({
        '.obsidian/plugins/vault-agent/data.json': JSON.stringify({
            version: 2,
            privacy: { excludedTags: ['private'], excludedFolders: [] },
        }),
    });
}, 60_000);

afterAll(async () => {
    await temp.cleanup();
    await home.cleanup();
});

describe('vault-agent enqueue --propose', () => {
    it('writes a job note in propose mode, and refuses --propose with --read-only', async () => {
        const run = await runCli(['enqueue', '--vault', temp.root, '--propose', 'Tidy the meeting links'], {
            home: home.dir,
        });
        expect(run.code).toBe(0);
        const path = run.stdout.trim();
        const read = readJobNote(path, temp.readRaw(path).toString());
        expect(read.kind === 'job' && read.job.mode).toBe('propose');

        const both = await runCli(['enqueue', '--vault', temp.root, '--propose', '--read-only', 'x'], {
            home: home.dir,
        });
        expect(both.code).toBe(2);
        expect(both.stderr).toContain('cannot be used together');
    });
});
