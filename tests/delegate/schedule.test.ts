import { CheckpointStore } from '../../src/agent/changes/checkpoints';
import { ExclusionGate } from '../../src/context/exclusions';
import { DEFAULT_SETTINGS } from '../../src/kernel/settings';
import { MemoryCheckpointPersistence } from '../agent/changes/fixtures';
import { afterEach, describe, expect, it } from 'vitest';
import { JobStore } from '../../src/delegate/job-store';
import { readJobNote, type JobNote } from '../../src/delegate/job-note';
import { lastDue, nextRun, parseSchedule, type Schedule } from '../../src/delegate/schedule';
import { Scheduler } from '../../src/delegate/scheduler';
import type { ExtensionContext } from '../../src/delegate/queue-extension';
import type { Clock } from '../../src/kernel/ports';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { CapturedNotices, jobNote } from './queue-harness';

/** Time that moves only when the test says so. */
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

const local = (y: number, m: number, d: number, h = 0, min = 0): number => new Date(y, m - 1, d, h, min).getTime();

function schedule(text: string): Schedule {
    const parsed = parseSchedule(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.schedule;
}

describe('schedule expressions', () => {
    it('reads daily, weekdays, weekly and cron forms, in local time', () => {
        // 2026-11-20 is a Friday.
        expect(nextRun(schedule('daily 08:00'), local(2026, 11, 20, 9))).toBe(local(2026, 11, 21, 8));
        expect(nextRun(schedule('weekdays 09:30'), local(2026, 11, 20, 10))).toBe(local(2026, 11, 23, 9, 30));
        expect(nextRun(schedule('weekly mon 09:00'), local(2026, 11, 20))).toBe(local(2026, 11, 23, 9));
        expect(nextRun(schedule('*/15 * * * *'), local(2026, 11, 20, 9, 1))).toBe(local(2026, 11, 20, 9, 15));
        expect(nextRun(schedule('0 7 1 * *'), local(2026, 11, 20))).toBe(local(2026, 12, 1, 7));
        expect(nextRun(schedule('30 18 * * fri'), local(2026, 11, 20, 19))).toBe(local(2026, 11, 27, 18, 30));
    });

    it('explains what is wrong instead of throwing', () => {
        for (const bad of ['hourly', 'daily 25:00', 'weekly moonday 09:00', '61 * * * *', '* * *']) {
            const parsed = parseSchedule(bad);
            expect(parsed.ok).toBe(false);
        }
    });

    it('collapses missed runs into the latest one', () => {
        expect(lastDue(schedule('daily 08:00'), local(2026, 11, 10, 9), local(2026, 11, 20, 12))).toBe(
            local(2026, 11, 20, 8),
        );
    });
});

describe('template jobs', () => {
    let temp: TempVault | undefined;
    afterEach(async () => {
        await temp?.cleanup();
        temp = undefined;
    });

    async function setup(clock: ManualClock) {
        temp = await makeTempVault({
            'Agent/Jobs/Morning digest.md': jobNote('Digest yesterday.', {
                schedule: 'daily 08:00',
                created: `"${new Date(local(2026, 11, 10, 12)).toISOString()}"`,
            }),
        });
        const store = new JobStore({ vault: temp.vault, clock });
        const notices = new CapturedNotices();
        const scheduler = new Scheduler();
        const context = async (): Promise<ExtensionContext> => ({
            vault: temp!.vault,
            store,
            clock,
            notifier: notices,
            jobsFolder: 'Agent/Jobs',
            outputFolder: 'Agent/Outputs',
            jobs: (await store.list('Agent/Jobs')).flatMap((r) => (r.kind === 'job' ? [r.job] : [])),
            remember: () => undefined,
            unwritable: () => false,
            cannotWrite: () => undefined,
            gate: () => new ExclusionGate({ vault: temp!.vault, privacy: DEFAULT_SETTINGS.privacy }),
            checkpoints: new CheckpointStore({ vault: temp!.vault, persistence: new MemoryCheckpointPersistence() }),
            wake: () => undefined,
            maxAttempts: 3,
            paused: false,
            runDeps: () => Promise.resolve(null),
        });
        return { store, scheduler, context, notices };
    }

    const spawned = async (t: TempVault): Promise<JobNote[]> =>
        (await t.vault.list())
            .map((f) => readJobNote(f.path, t.readRaw(f.path).toString('utf8')))
            .flatMap((r) => (r.kind === 'job' && r.job.template !== '' ? [r.job] : []));

    it('spawns one job for runs missed while closed, then one per due run', async () => {
        const clock = new ManualClock(local(2026, 11, 20, 12));
        const { scheduler, context } = await setup(clock);
        await scheduler.afterScan(await context());
        await scheduler.afterScan(await context());
        let jobs = await spawned(temp!);
        expect(jobs).toHaveLength(1);
        expect(jobs[0]).toMatchObject({
            status: 'queued',
            brief: 'Digest yesterday.',
            template: '[[Agent/Jobs/Morning digest]]',
        });

        clock.set(local(2026, 11, 21, 7, 59));
        await scheduler.afterScan(await context());
        expect(await spawned(temp!)).toHaveLength(1);
        clock.set(local(2026, 11, 21, 8, 0));
        await scheduler.afterScan(await context());
        jobs = await spawned(temp!);
        expect(jobs).toHaveLength(2);
    });

    it('pauses the schedule after three failures in a row', async () => {
        const clock = new ManualClock(local(2026, 11, 20, 12));
        const { scheduler, context, store, notices } = await setup(clock);
        const failed = {
            template: '[[Agent/Jobs/Morning digest]]',
            status: 'failed',
            path: 'Agent/Jobs/x.md',
        } as JobNote;
        for (let i = 0; i < 3; i++) await scheduler.afterJob(failed, await context());
        const template = await store.read('Agent/Jobs/Morning digest.md');
        expect(template.kind === 'job' && template.job.scheduleState).toMatchObject({ failures: 3, paused: true });
        expect(notices.messages.some((n) => n.message.includes('three runs failed'))).toBe(true);
        clock.set(local(2026, 11, 25, 12));
        await scheduler.afterScan(await context());
        expect(await spawned(temp!)).toHaveLength(0);
    });
});
