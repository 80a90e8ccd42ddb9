/**
 * A job's result lands unreviewed, so code other plugins run when a note is opened or created is made inert before it
 * is written, and the job log says so (issue 14, item 5). Over a real temp folder, with the real SDK talking to the
 * local Messages-API server; the written note is read back from disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { textTurn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

const ANSWER = [
    'Here is the dashboard.',
    '',
    '```dataviewjs',
    "dv.el('b', app.vault.adapter.basePath)",
    '```',
    '',
    '> [!note]',
    '> ~~~dataview',
    '> LIST FROM "Secrets"',
    '> ~~~',
    '',
    '- ```query',
    '  path:Secrets',
    '  ```',
    '',
    'Count: `$= dv.pages().length`, name: `= this.file.name`, split: `',
    '$= dv.pages()`.',
    '',
    '<%* await tp.file.move("/Secrets/x") %> and <% tp.date.now() %>',
].join('\n');

describe('a job result with code other plugins run', () => {
    it('is written with every executable form made inert, and the job log says what was changed', async () => {
        harness = await makeQueueHarness({
            files: { 'Agent/Jobs/Dashboard.md': jobNote('Make me a dashboard.') },
        });
        harness.server.enqueue(textTurn(ANSWER));
        const queue = await harness.queue();
        await queue.runUntilIdle();

        const read = readJobNote(
            'Agent/Jobs/Dashboard.md',
            harness.temp.readRaw('Agent/Jobs/Dashboard.md').toString('utf8'),
        );
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).toBe('done');
        const note = harness.temp.readRaw(`Agent/Outputs/Dashboard (${read.job.id}).md`).toString('utf8');
        // Checked with patterns of their own, not the detector under test.
        expect(note).not.toMatch(/^[ \t>*+-]*(`{3,}|~{3,})[ \t]*(dataviewjs|dataview|query)\b/im);
        expect(note).not.toMatch(/`[ \t]*\$?=/);
        expect(note).not.toMatch(/^[ \t>]*\$=/m);
        expect(note).not.toContain('<%');
        // Still there to read, as plain code.
        expect(note).toContain("```text\ndv.el('b', app.vault.adapter.basePath)\n```");
        expect(note).toContain('> ~~~text\n> LIST FROM "Secrets"');
        expect(note).toContain('- ```text\n  path:Secrets');
        expect(note).toContain('`$\\= dv.pages().length`');
        expect(note).toContain('<\\%* await tp.file.move("/Secrets/x") %>');

        const log = harness.temp.readRaw('Agent/Jobs/Dashboard.md').toString('utf8');
        expect(log).toContain('Made code that other plugins run inert in the result');
        expect(log).toContain('1 × a Dataview JS block');
        expect(log).toContain('1 × a Dataview query block');
        expect(log).toContain('1 × a search query block');
        expect(log).toContain('2 × an inline Dataview JS expression');
        expect(log).toContain('1 × an inline Dataview query');
        expect(log).toContain('2 × a Templater command');
    });

    it('a result without such code is written as the model gave it, and the log says nothing about it', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Plain.md': jobNote('Summarise.') } });
        harness.server.enqueue(textTurn('Use `a == b` here.\n\n```js\nconst x = 1;\n```'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        const read = readJobNote('Agent/Jobs/Plain.md', harness.temp.readRaw('Agent/Jobs/Plain.md').toString('utf8'));
        if (read.kind !== 'job') throw new Error('not a job');
        const note = harness.temp.readRaw(`Agent/Outputs/Plain (${read.job.id}).md`).toString('utf8');
        expect(note).toContain('Use `a == b` here.\n\n```js\nconst x = 1;\n```');
        expect(harness.temp.readRaw('Agent/Jobs/Plain.md').toString('utf8')).not.toContain('inert');
    });
});
