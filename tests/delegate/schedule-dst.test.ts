import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { ExclusionGate } from '../../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
/**
 * Schedules across the clock changes, in New York's time zone (set for this test process below and checked, so the
 * tests cannot pass vacuously in UTC). 2026-03-08: 02:00 jumps to 03:00, so 02:30 does not exist. 2026-11-01: 02:00
 * goes back to 01:00, so 01:30 happens twice. The scheduler itself is driven minute by minute through each night.
 */
const previousTz = process.env.TZ;
process.env.TZ = 'America/New_York';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import { JobStore } from '../../src/delegate/job-store';
import type { ExtensionContext } from '../../src/delegate/queue-extension';
import { lastDue, nextRun, parseSchedule, type Schedule } from '../../src/delegate/schedule';
import { Scheduler } from '../../src/delegate/scheduler';
import type { Clock } from '../../src/kernel/ports';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { CapturedNotices, jobNote } from './queue-harness';

const MINUTE = 60_000;

class ManualClock implements Clock {
    constructor(private time: number) {}
    now(): number {
        return this.time;
    }
    set(time: number): void {
        this.time = time;
    }
    async sleep(): Promise<void> {}
}

function schedule(text: string): Schedule {
    const parsed = parseSchedule(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.schedule;
}

/** Every run in [from, to), found by asking for the next one again and again. */
function runsBetween(text: string, from: string, to: string): string[] {
    const s = schedule(text);
    const end = Date.parse(to);
    const runs: string[] = [];
    let cursor = Date.parse(from) - 1;
    for (;;) {
        const next = nextRun(s, cursor);
        if (next === null || next >= end) return runs;
        runs.push(new Date(next).toISOString());
        cursor = next;
    }
}

afterAll(() => {
    // Should a worker be reused, the next file gets the zone it started with.
    if (previousTz === undefined) delete process.env.TZ;
    else process.env.TZ = previousTz;
});

beforeAll(() => {
    // The guard: in UTC every test below would pass or fail for the wrong reason.
    expect(new Date('2026-07-01T12:00:00Z').getTimezoneOffset()).toBe(240);
    expect(new Date('2026-12-01T12:00:00Z').getTimezoneOffset()).toBe(300);
    expect(new Date('2026-11-01T05:30:00Z').getHours()).toBe(1);
    expect(new Date('2026-11-01T06:30:00Z').getHours()).toBe(1);
});

describe('schedule expressions across the clock changes (America/New_York)', () => {
    it('autumn: daily 01:30 fires once on 2026-11-01, at the first 01:30 (EDT)', () => {
        const runs = runsBetween('daily 01:30', '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z');
        expect(runs).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    });

    it('autumn: a run just done at the first 01:30 is not due again at the second', () => {
        const s = schedule('daily 01:30');
        expect(lastDue(s, Date.parse('2026-11-01T05:30:00Z'), Date.parse('2026-11-01T06:45:00Z'))).toBeNull();
        expect(nextRun(s, Date.parse('2026-11-01T05:30:00Z'))).toBe(Date.parse('2026-11-02T06:30:00Z'));
    });

    it('spring: daily 02:30 fires once on 2026-03-08, at 03:00 EDT when the skipped hour ends', () => {
        const runs = runsBetween('daily 02:30', '2026-03-07T12:00:00Z', '2026-03-09T12:00:00Z');
        expect(runs).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
        expect(new Date('2026-03-08T07:00:00Z').getHours()).toBe(3);
    });

    it('the friendly forms keep their meaning on the days around the changes', () => {
        // 2026-11-01 is a Sunday: weekdays skips it; weekly sun fires once.
        expect(runsBetween('weekdays 01:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
            '2026-11-02T06:30:00.000Z',
        ]);
        expect(runsBetween('weekly sun 01:30', '2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z')).toEqual([
            '2026-11-01T05:30:00.000Z',
        ]);
        expect(runsBetween('30 1 * * *', '2026-11-01T00:00:00Z', '2026-11-01T12:00:00Z')).toHaveLength(1);
        expect(runsBetween('weekly sun 02:30', '2026-03-07T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
            '2026-03-08T07:00:00.000Z',
        ]);
    });

    it('an interval follows the real clock: none in the skipped hour, both copies of the repeated one', () => {
        expect(runsBetween('*/30 * * * *', '2026-03-08T06:00:00Z', '2026-03-08T08:00:00Z')).toHaveLength(4);
        expect(runsBetween('0 * * * *', '2026-11-01T04:00:00Z', '2026-11-01T08:00:00Z')).toHaveLength(4);
    });
});

describe('the scheduler through each night, minute by minute (America/New_York)', () => {
    let temp: TempVault | undefined;
    afterEach(async () => {
        await temp?.cleanup();
        temp = undefined;
    });

    async function night(expression: string, created: string, from: string, to: string): Promise<JobNote[]> {
        temp = await makeTempVault({
            'Agent/Jobs/Nightly.md': jobNote('Tidy up.', { schedule: expression, created: `"${created}"` }),
        });
        const clock = new ManualClock(Date.parse(from));
        const store = new JobStore({ vault: temp.vault, clock });
        const scheduler = new Scheduler();
        const t = temp;
        for (let now = Date.parse(from); now <= Date.parse(to); now += MINUTE) {
            clock.set(now);
            const context: ExtensionContext = {
                vault: t.vault,
                store,
                clock,
                notifier: new CapturedNotices(),
                jobsFolder: 'Agent/Jobs',
                outputFolder: 'Agent/Outputs',
                jobs: (await store.list('Agent/Jobs')).flatMap((r) => (r.kind === 'job' ? [r.job] : [])),
                remember: () => undefined,
                unwritable: () => false,
                cannotWrite: () => undefined,
                gate: () => new ExclusionGate({ vault: t.vault, privacy: DEFAULT_SETTINGS.privacy }),
                checkpoints: new CheckpointStore({ vault: t.vault, persistence: new MemoryCheckpointPersistence() }),
                wake: () => undefined,
                maxAttempts: 3,
                paused: false,
                runDeps: () => Promise.resolve(null),
            };
            await scheduler.afterScan(context);
        }
        return (await t.vault.list())
            .map((f) => readJobNote(f.path, t.readRaw(f.path).toString('utf8')))
            .flatMap((r) => (r.kind === 'job' && r.job.template !== '' ? [r.job] : []));
    }

    it('autumn: a daily 01:30 template spawns one job on 2026-11-01', async () => {
        // 00:50 EDT to 02:10 EST: the first 01:30, the hour back, the second 01:30.
        const jobs = await night('daily 01:30', '2026-11-01T04:45:00Z', '2026-11-01T04:50:00Z', '2026-11-01T07:10:00Z');
        expect(jobs).toHaveLength(1);
    }, 60_000);

    it('spring: a daily 02:30 template spawns one job on 2026-03-08', async () => {
        // 01:50 EST to 03:40 EDT: 02:30 never shows on the clock.
        const jobs = await night('daily 02:30', '2026-03-08T06:45:00Z', '2026-03-08T06:50:00Z', '2026-03-08T07:40:00Z');
        expect(jobs).toHaveLength(1);
    }, 60_000);
});
