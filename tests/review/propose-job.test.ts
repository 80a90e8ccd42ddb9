/**
 * A `propose` job over a real folder, through the real queue and the local Messages-API server: the model is offered
 * the chat's write tools, each write becomes a proposal in the review inbox, and no note is changed. Its `files`
 * budget caps the proposals it may leave waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import { readJobNote } from '../../src/delegate/job-note';
import { JobStore } from '../../src/delegate/job-store';
import { Scheduler } from '../../src/delegate/scheduler';
import { systemClock } from '../../src/kernel/ports';
import { proposalsFolderFor } from '../../src/kernel/review-folder';
import { ProposalStore } from '../../src/review/proposal-store';
import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { MemoryCheckpointPersistence, snapshot } from '../agent/changes/fixtures';
import { CapturedNotices, jobNote, makeQueueHarness, type QueueHarness } from '../delegate/queue-harness';
import { textTurn, toolResultsOf, toolUseTurn, type RecordedRequest } from '../support/messages-api-server';

const JOB = 'Agent/Jobs/Tidy meeting links.md';
const PROPOSALS = proposalsFolderFor('Agent/Jobs');
const NOTES: Record<string, string> = {
    'Meetings/Monday.md': '# Monday\nsee Project X\n',
    'Meetings/Tuesday.md': '# Tuesday\nsee Project Y\n',
    'Meetings/Old.md': 'old\n',
    'Meetings/Empty.md': '',
};

let harness: QueueHarness | null = null;
afterEach(async () => {
    await harness?.cleanup();
    harness = null;
});

function storeOf(h: QueueHarness): ProposalStore {
    const vault = h.temp.vault;
    return new ProposalStore({
        vault,
        gate: () => new ExclusionGate({ vault, privacy: h.privacy }),
        folder: () => PROPOSALS,
    });
}

function offered(request: RecordedRequest | undefined): string[] {
    return ((request?.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
}

describe('a propose job', () => {
    it('makes proposals for edits, creates, renames and deletes over a real folder and changes no note', async () => {
        harness = await makeQueueHarness({
            files: { ...NOTES, [JOB]: jobNote('Link the projects in the meeting notes.', { mode: 'propose' }) },
        });
        const h = harness;
        const store = storeOf(h);
        h.server.enqueue(
            toolUseTurn([
                {
                    name: 'edit_note',
                    input: { path: 'Meetings/Monday.md', edits: [{ old: 'Project X', new: '[[Project X]]' }] },
                },
                {
                    name: 'edit_note',
                    input: { path: 'Meetings/Tuesday.md', edits: [{ old: 'Project Y', new: '[[Project Y]]' }] },
                },
                { name: 'create_note', input: { path: 'Projects/Project X.md', content: '# Project X\n' } },
                { name: 'rename_note', input: { path: 'Meetings/Old.md', new_path: 'Archive/Old.md' } },
                { name: 'delete_note', input: { path: 'Meetings/Empty.md' } },
            ]),
            textTurn('Proposed five changes.'),
        );
        const before = await snapshot(h.temp.root);
        const queue = await h.queue({ proposals: store });
        await queue.runUntilIdle();

        const requests = h.server.messageRequests();
        expect(offered(requests[0])).toEqual(
            expect.arrayContaining(['edit_note', 'rewrite_note', 'rename_note', 'delete_note', 'create_note']),
        );
        const results = toolResultsOf(requests[1] as RecordedRequest);
        expect(results).toHaveLength(5);
        for (const result of results) expect(result.text).toContain('Proposed, not applied');

        const after = await snapshot(h.temp.root);
        for (const path of Object.keys(NOTES)) expect(after[path], path).toBe(before[path]);
        const added = Object.keys(after).filter((path) => !(path in before));
        expect(added.filter((path) => !path.startsWith(`${PROPOSALS}/`) && !path.startsWith('Agent/Outputs/'))).toEqual(
            [],
        );
        expect(h.temp.exists('Projects/Project X.md') || h.temp.exists('Archive/Old.md')).toBe(false);

        const inbox = await store.list();
        expect(inbox.count).toBe(5);
        expect(inbox.groups).toHaveLength(1);
        expect(inbox.groups[0]?.origin).toMatchObject({ kind: 'job', title: 'Tidy meeting links' });
        const kinds = inbox.groups[0]?.notes.flatMap((note) => note.entries.map((entry) => entry.kind)).sort();
        expect(kinds).toEqual(['create', 'delete', 'edit', 'edit', 'rename']);

        const job = readJobNote(JOB, h.temp.readRaw(JOB).toString());
        expect(job.kind === 'job' && job.job.status).toBe('done');
        expect(h.temp.readRaw(JOB).toString()).toContain('for review (p-');
    });

    it('leaves at most its files budget of proposals waiting, and says so to the model', async () => {
        harness = await makeQueueHarness({
            files: {
                ...NOTES,
                [JOB]: jobNote('Link the projects.', { mode: 'propose', budget: '{ files: 1 }' }),
            },
        });
        const h = harness;
        const store = storeOf(h);
        h.server.enqueue(
            toolUseTurn([
                {
                    name: 'edit_note',
                    input: { path: 'Meetings/Monday.md', edits: [{ old: 'Project X', new: '[[Project X]]' }] },
                },
                {
                    name: 'edit_note',
                    input: { path: 'Meetings/Tuesday.md', edits: [{ old: 'Project Y', new: '[[Project Y]]' }] },
                },
            ]),
            textTurn('Done.'),
        );
        const queue = await h.queue({ proposals: store });
        await queue.runUntilIdle();
        const results = toolResultsOf(h.server.messageRequests()[1] as RecordedRequest);
        expect(results[0]?.text).toContain('Proposed, not applied');
        expect(results[1]?.text).toContain('its limit of 1');
        expect((await store.list()).count).toBe(1);
        expect(h.temp.readRaw('Meetings/Tuesday.md').toString()).toBe(NOTES['Meetings/Tuesday.md']);
    });

    it('is what a scheduled template in propose mode spawns', async () => {
        harness = await makeQueueHarness({
            files: {
                'Agent/Jobs/Weekly tidy.md': jobNote('Tidy the links.', {
                    mode: 'propose',
                    schedule: 'daily 08:00',
                    created: '"2020-01-01T00:00:00Z"',
                }),
            },
        });
        const vault = harness.temp.vault;
        const store = new JobStore({ vault, clock: systemClock });
        const jobs = async () => (await store.list('Agent/Jobs')).flatMap((r) => (r.kind === 'job' ? [r.job] : []));
        await new Scheduler().afterScan({
            vault,
            store,
            clock: systemClock,
            notifier: new CapturedNotices(),
            jobsFolder: 'Agent/Jobs',
            outputFolder: 'Agent/Outputs',
            jobs: await jobs(),
            remember: () => undefined,
            unwritable: () => false,
            cannotWrite: () => undefined,
            gate: () =>
                new ExclusionGate({ vault, privacy: harness?.privacy ?? { excludedTags: [], excludedFolders: [] } }),
            checkpoints: new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() }),
            wake: () => undefined,
            maxAttempts: 3,
            paused: false,
            runDeps: () => Promise.resolve(null),
        });
        const spawned = (await jobs()).filter((job) => job.template !== '');
        expect(spawned).toHaveLength(1);
        expect(spawned[0]?.mode).toBe('propose');
    });
});
