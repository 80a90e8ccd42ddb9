/**
 * The one interleaving of the fault suite that its random kill only sometimes hits, pinned down: a runner wrote a
 * truncated job's incomplete artifact, then died before the job note said `failed`. The runner that recovers the job
 * must not call that result `done` (docs/RELIABILITY.md rows 27 and 29: "truncation flagged", "never done").
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { renderArtifact } from '../../../src/delegate/artifact';
import { readJobNote } from '../../../src/delegate/job-note';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { startRunner } from './fault-rig';
import { DEFAULT_MODEL } from '../../../src/kernel/default-model';

let server: MessagesApiServer | undefined;
let temp: TempVault | undefined;
afterEach(async () => {
    await server?.close();
    await temp?.cleanup();
});

const JOB = [
    '---',
    'vault-agent: job',
    'id: job-7f3a2b1c',
    'status: running',
    'created: "2026-11-21T08:00:00Z"',
    'context: []',
    'output: Agent/Outputs',
    'mode: delegate',
    'attempts: 1',
    'lease: { device: "runner-1", until: "2026-01-01T00:00:00Z" }',
    'artifact: ""',
    '---',
    'Job 1: summarise the week.',
    '',
].join('\n');

// A runner that wrote a cut-off job's artifact and died before marking the job failed leaves that artifact behind;
// the next runner must not take it as the job's result.
it('never marks a job done with the incomplete artifact a killed runner left behind (rows 27, 29)', async () => {
    server = await startMessagesApiServer({ defaultResponse: textTurn('A complete answer.') });
    const { content: incomplete } = renderArtifact({
        jobId: 'job-7f3a2b1c',
        title: 'Job 1',
        jobPath: 'Agent/Jobs/Job 1.md',
        outputFolder: 'Agent/Outputs',
        text: 'The first three notes say',
        sources: [],
        model: DEFAULT_MODEL,
        now: Date.UTC(2026, 10, 21, 8, 1),
        incomplete: 'The answer was cut off at the output limit.',
    });
    temp = await makeTempVault({ 'Agent/Jobs/Job 1.md': JOB, 'Agent/Outputs/Job 1 (job-7f3a2b1c).md': incomplete });
    const runner = startRunner({
        vault: temp.vault,
        server,
        deviceId: 'runner-2',
        seed: 1,
        notifier: { notify: () => undefined },
    });
    await runner.runUntilIdle();
    const read = readJobNote('Agent/Jobs/Job 1.md', readFileSync(`${temp.root}/Agent/Jobs/Job 1.md`, 'utf8'));
    expect(read.kind).toBe('job');
    if (read.kind === 'job') expect(read.job.status).not.toBe('done');
});
