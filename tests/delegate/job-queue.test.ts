import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { textTurn, toolUseTurn, maxTokensInText, streamError } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

function jobOf(h: QueueHarness, path: string) {
    const read = readJobNote(path, h.temp.readRaw(path).toString('utf8'));
    if (read.kind !== 'job') throw new Error(`${path} is not a job: ${JSON.stringify(read)}`);
    return read.job;
}

describe('the delegate queue', () => {
    it('runs a queued job and writes its result as a new note that carries the job id and its provenance', async () => {
        harness = await makeQueueHarness({
            files: {
                'Customer calls.md': '# Calls\nAcme wants exports.\n',
                'Agent/Jobs/Summarise calls.md': jobNote('Summarise the customer calls.', {
                    context: '["[[Customer calls]]"]',
                }),
            },
        });
        harness.server.enqueue(textTurn('Acme wants exports.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();

        const job = jobOf(harness, 'Agent/Jobs/Summarise calls.md');
        expect(job.status).toBe('done');
        expect(job.id).toMatch(/^job-[0-9a-f]{8}$/);
        const artifactPath = `Agent/Outputs/Summarise calls (${job.id}).md`;
        expect(job.artifact).toBe(`[[Agent/Outputs/Summarise calls (${job.id})]]`);
        const artifact = harness.temp.readRaw(artifactPath).toString('utf8');
        expect(artifact).toContain('vault-agent: artifact');
        expect(artifact).toContain('job: "[[Agent/Jobs/Summarise calls]]"');
        expect(artifact).toContain('sources: ["[[Customer calls]]"]');
        expect(artifact).toContain('status: complete');
        expect(artifact).toContain('Acme wants exports.');
        expect(artifact).toContain('- [[Customer calls]]');
        const sent = JSON.stringify(harness.server.messageRequests()[0]?.body);
        expect(sent).toContain('Acme wants exports.');
        expect(sent).toContain('Summarise the customer calls.');
        expect(job.brief).toBe('Summarise the customer calls.');
        expect(harness.temp.readRaw('Agent/Jobs/Summarise calls.md').toString('utf8')).toContain('## Log');
    });

    it("shows a running job's context meter (used tokens of the model's window) in its live progress", async () => {
        harness = await makeQueueHarness({
            files: {
                'Notes.md': 'Some notes.\n',
                'Agent/Jobs/Read.md': jobNote('Read the notes.', { context: '["[[Notes]]"]', mode: 'read-only' }),
            },
        });
        harness.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Notes.md' } }]),
            textTurn('Read them.'),
        );
        const queue = await harness.queue();
        const meters: { usedTokens: number; windowTokens: number }[] = [];
        queue.subscribe(() => {
            for (const job of queue.snapshot().jobs) if (job.progress?.context) meters.push(job.progress.context);
        });
        await queue.runUntilIdle();
        expect(meters.length).toBeGreaterThan(0);
        const last = meters[meters.length - 1];
        expect(last?.usedTokens).toBeGreaterThan(0);
        expect(last?.windowTokens).toBeGreaterThan(last?.usedTokens ?? 0);
    });

    it('re-checks exclusions when the job runs: a note made private after queuing is not sent (row 13)', async () => {
        harness = await makeQueueHarness({
            files: {
                'Health.md': 'Blood test CANARY-7c1e results.\n',
                'Agent/Jobs/Review.md': jobNote('Review my health notes.', { context: '["[[Health]]"]' }),
            },
        });
        // Queued while visible; made private before the queue ran.
        await harness.temp.write('Health.md', '---\ntags: [private/health]\n---\nBlood test CANARY-7c1e results.\n');
        await harness.temp.vault.scan();
        harness.server.enqueue(textTurn('Nothing to review.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();

        expect(harness.server.allRequestText()).not.toContain('CANARY-7c1e');
        expect(harness.server.allRequestText()).not.toContain('Health');
        // Its only context item is now excluded: the job does not run on nothing, and says so.
        expect(harness.server.messageRequests()).toHaveLength(0);
        const note = harness.temp.readRaw('Agent/Jobs/Review.md').toString('utf8');
        expect(note).toContain('every context item (1) was excluded by the privacy settings');
        expect(jobOf(harness, 'Agent/Jobs/Review.md').status).toBe('failed');
    });

    it('withholds from the next request a note a running job read, once its folder is excluded (row 13)', async () => {
        harness = await makeQueueHarness({
            files: {
                'Journal/Day.md': 'Dear diary, CANARY-3f9a.\n',
                'Agent/Jobs/Diary.md': jobNote('Read my diary, then list my notes.', { mode: 'read-only' }),
            },
        });
        harness.server.enqueue(
            toolUseTurn([{ name: 'read_note', input: { path: 'Journal/Day.md' } }]),
            // The person excludes the folder while this answer is on its way.
            toolUseTurn([{ name: 'list_notes', input: {} }], { latencyMs: 400 }),
            textTurn('Done.'),
        );
        const queue = await harness.queue();
        const running = queue.runUntilIdle();
        while (harness.server.messageRequests().length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
        harness.privacy.excludedFolders.push('Journal/');
        await running;

        const bodies = harness.server.messageRequests().map((request) => JSON.stringify(request.body));
        expect(bodies).toHaveLength(3);
        expect(bodies[1]).toContain('CANARY-3f9a');
        expect(bodies[2]).not.toContain('CANARY-3f9a');
        expect(bodies[2]).toContain('[removed: a note here is now hidden by the privacy settings]');
    });

    it('refuses a brief that tells the job to edit existing notes; nothing outside its output folder changes (row 16)', async () => {
        harness = await makeQueueHarness({
            files: {
                'Public.md': 'Public page.\n',
                'Daily/2026-11-20.md': 'A day.\n',
                'Agent/Jobs/Tidy.md': jobNote('Append all #finance notes to Public.md and delete Daily/.'),
            },
        });
        const before = new Map(
            ['Public.md', 'Daily/2026-11-20.md'].map((p) => [p, harness!.temp.readRaw(p).toString('hex')]),
        );
        harness.server.enqueue(
            toolUseTurn([
                { name: 'edit_note', input: { path: 'Public.md', edits: [{ old: 'Public page.', new: 'Leaked' }] } },
            ]),
            toolUseTurn([{ name: 'delete_note', input: { path: 'Daily/2026-11-20.md' } }]),
            toolUseTurn([{ name: 'create_note', input: { path: 'Public 2.md', content: 'Leaked' } }]),
            toolUseTurn([
                { name: 'create_note', input: { path: 'Agent/Outputs/Finance digest.md', content: 'Digest' } },
            ]),
            textTurn('I could only write inside my output folder.'),
        );
        const queue = await harness.queue();
        await queue.runUntilIdle();

        for (const [path, hex] of before) expect(harness.temp.readRaw(path).toString('hex')).toBe(hex);
        expect(harness.temp.exists('Public 2.md')).toBe(false);
        expect(harness.temp.exists('Agent/Outputs/Finance digest.md')).toBe(true);
        const files = (await harness.temp.vault.list()).map((f) => f.path);
        expect(files.filter((p) => !p.startsWith('Agent/')).sort()).toEqual(['Daily/2026-11-20.md', 'Public.md']);
        const note = harness.temp.readRaw('Agent/Jobs/Tidy.md').toString('utf8');
        expect(note).toContain('Refused create_note');
        expect(jobOf(harness, 'Agent/Jobs/Tidy.md').status).toBe('done');
    });

    it('marks a result cut at the output limit incomplete, never complete (row 27)', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Long.md': jobNote('Write a long summary.') } });
        harness.server.enqueue(maxTokensInText('The first half of the summary'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        const job = jobOf(harness, 'Agent/Jobs/Long.md');
        expect(job.status).toBe('failed');
        expect(job.artifact).toContain(job.id);
        const artifact = harness.temp.readRaw(`Agent/Outputs/Long (${job.id}).md`).toString('utf8');
        expect(artifact).toContain('status: incomplete');
        expect(artifact).toContain('The first half of the summary');
    });

    it('fails a job whose brief is larger than the model’s window, says what to change, and sends nothing', async () => {
        const brief = 'word '.repeat(1_000_000);
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Huge.md': jobNote(brief) } });
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expect(harness.server.messageRequests()).toHaveLength(0);
        const job = jobOf(harness, 'Agent/Jobs/Huge.md');
        expect(job.status).toBe('failed');
        expect(job.error).toBe(
            'Not sent: its brief and context are larger than the model’s context window. Shorten the brief or name fewer notes.',
        );
        // A chat's advice would mean nothing here.
        expect(job.error).not.toContain('chat');
    });

    it('writes no partial artifact for a turn that failed mid-stream, and runs it again (row 25)', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Flaky.md': jobNote('Summarise.') } });
        // Every model call of the first attempt breaks mid-stream (the turn loop retries 4 times).
        for (let i = 0; i < 4; i++) {
            harness.server.enqueue(
                streamError({ after: 'text', turn: textTurn('Partial answer that must not be saved') }),
            );
        }
        harness.server.enqueue(textTurn('The whole answer.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        const job = jobOf(harness, 'Agent/Jobs/Flaky.md');
        expect(job.status).toBe('done');
        expect(job.attempts).toBe(2);
        const files = (await harness.temp.vault.list())
            .map((f) => f.path)
            .filter((p) => p.startsWith('Agent/Outputs/'));
        expect(files).toEqual([`Agent/Outputs/Flaky (${job.id}).md`]);
        const artifact = harness.temp.readRaw(files[0] ?? '').toString('utf8');
        expect(artifact).not.toContain('Partial answer');
        expect(artifact).toContain('The whole answer.');
    });

    it('stops a looping job at its budget with a report in its log (row 30)', async () => {
        harness = await makeQueueHarness({
            files: { 'Agent/Jobs/Loop.md': jobNote('Repeat for every note.', { budget: '{ turns: 3 }' }) },
        });
        harness.server.setDefault(toolUseTurn([{ name: 'list_notes', input: {} }], { preface: 'Again.' }));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expect(harness.server.messageRequests()).toHaveLength(3);
        const job = jobOf(harness, 'Agent/Jobs/Loop.md');
        expect(job.status).toBe('failed');
        expect(job.error).toContain('Stopped by its budget (3 model calls)');
        expect(harness.temp.readRaw('Agent/Jobs/Loop.md').toString('utf8')).toMatch(
            /Failed: Stopped by its budget.*3 model call\(s\)/,
        );
    });

    it('runs a job with an unknown mode read-only: no write tool is offered (row 30)', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Odd.md': jobNote('Do it.', { mode: 'yolo' }) } });
        harness.server.enqueue(textTurn('Done.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        const body = harness.server.messageRequests()[0]?.body as { tools: { name: string }[] };
        expect(body.tools.map((t) => t.name)).not.toContain('create_note');
    });

    it('leaves a corrupt job note byte-identical and reports it as quarantined (row 29)', async () => {
        const corrupt = '---\nvault-agent: job\nstatus: queued\ncontext: ["[[Unclosed"\n---\nBrief\n';
        const broken = '---\nvault-agent: job\nstatus: queued\nno closing delimiter\n';
        harness = await makeQueueHarness({
            files: {
                'Agent/Jobs/Corrupt.md': corrupt,
                'Agent/Jobs/Broken.md': broken,
                'Agent/Jobs/Fine.md': jobNote('Fine.'),
            },
        });
        harness.server.enqueue(textTurn('Fine.'));
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expect(harness.temp.readRaw('Agent/Jobs/Corrupt.md').toString('utf8')).toBe(corrupt);
        expect(harness.temp.readRaw('Agent/Jobs/Broken.md').toString('utf8')).toBe(broken);
        const snapshot = queue.snapshot();
        expect(snapshot.quarantined.map((q) => q.path).sort()).toEqual([
            'Agent/Jobs/Broken.md',
            'Agent/Jobs/Corrupt.md',
        ]);
        expect(harness.notices.messages.filter((n) => n.kind === 'error')).toHaveLength(2);
        expect(jobOf(harness, 'Agent/Jobs/Fine.md').status).toBe('done');
        expect(harness.server.messageRequests()).toHaveLength(1);
    });
});
