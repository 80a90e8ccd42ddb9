/**
 * Template jobs: a job note with `schedule` never runs itself; each due run spawns a job note from it. Runs missed
 * while the app was closed are run ONCE on start, not once per missed slot. Three spawned jobs failing in a row pause
 * the schedule (the template's `schedule-state.paused`), with a notice; the person clears it to resume.
 */
import { linkTo } from './artifact';
import { jobTitle, type JobNote, type ScheduleState } from './job-note';
import { jobModeOf } from './job-context';
import { createJobNote, JobSpecError } from './job-spec';
import type { ExtensionContext, QueueExtension } from './queue-extension';
import { lastDue, nextRun, parseSchedule } from './schedule';

/** Failures in a row that pause a schedule. */
export const FAILURES_BEFORE_PAUSE = 3;

/** The schedule extension of the queue. */
export class Scheduler implements QueueExtension {
    private readonly reported = new Set<string>();

    /** Spawns a job for every template that is due. */
    async afterScan(context: ExtensionContext): Promise<void> {
        const now = context.clock.now();
        for (const template of context.jobs.filter((job) => job.schedule !== '')) {
            if (template.scheduleState.paused) continue;
            const parsed = parseSchedule(template.schedule);
            if (!parsed.ok) {
                if (!this.reported.has(template.path)) {
                    context.notifier.notify(
                        `The schedule of "${template.path}" cannot be read: ${parsed.reason}`,
                        'error',
                    );
                    this.reported.add(template.path);
                }
                continue;
            }
            const since = Date.parse(template.scheduleState.last || template.created);
            const from = Number.isFinite(since) ? since : now;
            const next = nextRun(parsed.schedule, from);
            if (next === null || next > now) continue;
            const due = lastDue(parsed.schedule, from, now) ?? next;
            await this.spawn(template, due, context);
        }
    }

    /** Counts a spawned job's failure against its template, or clears the count on success. */
    async afterJob(job: JobNote, context: ExtensionContext): Promise<void> {
        if (job.template === '' || (job.status !== 'done' && job.status !== 'failed')) return;
        const path = `${job.template.replace(/^\[\[|\]\]$/gu, '')}.md`;
        const updated = await context.store.update(path, (template) => {
            const state = template.scheduleState;
            if (job.status === 'done') {
                return state.failures === 0 ? null : { patch: { scheduleState: { ...state, failures: 0 } } };
            }
            const failures = state.failures + 1;
            const paused = failures >= FAILURES_BEFORE_PAUSE;
            const next: ScheduleState = { ...state, failures, paused };
            const log = paused
                ? [`Schedule paused: ${failures} runs failed in a row (last: ${linkTo(job.path)}).`]
                : [];
            return { patch: { scheduleState: next }, log };
        });
        if (updated?.scheduleState.paused === true && updated.scheduleState.failures === FAILURES_BEFORE_PAUSE) {
            context.notifier.notify(
                `Vault Agent paused the schedule "${jobTitle(path)}": three runs failed in a row.`,
                'error',
            );
        }
        if (updated !== null) context.remember(updated);
    }

    private async spawn(template: JobNote, due: number, context: ExtensionContext): Promise<void> {
        // Claim the slot on the template first, so two runners cannot both spawn it.
        const last = new Date(due).toISOString();
        const claimed = await context.store.update(template.path, (current) =>
            current.scheduleState.last === template.scheduleState.last
                ? { patch: { scheduleState: { ...current.scheduleState, last } } }
                : null,
        );
        if (claimed === null || claimed.scheduleState.last !== last) return;
        const stamp = last.slice(0, 16).replace('T', ' ').replace(':', '.');
        let path: string;
        try {
            path = await createJobNote(
                context.vault,
                context.jobsFolder,
                {
                    title: `${jobTitle(template.path)} ${stamp}`,
                    brief: template.brief,
                    context: template.context,
                    output: template.output,
                    model: template.model,
                    mode: jobModeOf(template.mode),
                    budget: template.budget,
                    batch: template.batch,
                    template: linkTo(template.path),
                    skills: template.skills,
                    mcpTools: template.mcpTools,
                },
                context.clock.now(),
                context.outputFolder,
            );
        } catch (e) {
            if (!(e instanceof JobSpecError)) throw e;
            // A template that cannot make a runnable job says so in its own log instead of spawning one.
            const logged = await context.store.update(template.path, () => ({
                patch: {},
                log: [`Not spawned: ${e.message}`],
            }));
            if (logged !== null) context.remember(logged);
            return;
        }
        const read = await context.store.read(path);
        if (read.kind === 'job') context.remember(read.job);
        const logged = await context.store.update(template.path, () => ({
            patch: {},
            log: [`Spawned ${linkTo(path)}.`],
        }));
        if (logged !== null) context.remember(logged);
    }
}
