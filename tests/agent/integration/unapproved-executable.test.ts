/**
 * Issue 14, item 5 for writes nobody approved: a job's `create_note`, an edit or new note in auto-accept chat. Code
 * other plugins run (Dataview JS, inline `$=`, Templater) is made inert before the write, the model is told in the
 * tool result, the job log says so, and the chat transcript says so. An approved write is written as the person saw
 * it. Over a real temp folder; the real SDK talks to the local Messages-API server; files are read back from disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../../src/delegate/job-note';
import { textTurn, toolResultsOf, toolUseTurn } from '../../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from '../../delegate/queue-harness';
import { makeEngine, type Engine } from './engine-harness';

const HOSTILE = [
    '# Dashboard',
    '',
    '```dataviewjs',
    "dv.el('b', app.vault.adapter.basePath)",
    '```',
    '',
    'Count: `$= dv.pages().length`',
    '',
    '<%* await tp.file.move("/Secrets/x") %>',
    '',
].join('\n');

/** Checked with patterns of their own, not the detector under test. */
function expectInert(text: string): void {
    expect(text).not.toMatch(/^[ \t>*+-]*(`{3,}|~{3,})[ \t]*(dataviewjs|dataview|query)\b/im);
    expect(text).not.toMatch(/`[ \t]*\$=/);
    expect(text).not.toContain('<%');
    expect(text).toContain("dv.el('b', app.vault.adapter.basePath)");
}

let engine: Engine | undefined;
let harness: QueueHarness | undefined;
afterEach(async () => {
    await engine?.cleanup();
    await harness?.cleanup();
    engine = undefined;
    harness = undefined;
});

function resultTexts(e: { server: Engine['server'] }): string[] {
    return e.server.messageRequests().flatMap((request) => toolResultsOf(request).map((r) => r.text));
}

describe('writes nobody approved carry no code other plugins run', () => {
    it('auto-accept: a new note is made inert, an edit only on the lines it adds, and the model is told', async () => {
        const own = 'Mine:\n\n```dataviewjs\ndv.list([1])\n```\n\nend\n';
        engine = await makeEngine({ mode: 'auto-edits', files: { 'Own.md': own } });
        engine.server.enqueue(
            toolUseTurn([
                { name: 'create_note', input: { path: 'Dash.md', content: HOSTILE } },
                {
                    name: 'edit_note',
                    input: { path: 'Own.md', edits: [{ old: 'end', new: 'end <% tp.date.now() %>' }] },
                },
            ]),
            textTurn('Done.'),
        );
        const events: string[] = [];
        engine.session.subscribe((event) => {
            if (event.type === 'tool-done') events.push(event.result.content);
        });
        await engine.session.send('Make a dashboard');
        expect(engine.approvals.requests).toHaveLength(0);
        expectInert(engine.temp.readRaw('Dash.md').toString());
        // The person's own block in the edited note still runs; only the added Templater command is inert.
        expect(engine.temp.readRaw('Own.md').toString()).toBe(own.replace('end\n', 'end <\\% tp.date.now() %>\n'));
        const texts = resultTexts(engine);
        expect(texts[0]).toContain('Nobody approved this write, so code that other plugins run was made inert');
        expect(texts[0]).toContain('1 × a Dataview JS block');
        expect(texts[1]).toContain('1 × a Templater command');
        expect(events.join('\n')).toContain('made inert');
    });

    it('ask mode: a change the person approved is written as shown, code and all', async () => {
        engine = await makeEngine({
            mode: 'ask',
            script: [(p) => Promise.resolve({ kind: 'approve', binding: p.binding })],
        });
        engine.server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Dash.md', content: HOSTILE } }]),
            textTurn('Done.'),
        );
        await engine.session.send('Make a dashboard');
        expect(engine.approvals.requests).toHaveLength(1);
        expect(engine.temp.readRaw('Dash.md').toString()).toBe(HOSTILE);
        expect(resultTexts(engine)[0]).not.toContain('made inert');
    });

    it('a job: its create_note is written inert, and the job log and the tool result say so', async () => {
        harness = await makeQueueHarness({ files: { 'Agent/Jobs/Dash.md': jobNote('Make a dashboard note.') } });
        harness.server.enqueue(
            toolUseTurn([{ name: 'create_note', input: { path: 'Agent/Outputs/Dash board.md', content: HOSTILE } }]),
            textTurn('Made it.'),
        );
        const queue = await harness.queue();
        await queue.runUntilIdle();
        expectInert(harness.temp.readRaw('Agent/Outputs/Dash board.md').toString());
        const jobText = harness.temp.readRaw('Agent/Jobs/Dash.md').toString();
        const read = readJobNote('Agent/Jobs/Dash.md', jobText);
        if (read.kind !== 'job') throw new Error('not a job');
        expect(read.job.status).toBe('done');
        expect(jobText).toContain('create_note "Agent/Outputs/Dash board.md": Nobody approved this write');
        expect(jobText).toContain('1 × a Dataview JS block');
        expect(resultTexts(harness)[0]).toContain('made inert');
    });
});
