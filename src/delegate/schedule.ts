/**
 * Schedule expressions for template jobs: `daily 08:00`, `weekdays 09:30`, `weekly mon 09:00`, or a 5-field cron
 * expression (minute hour day-of-month month day-of-week; `*`, lists, ranges, steps and day names). Times are the
 * device's local time, as a person means them. The friendly forms are written as cron expressions and every
 * expression is evaluated by `croner`, which knows the device's time zone and its clock changes
 * (docs/decisions/0014-schedules-with-croner.md):
 *
 * - when the clock goes back, a time that happens twice (01:30 on the autumn change in New York) fires once, the
 *   first time;
 * - when the clock goes forward, a time that does not exist that day (02:30 on the spring change) fires once, at the
 *   moment the skipped hour ends (03:00 local time), and at its own time again from the next day;
 * - an interval (`*\/15 * * * *`) follows the real clock: no runs in the skipped hour, runs in both copies of the
 *   repeated one.
 *
 * Parsing returns a value, never throws at people.
 */
import { Cron } from 'croner';

/** A parsed schedule. */
export interface Schedule {
    /** The expression as written. */
    source: string;
    /** The cron expression it stands for (`daily 08:00` is `0 8 * * *`). */
    cron: string;
    /** The evaluator; it schedules nothing by itself. */
    readonly evaluator: Cron;
}

/** A schedule, or why the text is not one. */
export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; reason: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** How many runs `lastDue` steps through before it settles on the latest it found. */
const MAX_STEPS = 100_000;

/** Reads a schedule expression. */
export function parseSchedule(text: string): ScheduleParse {
    const source = text.trim();
    const words = source.toLowerCase().split(/\s+/u);
    const time = (value: string | undefined): [number, number] | null => {
        const match = /^(\d{1,2}):(\d{2})$/u.exec(value ?? '');
        if (match === null) return null;
        const [hour, minute] = [Number(match[1]), Number(match[2])];
        return hour < 24 && minute < 60 ? [hour, minute] : null;
    };
    const simple = (at: [number, number] | null, days: string): ScheduleParse =>
        at === null
            ? { ok: false, reason: `"${source}": the time should look like 08:00` }
            : compile(source, `${at[1]} ${at[0]} * * ${days}`);
    if (words[0] === 'daily' && words.length === 2) return simple(time(words[1]), '*');
    if (words[0] === 'weekdays' && words.length === 2) return simple(time(words[1]), '1-5');
    if (words[0] === 'weekly' && words.length === 3) {
        const day = DAY_NAMES.indexOf((words[1] ?? '').slice(0, 3));
        if (day === -1) return { ok: false, reason: `"${source}": "${words[1] ?? ''}" is not a day of the week` };
        return simple(time(words[2]), String(day));
    }
    if (words.length === 5) return compile(source, words.join(' '));
    return {
        ok: false,
        reason: `"${source}" is not a schedule: use "daily 08:00", "weekdays 09:30", "weekly mon 09:00" or a cron expression`,
    };
}

/** The first moment after `afterMs` (exclusive) the schedule fires, in ms; `null` when it never does. */
export function nextRun(schedule: Schedule, afterMs: number): number | null {
    const next = schedule.evaluator.nextRun(new Date(afterMs));
    return next === null ? null : next.getTime();
}

/** The last moment in (`afterMs`, `nowMs`] the schedule fired, or `null`: missed runs collapse into this one. */
export function lastDue(schedule: Schedule, afterMs: number, nowMs: number): number | null {
    let due: number | null = null;
    let cursor = afterMs;
    for (let i = 0; i < MAX_STEPS; i++) {
        const next = nextRun(schedule, cursor);
        if (next === null || next > nowMs) return due;
        due = next;
        cursor = next;
    }
    return due;
}

function compile(source: string, cron: string): ScheduleParse {
    try {
        // No callback: the instance only evaluates the pattern. Cron's rule holds for the day fields (when both are
        // restricted, either may match); seconds and year fields are not offered, so five fields mean what they
        // mean everywhere else. A time without `*` or a step (`30 1 * * *`, `0 9,17 * * *`) is a fixed time: once
        // on a day it happens twice, after the gap on a day it does not exist. `*/15 * * * *` is an interval.
        const evaluator = new Cron(cron, { mode: '5-part', fixedTimeRule: 'no-wildcard' });
        if (evaluator.nextRun() === null) {
            return { ok: false, reason: `"${source}" never fires` };
        }
        return { ok: true, schedule: { source, cron, evaluator } };
    } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return { ok: false, reason: `"${source}" is not a valid cron expression (${detail})` };
    }
}
