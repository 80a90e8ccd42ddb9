/**
 * A job's artifact ends with a *Sources* section quoting each cited passage with its link, a passage not in its
 * source flagged there and in the job log; the real queue against the local Messages API, on a real temp vault.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readJobNote } from '../../src/delegate/job-note';
import { NO_CITATIONS_NOTE } from '../../src/agent/citations/answer-sources';
import { NOT_IN_SOURCE } from '../../src/delegate/sources-section';
import { citeText, citedText, documentsOf, forgedCitation, textTurn, turn } from '../support/messages-api-server';
import { jobNote, makeQueueHarness, type QueueHarness } from './queue-harness';

let harness: QueueHarness | undefined;
afterEach(async () => {
    await harness?.cleanup();
    harness = undefined;
});

const FILES = {
    'Calls/Acme.md': '# Acme\n\n## Wishes\n\nAcme wants CSV exports by May.\n',
    'Calls/Globex.md': '# Globex\n\n## Wishes\n\nGlobex wants imports.\n',
    'Agent/Jobs/Summarise.md': jobNote('Summarise the calls.', { context: '["[[Calls/Acme]]", "[[Calls/Globex]]"]' }),
};

function outcome(h: QueueHarness): { artifact: string; log: string } {
    const raw = h.temp.readRaw('Agent/Jobs/Summarise.md').toString('utf8');
    const read = readJobNote('Agent/Jobs/Summarise.md', raw);
    if (read.kind !== 'job') throw new Error('not a job');
    expect(read.job.status).toBe('done');
    return { artifact: h.temp.readRaw(`Agent/Outputs/Summarise (${read.job.id}).md`).toString('utf8'), log: raw };
}

describe('cited artifacts', () => {
    it('ends the artifact with a Sources section quoting each cited passage with its heading link', async () => {
        harness = await makeQueueHarness({ files: FILES });
        harness.server.setResponder((request) =>
            turn({
                content: [
                    citedText('Acme wants exports.', [
                        citeText(request, 'Calls/Acme.md', 'Acme wants CSV exports by May.'),
                    ]),
                    citedText(' Globex wants imports.', [
                        citeText(request, 'Calls/Globex.md', 'Globex wants imports.'),
                    ]),
                ],
            }),
        );
        await (await harness.queue()).runUntilIdle();
        const request = harness.server.messageRequests()[0]!;
        expect(documentsOf(request).map((d) => d.title)).toEqual(['Calls/Acme.md', 'Calls/Globex.md']);
        const { artifact, log } = outcome(harness);
        expect(artifact).toContain(
            [
                '## Sources',
                '',
                '- [[Calls/Acme#Wishes]]: “Acme wants CSV exports by May.”',
                '- [[Calls/Globex#Wishes]]: “Globex wants imports.”',
            ].join('\n'),
        );
        expect(log).not.toContain(NOT_IN_SOURCE);
    });

    it('flags in the artifact and the job log a quoted passage that is not in its source', async () => {
        harness = await makeQueueHarness({ files: FILES });
        harness.server.setResponder((request) =>
            turn({
                content: [
                    citedText('Acme wants exports by April.', [
                        forgedCitation(request, 'Calls/Acme.md', 'Acme wants CSV exports by April.', 20),
                    ]),
                ],
            }),
        );
        await (await harness.queue()).runUntilIdle();
        const { artifact, log } = outcome(harness);
        expect(artifact).toContain(`- [[Calls/Acme#Wishes]]: “Acme wants CSV exports by April.” ⚠ *${NOT_IN_SOURCE}*`);
        expect(log).toContain(`1 cited passage(s) ${NOT_IN_SOURCE}: [[Calls/Acme#Wishes]].`);
    });

    it('lists note-level sources and says so when the endpoint returned no citations', async () => {
        harness = await makeQueueHarness({ files: FILES });
        harness.server.enqueue(textTurn('Both want data moved.'));
        await (await harness.queue()).runUntilIdle();
        const { artifact } = outcome(harness);
        expect(artifact).toContain('## Sources\n\n- [[Calls/Acme]]\n- [[Calls/Globex]]');
        expect(artifact).toContain(`*${NO_CITATIONS_NOTE}*`);
    });
});
