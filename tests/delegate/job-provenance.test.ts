/**
 * A job's provenance lists every note it had: the context notes, the notes embedded in them, and the notes its tools
 * read (`read_note`, `note_outline`). A note that is excluded — before the job read it, or made private while the job
 * ran — is never listed. The real queue against the local Messages API, on a real temp vault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { textTurn, toolUseTurn, type RecordedRequest } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

describe('the provenance of a job', () => {
    it('lists the notes read with tools and the context with its embeds, and never an excluded note', async () => {
        harness = await makeQueueHarness({
            files: {
                'Brief.md': 'The brief.\n![[Embedded]]\n',
                'Embedded.md': 'Embedded text.\n',
                'Calls/Acme.md': 'Acme wants exports.\n',
                'Calls/Globex.md': 'Globex wants imports.\n',
                'Plan.md': '# Plan\n## Goals\n',
                'Unread.md': 'Never read.\n',
                'Health.md': '---\ntags: [private]\n---\nSecret.\n',
                'Later private.md': 'Visible when read.\n',
                'Agent/Jobs/Summarise.md': jobNote('Summarise the calls.', { context: '["[[Brief]]"]' }),
            },
        });
        const h = harness;
        h.server.enqueue(
            toolUseTurn([
                { name: 'read_note', input: { path: 'Calls/Acme.md' } },
                { name: 'read_note', input: { path: 'Calls/Globex' } },
                { name: 'note_outline', input: { path: 'Plan.md' } },
                { name: 'read_note', input: { path: 'Health.md' } },
                { name: 'read_note', input: { path: 'Later private.md' } },
                { name: 'list_notes', input: {} },
            ]),
        );
        // While the job runs, the person makes a note it read private.
        h.server.setResponder(async () => {
            await h.temp.write('Later private.md', '---\ntags: [private]\n---\nVisible when read.\n');
            await h.temp.vault.scan();
            return textTurn('Acme wants exports; Globex wants imports.');
        });
        const queue = await h.queue();
        await queue.runUntilIdle();

        const read = readJobNote('Agent/Jobs/Summarise.md', h.temp.readRaw('Agent/Jobs/Summarise.md').toString('utf8'));
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).toBe('done');
        const artifact = h.temp.readRaw(`Agent/Outputs/Summarise (${read.job.id}).md`).toString('utf8');
        const sourcesLine = /^sources: (.*)$/mu.exec(artifact)?.[1] ?? '';
        expect(JSON.parse(sourcesLine)).toEqual([
            '[[Brief]]',
            '[[Embedded]]',
            '[[Calls/Acme]]',
            '[[Calls/Globex]]',
            '[[Plan]]',
        ]);
        expect(artifact).not.toContain('Health');
        expect(artifact).not.toContain('Later private');
        expect(artifact).not.toContain('Unread');
        expect(artifact).toContain('- [[Calls/Acme]]');
    });

    it('lists the notes its sub-agents had: the notes a subtask names and the ones a child reads itself', async () => {
        harness = await makeQueueHarness({
            files: {
                'Calls/A.md': 'Call A.\n',
                'Calls/B.md': 'Call B.\n',
                'Private/Salary.md': 'Salary.\n',
                'Agent/Jobs/Fan.md': jobNote('Summarise the calls with subtasks.'),
            },
            privacy: { excludedTags: [], excludedFolders: ['Private'] },
        });
        const h = harness;
        const isChild = (request: RecordedRequest): boolean => JSON.stringify(request.body).includes('<subtask>');
        let parent = 0;
        let child = 0;
        h.server.setResponder((request) => {
            if (isChild(request)) {
                child++;
                return child === 1
                    ? toolUseTurn([
                          { name: 'read_note', input: { path: 'Calls/B.md' } },
                          { name: 'read_note', input: { path: 'Private/Salary.md' } },
                      ])
                    : textTurn('Both calls.');
            }
            parent++;
            return parent === 1
                ? toolUseTurn([
                      {
                          name: 'run_subtasks',
                          input: { tasks: [{ instruction: 'Summarise.', notes: ['Calls/A.md', 'Private/Salary.md'] }] },
                      },
                  ])
                : textTurn('Summary of the calls.');
        });
        const queue = await h.queue();
        await queue.runUntilIdle();

        const read = readJobNote('Agent/Jobs/Fan.md', h.temp.readRaw('Agent/Jobs/Fan.md').toString('utf8'));
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).toBe('done');
        const artifact = h.temp.readRaw(`Agent/Outputs/Fan (${read.job.id}).md`).toString('utf8');
        expect(JSON.parse(/^sources: (.*)$/mu.exec(artifact)?.[1] ?? '')).toEqual(['[[Calls/A]]', '[[Calls/B]]']);
        expect(artifact).not.toContain('Salary');
    });
});
