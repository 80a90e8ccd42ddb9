/**
 * `vault-agent enqueue --schedule … --batch` through the built `dist/cli.js`: both land in the job note the queue
 * reads, a schedule that is not one is refused before anything is written, and every flag is in `--help`;
 * `mcp-allow --help` says that `ask` uses the allowance too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome } from './cli-harness';

let home: CliHome;
let temp: TempVault;

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

describe('enqueue --schedule and --batch', () => {
    it('writes the schedule and batch into the job note', async () => {
        const run = await runCli(
            ['enqueue', '--vault', temp.root, '--schedule', 'weekdays 09:30', '--batch', 'Summarise the week'],
            { home: home.dir },
        );
        expect(run.stderr).not.toMatch(/error/i);
        expect(run.code).toBe(0);
        const path = run.stdout.trim();
        const text = readFileSync(nodePath.join(temp.root, ...path.split('/')), 'utf8');
        const read = readJobNote(path, text);
        expect(read.kind).toBe('job');
        if (read.kind !== 'job') return;
        expect(read.job.schedule).toBe('weekdays 09:30');
        expect(read.job.batch).toBe(true);
        expect(read.job.brief).toContain('Summarise the week');
    });

    it('--each FOLDER --batch queues one batch job per visible note of the folder, never naming an excluded one', async () => {
        await temp.write('Meetings/Monday.md', '# Monday\nAcme call.\n');
        await temp.write('Meetings/Tuesday.md', '# Tuesday\nStandup.\n');
        await temp.write('Meetings/Therapy.md', '# Therapy\n#private\n');
        const run = await runCli(
            ['enqueue', '--vault', temp.root, '--each', 'Meetings/', '--batch', 'Summarise the meeting'],
            { home: home.dir },
        );
        expect(run.code).toBe(0);
        const paths = run.stdout.trim().split('\n');
        expect(paths).toHaveLength(2);
        const jobs = paths.map((path) => {
            const read = readJobNote(path, readFileSync(nodePath.join(temp.root, ...path.split('/')), 'utf8'));
            if (read.kind !== 'job') throw new Error(`${path} is not a job`);
            return read.job;
        });
        expect(jobs.map((job) => job.context)).toEqual([['[[Meetings/Monday]]'], ['[[Meetings/Tuesday]]']]);
        expect(jobs.every((job) => job.batch)).toBe(true);
        expect(run.stdout).not.toContain('Therapy');
        for (const name of readdirSync(nodePath.join(temp.root, 'Agent', 'Jobs')))
            expect(name).not.toContain('Therapy');
    });

    it('without the flags the note has no schedule and is not a batch job', async () => {
        const run = await runCli(['enqueue', '--vault', temp.root, 'Plain job'], { home: home.dir });
        expect(run.code).toBe(0);
        const path = run.stdout.trim();
        const read = readJobNote(path, readFileSync(nodePath.join(temp.root, ...path.split('/')), 'utf8'));
        expect(read.kind === 'job' && read.job.schedule).toBe('');
        expect(read.kind === 'job' && read.job.batch).toBe(false);
    });

    it('refuses a schedule that is not one, and writes nothing', async () => {
        const jobs = (): string[] => readdirSync(nodePath.join(temp.root, 'Agent', 'Jobs'));
        const before = jobs().length;
        const run = await runCli(['enqueue', '--vault', temp.root, '--schedule', 'daily 25:00', 'Broken'], {
            home: home.dir,
        });
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('--schedule');
        expect(run.stderr).toContain('08:00');
        expect(jobs().length).toBe(before);
    });
});

describe('help texts', () => {
    it('enqueue --help names every flag, --schedule and --batch included', async () => {
        const help = await runCli(['enqueue', '--help'], { home: home.dir });
        expect(help.code).toBe(0);
        for (const flag of ['--context', '--output', '--model', '--title', '--read-only', '--command']) {
            expect(help.stdout).toContain(flag);
        }
        expect(help.stdout).toMatch(/--schedule WHEN\s+make the note a template/);
        expect(help.stdout).toContain('weekdays 09:30');
        expect(help.stdout).toMatch(/--batch\s+send the job as one request through the Message Batches API/);
        expect(help.stdout).toMatch(/--each FOLDER\s+queue the job once per note under FOLDER/);
    });

    it('mcp-allow --help and the main help say that ask uses the allowance too', async () => {
        const help = await runCli(['mcp-allow', '--help'], { home: home.dir });
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/vault-agent run`\s+and\s+`vault-agent ask`/);
        const main = await runCli(['--help'], { home: home.dir });
        expect(main.stdout).toContain('(used by run and ask)');
    });
});
