/**
 * docs/RELIABILITY.md rows 24–29 replayed at once against a running queue: 50 jobs doing real tool work at concurrency
 * 6, faults injected at random from a seeded PRNG (print the seed; `FAULT_SEED=<n>` replays or varies it), and the
 * runner killed mid-run and a new one started on the same folder. At the end every job is honestly `done`, `failed`
 * or `interrupted`, no artifact is duplicated or partial, and no file outside the jobs and output folders changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobNote } from '../../../src/delegate/job-note';
import { FsVault } from '../../../src/vault/fs-vault-node';
import { startMessagesApiServer, type MessagesApiServer } from '../../support/messages-api-server';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import {
    DEFAULT_FAULT_SEED,
    draftContent,
    FaultPlan,
    partialCallPath,
    sourceMarker,
    summaryText,
    type JobLayout,
} from './fault-plan';
import {
    artifactsOf,
    clockAhead,
    CONFIG_DIR,
    hashFiles,
    isDraft,
    jobLayouts,
    JOBS_FOLDER,
    jobPath,
    killableVault,
    LEASE_MS,
    OUTPUT_FOLDERS,
    outputNotes,
    readJob,
    startRunner,
    vaultFiles,
    type OutputNote,
} from './fault-rig';

const SEED = Number(process.env.FAULT_SEED ?? DEFAULT_FAULT_SEED);
/** The runner is killed once this many model requests were made: mid-run, with jobs in flight. */
const KILL_AFTER_REQUESTS = 60;

interface Outcome {
    jobs: { layout: JobLayout; note: JobNote }[];
    outputs: OutputNote[];
    before: Map<string, string>;
    after: Map<string, string>;
    plan: FaultPlan;
    notices: string[];
    /** Jobs the first runner was running when it died. */
    inFlightAtKill: number;
    /** Job notes whose log says a runner stopped before the job finished. */
    recovered: number;
}

let server: MessagesApiServer | undefined;
let temp: TempVault | undefined;
let outcome: Outcome;

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
    const started = Date.now();
    while (!condition()) {
        if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for the queue');
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

beforeAll(async () => {
    const layouts = jobLayouts();
    const plan = new FaultPlan(SEED, layouts);
    server = await startMessagesApiServer({ responder: (request) => plan.respond(request) });
    temp = await makeTempVault(vaultFiles(layouts, SEED), { configDir: CONFIG_DIR });
    const untouchable = [JOBS_FOLDER, ...OUTPUT_FOLDERS];
    const before = hashFiles(temp.root, untouchable);
    const notices: string[] = [];
    const notifier = { notify: (message: string) => void notices.push(message) };

    // The first runner works until mid-run, then its process "dies": from that instant it writes nothing.
    const dying = killableVault(temp.vault);
    const first = startRunner({ vault: dying.vault, server, deviceId: 'runner-1', seed: SEED, notifier });
    first.start();
    const live = server;
    await until(() => live.messageRequests().length >= KILL_AFTER_REQUESTS, 30_000);
    const inFlightAtKill = first.snapshot().jobs.filter((job) => job.status === 'running').length;
    dying.kill();
    await first.stop();

    // A new process on the same folder, later than the dead runner's leases: it recovers and finishes the queue.
    const vault = await FsVault.open(temp.root, { configDir: CONFIG_DIR });
    const second = startRunner({
        vault,
        server,
        deviceId: 'runner-2',
        seed: SEED + 1,
        notifier,
        clock: clockAhead(2 * LEASE_MS),
    });
    await second.runUntilIdle();

    const root = temp.root;
    outcome = {
        jobs: layouts.map((layout) => ({ layout, note: readJob(root, layout) })),
        outputs: outputNotes(root),
        before,
        after: hashFiles(root, untouchable),
        plan,
        notices,
        inFlightAtKill,
        recovered: layouts.filter((layout) => temp?.readRaw(jobPath(layout)).toString('utf8').includes('Interrupted:'))
            .length,
    };
    const statuses = new Map<string, number>();
    for (const { note } of outcome.jobs) statuses.set(note.status, (statuses.get(note.status) ?? 0) + 1);
    // The seed and what it did, so a failure can be replayed with FAULT_SEED.
    console.log(
        `fault suite: FAULT_SEED=${SEED}; ${live.messageRequests().length} model requests; faults ` +
            `${JSON.stringify(Object.fromEntries(plan.log.counts))}; jobs ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
}, 120_000);

afterAll(async () => {
    await server?.close();
    await temp?.cleanup();
});

describe('a queue of 50 jobs under random faults and a killed runner (rows 24–29)', () => {
    it('injected every kind of fault and killed the first runner mid-run', () => {
        expect(outcome.plan.log.counts.size).toBeGreaterThanOrEqual(7);
        // Some jobs finished before the kill and some after it.
        expect(outcome.jobs.filter(({ note }) => note.status === 'done').length).toBeGreaterThan(0);
        expect(outcome.inFlightAtKill).toBeGreaterThan(0);
        expect(outcome.recovered).toBeGreaterThan(0);
    });

    it('leaves every job done, or honestly failed or interrupted', () => {
        for (const { layout, note } of outcome.jobs) {
            expect(['done', 'failed', 'interrupted'], `job ${layout.index}`).toContain(note.status);
            expect(note.lease, `job ${layout.index} still holds a lease`).toBeNull();
            if (note.status !== 'done') expect(note.error, `job ${layout.index} says why`).not.toBe('');
        }
        // Faults are injected at 30% per request, retried per call and per job: most jobs still finish.
        expect(outcome.jobs.filter(({ note }) => note.status === 'done').length).toBeGreaterThanOrEqual(40);
    });

    it('writes exactly one complete artifact per done job, holding the answer its real read led to', () => {
        for (const { layout, note } of outcome.jobs.filter(({ note }) => note.status === 'done')) {
            const artifacts = artifactsOf(outcome.outputs, layout);
            expect(artifacts, `job ${layout.index}`).toHaveLength(1);
            const [artifact] = artifacts;
            expect(artifact?.path.startsWith(`${layout.output}/`)).toBe(true);
            expect(artifact?.path).toContain(`(${note.id})`);
            expect(note.artifact).toBe(`[[${artifact?.path.replace(/\.md$/u, '')}]]`);
            expect(artifact?.text).toMatch(/^status: complete$/mu);
            const source = Number(/Topic (\d+)/u.exec(layout.source)?.[1]);
            expect(artifact?.text).toContain(summaryText(layout, sourceMarker(source)));
        }
    });

    it('leaves no artifact for a failed or interrupted job, except an incomplete one where output was truncated', () => {
        for (const { layout, note } of outcome.jobs.filter(({ note }) => note.status !== 'done')) {
            const artifacts = artifactsOf(outcome.outputs, layout);
            if (artifacts.length === 0) continue;
            expect(artifacts, `job ${layout.index}`).toHaveLength(1);
            expect(note.status).toBe('failed');
            expect(outcome.plan.log.truncatedJobs.has(layout.index), `job ${layout.index} was never truncated`).toBe(
                true,
            );
            expect(artifacts[0]?.text).toMatch(/^status: incomplete$/mu);
            expect(note.artifact).toBe(`[[${artifacts[0]?.path.replace(/\.md$/u, '')}]]`);
        }
        const incomplete = outcome.outputs.filter((note) => /^status: incomplete$/mu.test(note.text));
        for (const note of incomplete) {
            const owner = outcome.jobs.find(({ layout }) => artifactsOf([note], layout).length === 1);
            expect(owner !== undefined && outcome.plan.log.truncatedJobs.has(owner.layout.index)).toBe(true);
        }
    });

    it('never runs a half-streamed tool call, and leaves nothing partial or unexplained in the output folders', () => {
        const layouts = outcome.jobs.map(({ layout }) => layout);
        for (const note of outcome.outputs) {
            expect(
                layouts.some((layout) => note.path === partialCallPath(layout)),
                note.path,
            ).toBe(false);
            const draftOf = isDraft(note, layouts);
            if (draftOf !== undefined) {
                expect(note.text, note.path).toBe(draftContent(draftOf));
                continue;
            }
            const owners = layouts.filter((layout) => artifactsOf([note], layout).length === 1);
            expect(owners, `${note.path} belongs to exactly one job`).toHaveLength(1);
        }
    });

    it('changed no file outside the jobs and output folders (hashes before and after)', () => {
        expect(outcome.before.size).toBeGreaterThan(30);
        expect([...outcome.after.keys()].sort()).toEqual([...outcome.before.keys()].sort());
        for (const [path, hash] of outcome.before) expect(outcome.after.get(path), path).toBe(hash);
    });
});
