import { mkdir, rename, writeFile } from 'node:fs/promises';
import nodePath from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTriggerNote } from '../../src/delegate/trigger-note';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { jobNote } from './queue-harness';
import {
    cliHost,
    fired,
    jobsOnDisk,
    pluginHost,
    sleep,
    triggerNote,
    waitFor,
    type TriggerHost,
} from './trigger-harness';

const TRIGGERS = {
    'Agent/Jobs/On meeting.md': triggerNote('Summarise {{note}}.', {
        event: 'created',
        folder: 'Meetings/',
        context: '["{{note}}"]',
    }),
    'Agent/Jobs/On project edit.md': triggerNote('Review {{note}}.', { event: 'modified', folder: 'Projects/' }),
    'Agent/Jobs/On filed.md': triggerNote('File {{note}}.', { event: 'renamed', folder: 'Archive/' }),
    'Agent/Jobs/On tag.md': triggerNote('Summarise the paper {{note}}.', {
        event: 'tag-added',
        tag: '"#to-summarise"',
    }),
    'Agent/Jobs/On done.md': triggerNote('Write the retro of {{note}}.', {
        event: 'property-set',
        property: 'status',
        value: 'done',
    }),
};

const BASE = {
    ...TRIGGERS,
    'Projects/Apollo.md': '---\nstatus: active\n---\nPlan.\n',
    'Papers/Attention.md': 'A paper.\n',
    'Inbox/Standup.md': 'Standup notes.\n',
};

let temp: TempVault | undefined;
const hosts: TriggerHost[] = [];

afterEach(async () => {
    for (const host of hosts.splice(0)) await host.close();
    await temp?.cleanup();
    temp = undefined;
});

/** Writes a file behind every vault's back, as a person's editor or Sync would. */
async function write(path: string, text: string): Promise<void> {
    const abs = nodePath.join(temp!.root, ...path.split('/'));
    await mkdir(nodePath.dirname(abs), { recursive: true });
    await writeFile(abs, text);
}

/** The person's changes, one of each kind. */
async function changeOneOfEach(): Promise<void> {
    await write('Meetings/Kickoff.md', 'Kickoff notes.\n');
    // A burst of saves is one change.
    for (let i = 0; i < 5; i++) await write('Projects/Apollo.md', `---\nstatus: active\n---\nPlan v${i}.\n`);
    await mkdir(nodePath.join(temp!.root, 'Archive'), { recursive: true });
    await rename(nodePath.join(temp!.root, 'Inbox/Standup.md'), nodePath.join(temp!.root, 'Archive/Standup.md'));
    await write('Papers/Attention.md', 'A paper. #to-summarise\n');
}

describe('trigger notes', () => {
    it('reads a trigger note and refuses modes that edit', () => {
        const read = readTriggerNote('Agent/Jobs/T.md', TRIGGERS['Agent/Jobs/On meeting.md']);
        expect(read.kind).toBe('trigger');
        const edit = readTriggerNote('Agent/Jobs/T.md', triggerNote('x', { event: 'created', mode: 'auto-edits' }));
        expect(edit).toMatchObject({ kind: 'unreadable' });
        expect(readTriggerNote('Agent/Jobs/T.md', triggerNote('x', { event: 'whenever' }))).toMatchObject({
            kind: 'unreadable',
        });
    });

    it('each event kind fires exactly once per change, debounced', async () => {
        temp = await makeTempVault(BASE);
        const host = await cliHost(temp.root);
        hosts.push(host);
        await changeOneOfEach();
        await waitFor(() => jobsOnDisk(temp!.root).length >= 4);
        await write('Projects/Apollo.md', '---\nstatus: done\n---\nShipped.\n');
        await waitFor(() => jobsOnDisk(temp!.root).length >= 5);
        await sleep(1_000);
        await host.scan();
        expect(fired(temp.root)).toEqual([
            '[[Agent/Jobs/On done]] <- [[Projects/Apollo]]',
            '[[Agent/Jobs/On filed]] <- [[Archive/Standup]]',
            '[[Agent/Jobs/On meeting]] <- [[Meetings/Kickoff]]',
            '[[Agent/Jobs/On project edit]] <- [[Projects/Apollo]]',
            '[[Agent/Jobs/On tag]] <- [[Papers/Attention]]',
        ]);
        const meeting = jobsOnDisk(temp.root).find((job) => job.trigger === '[[Agent/Jobs/On meeting]]');
        expect(meeting?.brief).toBe('Summarise [[Meetings/Kickoff]].');
        expect(meeting?.context).toEqual(['[[Meetings/Kickoff]]']);
        expect(meeting?.mode).toBe('delegate');
        expect(temp.readRaw('Agent/Jobs/On meeting.md').toString()).toContain('Started [[Agent/Jobs/');
    });

    it('a renamed note into the folder fires', async () => {
        temp = await makeTempVault({ ...TRIGGERS, 'Inbox/Idea.md': 'An idea.\n', 'Archive/Old.md': 'Old.\n' });
        const host = await cliHost(temp.root);
        hosts.push(host);
        await rename(nodePath.join(temp.root, 'Inbox/Idea.md'), nodePath.join(temp.root, 'Archive/Idea filed.md'));
        // A move inside the folder is no arrival.
        await mkdir(nodePath.join(temp.root, 'Archive/Sub'));
        await rename(nodePath.join(temp.root, 'Archive/Old.md'), nodePath.join(temp.root, 'Archive/Sub/Old.md'));
        await waitFor(() => jobsOnDisk(temp!.root).length >= 1);
        await sleep(800);
        expect(fired(temp.root)).toEqual(['[[Agent/Jobs/On filed]] <- [[Archive/Idea filed]]']);
    });

    it('cooldown and hourly caps hold', async () => {
        temp = await makeTempVault({
            'Agent/Jobs/Edits.md': triggerNote('Look at {{note}}.', {
                event: 'modified',
                folder: 'Notes/',
                cooldown: '0.05',
                'max-per-hour': '3',
            }),
            'Notes/A.md': 'a0\n',
            'Notes/B.md': 'b0\n',
            'Notes/C.md': 'c0\n',
            'Notes/D.md': 'd0\n',
        });
        const host = await cliHost(temp.root);
        hosts.push(host);
        await write('Notes/A.md', 'a1\n');
        await waitFor(() => jobsOnDisk(temp!.root).length === 1);
        // Within the cooldown (3 s) the same note does not fire again.
        await write('Notes/A.md', 'a2\n');
        await sleep(900);
        expect(jobsOnDisk(temp.root)).toHaveLength(1);
        // Other notes do, up to the hourly cap of three.
        for (const name of ['B', 'C', 'D']) await write(`Notes/${name}.md`, `${name}1\n`);
        await waitFor(() => jobsOnDisk(temp!.root).length === 3);
        await sleep(3_500);
        // The cooldown is over for A, but the hour's three jobs are spent.
        await write('Notes/A.md', 'a3\n');
        await sleep(900);
        expect(jobsOnDisk(temp.root)).toHaveLength(3);
        // A restart counts the hour's jobs again from their notes.
        await host.close();
        hosts.pop();
        const again = await cliHost(temp.root);
        hosts.push(again);
        await write('Notes/B.md', 'b2\n');
        await sleep(900);
        expect(jobsOnDisk(temp.root)).toHaveLength(3);
    }, 30_000);

    it('agent-written, job and excluded notes never fire', async () => {
        temp = await makeTempVault({
            'Agent/Jobs/Anything.md': triggerNote('Look at {{note}}.', { event: 'created' }),
            'Agent/Jobs/Any edit.md': triggerNote('Look at {{note}}.', { event: 'modified' }),
            'Notes/Mine.md': 'Mine.\n',
        });
        const host = await cliHost(temp.root);
        hosts.push(host);
        // The agent writes a note (through the vault, recorded in the undo records), and edits one.
        await host.vault.create('Agent/Outputs/Result.md', 'A result.\n');
        await host.checkpoints.record({
            turnId: 'job-1',
            kind: 'create',
            path: 'Agent/Outputs/Result.md',
            before: null,
            after: 'A result.\n',
        });
        await host.vault.process('Notes/Mine.md', () => 'Mine, tidied.\n');
        await host.checkpoints.record({
            turnId: 'job-1',
            kind: 'edit',
            path: 'Notes/Mine.md',
            before: 'Mine.\n',
            after: 'Mine, tidied.\n',
        });
        // A job result written by another runner (its `job:` link), a job note, excluded notes.
        await write('Agent/Outputs/Other.md', '---\njob: "[[Agent/Jobs/Some job]]"\n---\nResult.\n');
        await write('Agent/Jobs/New job.md', jobNote('Do it.'));
        await write('Secret/Plan.md', 'Hidden.\n');
        await write('Notes/Diary.md', 'Dear diary #private\n');
        await sleep(1_200);
        await host.scan();
        expect(fired(temp.root)).toEqual([]);
        // The person editing what the agent wrote is the person's change: it fires.
        await write('Notes/Mine.md', 'Mine, tidied, and mine again.\n');
        await waitFor(() => fired(temp!.root).length === 1);
        expect(fired(temp.root)).toEqual(['[[Agent/Jobs/Any edit]] <- [[Notes/Mine]]']);
    });

    it('the CLI watcher and the plugin events agree', async () => {
        temp = await makeTempVault(BASE);
        const cli = await cliHost(temp.root);
        hosts.push(cli);
        await changeOneOfEach();
        await write('Projects/Apollo.md', '---\nstatus: done\n---\nShipped.\n');
        await waitFor(() => jobsOnDisk(temp!.root).length >= 5);
        await sleep(800);
        const fromCli = fired(temp.root);

        const other = await makeTempVault(BASE);
        try {
            const { host, app } = await pluginHost(other.root);
            hosts.push(host);
            const file = (path: string) => app.vault.getFileByPath(path)!;
            await app.vault.createFolder('Meetings');
            await app.vault.create('Meetings/Kickoff.md', 'Kickoff notes.\n');
            for (let i = 0; i < 5; i++)
                await app.vault.modify(file('Projects/Apollo.md'), `---\nstatus: active\n---\nPlan v${i}.\n`);
            await app.vault.createFolder('Archive');
            await app.fileManager.renameFile(file('Inbox/Standup.md'), 'Archive/Standup.md');
            await app.vault.modify(file('Papers/Attention.md'), 'A paper. #to-summarise\n');
            await sleep(500);
            await app.vault.modify(file('Projects/Apollo.md'), '---\nstatus: done\n---\nShipped.\n');
            await waitFor(() => jobsOnDisk(other.root).length >= 5);
            await sleep(800);
            expect(fired(other.root)).toEqual(fromCli);
        } finally {
            await other.cleanup();
        }
    });

    it('a burst of 500 file changes stays within the caps', async () => {
        temp = await makeTempVault({
            'Agent/Jobs/Inbox.md': triggerNote('File {{note}}.', {
                event: 'created',
                folder: 'Inbox/',
                'max-per-hour': '5',
            }),
            'Agent/Jobs/Edits.md': triggerNote('Look at {{note}}.', {
                event: 'modified',
                folder: 'Inbox/',
                'max-per-hour': '4',
            }),
        });
        const host = await cliHost(temp.root);
        hosts.push(host);
        await mkdir(nodePath.join(temp.root, 'Inbox'));
        const writes: Promise<void>[] = [];
        for (let i = 0; i < 250; i++) writes.push(write(`Inbox/Note ${i}.md`, `Note ${i}\n`));
        await Promise.all(writes);
        // The edits must come after the host has seen every note created: a note created and edited before the
        // watcher looked (a busy machine takes longer to look) is one creation, not a creation and an edit.
        for (const until = Date.now() + 20_000; Date.now() < until; await sleep(50)) {
            const listed = (await host.vault.list()).filter((entry) => entry.path.startsWith('Inbox/'));
            if (listed.length === 250) break;
        }
        // Then past the triggers' debounce, so each edit is an edit of a note already created.
        await sleep(600);
        for (let i = 0; i < 250; i++) writes.push(write(`Inbox/Note ${i}.md`, `Note ${i}, edited\n`));
        await Promise.all(writes);
        await waitFor(() => jobsOnDisk(temp!.root).length >= 9, 20_000);
        await sleep(1_500);
        const jobs = jobsOnDisk(temp.root);
        expect(jobs.filter((job) => job.trigger === '[[Agent/Jobs/Inbox]]')).toHaveLength(5);
        expect(jobs.filter((job) => job.trigger === '[[Agent/Jobs/Edits]]')).toHaveLength(4);
    }, 60_000);

    it('three failed jobs in a row pause the trigger, like a schedule', async () => {
        temp = await makeTempVault({ ...TRIGGERS });
        const host = await cliHost(temp.root);
        hosts.push(host);
        for (let i = 0; i < 3; i++) {
            const path = `Agent/Jobs/Failed ${i}.md`;
            await write(path, jobNote('x', { status: 'failed', trigger: '"[[Agent/Jobs/On meeting]]"' }));
            const job = jobsOnDisk(temp.root).find((candidate) => candidate.path === path)!;
            await host.triggers.afterJob(job, await host.context());
        }
        const note = temp.readRaw('Agent/Jobs/On meeting.md').toString();
        expect(note).toContain('trigger-state: { failures: 3, paused: true');
        expect(note).toContain('Trigger paused: 3 jobs failed in a row');
        expect(host.notices.messages.map((m) => m.message)).toContain(
            'Vault Agent paused the trigger "On meeting": three jobs failed in a row.',
        );
        await host.scan();
        expect(host.triggers.triggers().find((view) => view.path === 'Agent/Jobs/On meeting.md')).toMatchObject({
            state: 'paused',
        });
        await write('Meetings/Kickoff.md', 'Kickoff.\n');
        await sleep(1_000);
        expect(fired(temp.root).filter((line) => line.includes('Kickoff'))).toEqual([]);
    });
});
