/**
 * A job whose every context item is excluded by the privacy settings would run on nothing: it is not run at all (no
 * request reaches the model), it does not end "done", its result note says `status: incomplete`, and its job note
 * names the rules that excluded the context. A job note whose own tags are excluded is not run either: its brief
 * never reaches the model. Over a real temp folder with the real SDK and the local Messages-API server (which would
 * answer, had it been asked).
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

const SECRET = 'SECRET-DIARY-TEXT';

describe('a job whose context is all excluded', () => {
    it('never asks the model, ends not done with an incomplete result, and names the rules', async () => {
        harness = await makeQueueHarness({
            privacy: { excludedTags: ['private'], excludedFolders: ['Secrets/'] },
            files: {
                'Secrets/Diary.md': `${SECRET}\n`,
                'Health.md': `---\ntags: [private]\n---\n${SECRET}\n`,
                'Agent/Jobs/Summary.md': jobNote('Summarise these.', {
                    context: '["[[Secrets/Diary]]", "[[Health]]"]',
                }),
            },
        });
        harness.server.enqueue(textTurn('A summary of nothing.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();

        expect(harness.server.messageRequests()).toHaveLength(0);
        const text = harness.temp.readRaw('Agent/Jobs/Summary.md').toString('utf8');
        const read = readJobNote('Agent/Jobs/Summary.md', text);
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).not.toBe('done');
        expect(read.job.status).toBe('failed');
        expect(read.job.error).toContain('every context item (2) was excluded by the privacy settings');
        expect(text).toContain('in excluded folder Secrets/');
        expect(text).toContain('tagged #private');
        const result = harness.temp.readRaw(`Agent/Outputs/Summary (${read.job.id}).md`).toString('utf8');
        expect(result).toMatch(/^status: incomplete$/m);
        expect(result).toContain('all of its context was excluded');
        // The result note may become context itself: it names no rule, no note, and holds no excluded text.
        expect(result).not.toContain('Secrets');
        expect(result).not.toContain('Health');
        expect(result).not.toContain(SECRET);
    });

    it('still runs when part of its context is visible, and says how many items were left out', async () => {
        harness = await makeQueueHarness({
            privacy: { excludedTags: ['private'], excludedFolders: ['Secrets/'] },
            files: {
                'Secrets/Diary.md': `${SECRET}\n`,
                'Plan.md': 'The plan.\n',
                'Agent/Jobs/Mixed.md': jobNote('Summarise these.', { context: '["[[Secrets/Diary]]", "[[Plan]]"]' }),
            },
        });
        harness.server.enqueue(textTurn('A summary of the plan.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expect(harness.server.messageRequests()).toHaveLength(1);
        const text = harness.temp.readRaw('Agent/Jobs/Mixed.md').toString('utf8');
        const read = readJobNote('Agent/Jobs/Mixed.md', text);
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).toBe('done');
        expect(text).toContain('1 context item(s) were left out by the privacy settings.');
    });
});

describe('a job note the privacy settings exclude by its own tags', () => {
    it('is never sent: it fails at once with the reason, and a tag written in backticks runs', async () => {
        harness = await makeQueueHarness({
            privacy: { excludedTags: ['private'], excludedFolders: [] },
            files: {
                'Agent/Jobs/Tagged.md': jobNote(`Summarise my week. #private ${SECRET}`),
                'Agent/Jobs/In frontmatter.md': jobNote(`Summarise my month. ${SECRET}`, { tags: '[private]' }),
                'Agent/Jobs/Named.md': jobNote('Summarise every note except those tagged `#private`.'),
            },
        });
        harness.server.setDefault(textTurn('Done.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();

        expect(harness.server.messageRequests()).toHaveLength(1);
        expect(harness.server.allRequestText()).not.toContain(SECRET);
        for (const path of ['Agent/Jobs/Tagged.md', 'Agent/Jobs/In frontmatter.md']) {
            const text = harness.temp.readRaw(path).toString('utf8');
            const read = readJobNote(path, text);
            if (read.kind !== 'job') throw new Error('not a job');
            expect(read.job.status).toBe('failed');
            expect(read.job.error).toContain('this job note is tagged #private');
            expect(read.job.error).toContain('write it in backticks (`#private`)');
            expect(read.job.attempts).toBe(0);
        }
        const named = readJobNote('Agent/Jobs/Named.md', harness.temp.readRaw('Agent/Jobs/Named.md').toString('utf8'));
        if (named.kind !== 'job') throw new Error('not a job');
        expect(named.job.status).toBe('done');
    });

    it('is refused when queued (the dialog, a chat handed over): nothing is written', async () => {
        harness = await makeQueueHarness({ privacy: { excludedTags: ['private'], excludedFolders: [] } });
        const queue = await harness.queue();
        await expect(queue.enqueue({ title: 'Week', brief: `Summarise my week. #private ${SECRET}` })).rejects.toThrow(
            'The job note would be tagged #private, which the privacy settings exclude',
        );
        expect(harness.temp.exists('Agent/Jobs/Week.md')).toBe(false);
        const path = await queue.enqueue({ title: 'Named', brief: 'Summarise all but the `#private` notes.' });
        expect(harness.temp.exists(path)).toBe(true);
    });
});
