import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import {
    lastUserText,
    stall,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type RecordedRequest,
} from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

const NOTES = Array.from({ length: 12 }, (_, i) => `Calls/Call ${String(i + 1).padStart(2, '0')}.md`);

function firstUserText(request: RecordedRequest): string {
    const first = (request.body as { messages?: { content: unknown }[] }).messages?.[0]?.content;
    return typeof first === 'string' ? first : JSON.stringify(first ?? '');
}

function isChild(request: RecordedRequest): boolean {
    return firstUserText(request).includes('<subtask>');
}

function toolNames(request: RecordedRequest): string[] {
    return ((request.body as { tools?: { name: string }[] }).tools ?? []).map((tool) => tool.name);
}

function jobOf(h: QueueHarness, path: string) {
    const read = readJobNote(path, h.temp.readRaw(path).toString('utf8'));
    if (read.kind !== 'job') throw new Error(`${path} is not a job`);
    return read.job;
}

describe('run_subtasks (fan-out)', () => {
    it('summarises each of 12 notes in read-only children, then the parent synthesises one artifact', async () => {
        const files: Record<string, string> = {
            'Private/Salary.md': 'Salary review CANARY-SUB-91 notes.\n',
            'Agent/Jobs/Digest.md': jobNote('Summarise each call, then synthesise.', { context: '["Calls/"]' }),
        };
        NOTES.forEach((path, i) => (files[path] = `# Call ${i + 1}\nCustomer ${i + 1} wants feature ${i + 1}.\n`));
        harness = await makeQueueHarness({ files, privacy: { excludedTags: [], excludedFolders: ['Private'] } });
        let parentCalls = 0;
        harness.server.setResponder((request) => {
            if (isChild(request)) {
                const match = /Customer (\d+) wants/u.exec(firstUserText(request));
                const answer = match === null ? 'Nothing to summarise.' : `Summary: customer ${match[1]}.`;
                return textTurn(answer, { usage: { input_tokens: 1_000, output_tokens: 100 } });
            }
            parentCalls++;
            if (parentCalls === 1) {
                const tasks = NOTES.map((path) => ({ instruction: 'Summarise this call.', notes: [path] }));
                tasks[0]?.notes.push('Private/Salary.md');
                return toolUseTurn([{ name: 'run_subtasks', input: { tasks, max_parallel: 3 } }]);
            }
            return textTurn('Synthesis: twelve customers, twelve features.');
        });
        const queue = await harness.queue();
        await queue.runUntilIdle();

        const job = jobOf(harness, 'Agent/Jobs/Digest.md');
        expect(job.status).toBe('done');
        const requests = harness.server.messageRequests();
        const children = requests.filter(isChild);
        expect(children).toHaveLength(12);
        // Children are read-only: they are not even offered a write tool, nor the fan-out itself.
        for (const child of children) {
            expect(toolNames(child)).not.toContain('create_note');
            expect(toolNames(child)).not.toContain('run_subtasks');
        }
        expect(toolNames(requests.find((r) => !isChild(r)) ?? requests[0]!)).toContain('run_subtasks');
        // The excluded note a subtask named is "not found" for its child; its text and tag never leave.
        const withPrivate = children.find((child) => firstUserText(child).includes('Private/Salary.md'));
        expect(firstUserText(withPrivate!)).toMatch(/Not found: there is no note at \\?"Private\/Salary.md/u);
        expect(harness.server.allRequestText()).not.toContain('CANARY-SUB-91');
        // Each child's answer came back to the parent, in task order.
        const back = toolResultsOf(requests.filter((r) => !isChild(r))[1]!)[0]?.text ?? '';
        for (let i = 1; i <= 12; i++) expect(back).toContain(`Summary: customer ${i}.`);
        expect(back.indexOf('customer 1.')).toBeLessThan(back.indexOf('customer 12.'));
        // One artifact, written by the parent; the children wrote nothing.
        const { readdirSync } = await import('node:fs');
        expect(readdirSync(`${harness.temp.root}/Agent/Outputs`)).toHaveLength(1);
        expect(harness.temp.readRaw(`Agent/Outputs/Digest (${job.id}).md`).toString('utf8')).toContain('Synthesis:');
        // The job's usage counts the children's tokens too (12 × 1,000 in, 12 × 100 out), not only the parent's.
        expect(job.usage.input).toBeGreaterThanOrEqual(12_000);
        expect(job.usage.output).toBeGreaterThanOrEqual(1_200);
        expect(lastUserText(children[0]!)).toContain('<subtask>');
    });

    it('cancelling the job stops the children too', async () => {
        harness = await makeQueueHarness({
            files: { 'A.md': 'Alpha.\n', 'Agent/Jobs/Fan.md': jobNote('Fan out.') },
        });
        harness.server.setResponder((request) => {
            if (isChild(request)) return stall({ after: 'text', turn: textTurn('Half an answer') });
            return toolUseTurn([
                { name: 'run_subtasks', input: { tasks: [{ instruction: 'Look at A', notes: ['A.md'] }] } },
            ]);
        });
        const queue = await harness.queue();
        const done = queue.runUntilIdle();
        while (!harness.server.messageRequests().some(isChild)) await new Promise((r) => setTimeout(r, 10));
        const started = Date.now();
        await queue.cancel('Agent/Jobs/Fan.md');
        await done;
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(jobOf(harness, 'Agent/Jobs/Fan.md').status).toBe('cancelled');
        expect(harness.server.messageRequests().filter(isChild)).toHaveLength(1);
    });
});
