/**
 * Schedule expressions for template jobs: `daily 08:00`, `weekdays 09:30`, `weekly mon 09:00`, or a 5-field cron
 * expression (minute hour day-of-month month day-of-week; `*`, lists, ranges and steps). Times are the device's local
 * time, as a person means them. Parsing returns a value, never throws at people.
 */

/** A parsed schedule: the minutes, hours, days and months it fires on. */
export interface Schedule {
    /** The expression as written. */
    source: string;
    /** Minutes 0–59. */
    minutes: ReadonlySet<number>;
    /** Hours 0–23. */
    hours: ReadonlySet<number>;
    /** Days of the month 1–31. */
    days: ReadonlySet<number>;
    /** Months 1–12. */
    months: ReadonlySet<number>;
    /** Days of the week 0–6, Sunday 0. */
    weekdays: ReadonlySet<number>;
    /** Cron's rule: when both day fields are restricted, either may match. */
    eitherDay: boolean;
}

/** A schedule, or why the text is not one. */
export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; reason: string };

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE_MS = 60_000;
/** How far ahead a schedule is searched before it counts as never firing. */
const HORIZON_MINUTES = 366 * 24 * 60 * 5;

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
    const simple = (at: [number, number] | null, weekdays: number[]): ScheduleParse =>
        at === null
            ? { ok: false, reason: `"${source}": the time should look like 08:00` }
            : {
                  ok: true,
                  schedule: {
                      source,
                      minutes: new Set([at[1]]),
                      hours: new Set([at[0]]),
                      days: range(1, 31),
                      months: range(1, 12),
                      weekdays: new Set(weekdays),
                      eitherDay: false,
                  },
              };
    if (words[0] === 'daily' && words.length === 2) return simple(time(words[1]), [0, 1, 2, 3, 4, 5, 6]);
    if (words[0] === 'weekdays' && words.length === 2) return simple(time(words[1]), [1, 2, 3, 4, 5]);
    if (words[0] === 'weekly' && words.length === 3) {
        const day = DAY_NAMES.indexOf((words[1] ?? '').slice(0, 3));
        if (day === -1) return { ok: false, reason: `"${source}": "${words[1] ?? ''}" is not a day of the week` };
        return simple(time(words[2]), [day]);
    }
    if (words.length === 5) return parseCron(source, words);
    return {
        ok: false,
        reason: `"${source}" is not a schedule: use "daily 08:00", "weekdays 09:30", "weekly mon 09:00" or a cron expression`,
    };
}

/** The first moment after `afterMs` (exclusive) the schedule fires, in ms; `null` when it never does. */
export function nextRun(schedule: Schedule, afterMs: number): number | null {
    let t = (Math.floor(afterMs / MINUTE_MS) + 1) * MINUTE_MS;
    for (let step = 0; step < HORIZON_MINUTES; step++) {
        const date = new Date(t);
        if (!dayMatches(schedule, date) || !schedule.months.has(date.getMonth() + 1)) {
            // Jump to the next local midnight.
            const next = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1).getTime();
            t = next;
            continue;
        }
        if (schedule.hours.has(date.getHours()) && schedule.minutes.has(date.getMinutes())) return t;
        t += MINUTE_MS;
    }
    return null;
}

/** The last moment in (`afterMs`, `nowMs`] the schedule fired, or `null`: missed runs collapse into this one. */
export function lastDue(schedule: Schedule, afterMs: number, nowMs: number): number | null {
    let due: number | null = null;
    let cursor = afterMs;
    for (let i = 0; i < 100_000; i++) {
        const next = nextRun(schedule, cursor);
        if (next === null || next > nowMs) return due;
        due = next;
        cursor = next;
    }
    return due;
}

function dayMatches(schedule: Schedule, date: Date): boolean {
    const day = schedule.days.has(date.getDate());
    const weekday = schedule.weekdays.has(date.getDay());
    return schedule.eitherDay ? day || weekday : day && weekday;
}

function parseCron(source: string, fields: string[]): ScheduleParse {
    const specs: [string, number, number][] = [
        ['minute', 0, 59],
        ['hour', 0, 23],
        ['day of month', 1, 31],
        ['month', 1, 12],
        ['day of week', 0, 7],
    ];
    const sets: Set<number>[] = [];
    for (let i = 0; i < 5; i++) {
        const [name, min, max] = specs[i] as [string, number, number];
        const field = fields[i] ?? '';
        const set = cronField(field, min, max, i === 4);
        if (set === null) return { ok: false, reason: `"${source}": the ${name} field "${field}" is not valid` };
        sets.push(set);
    }
    const weekdays = new Set([...(sets[4] as Set<number>)].map((day) => day % 7));
    const restricted = fields[2] !== '*' && fields[4] !== '*';
    return {
        ok: true,
        schedule: {
            source,
            minutes: sets[0] as Set<number>,
            hours: sets[1] as Set<number>,
            days: sets[2] as Set<number>,
            months: sets[3] as Set<number>,
            weekdays,
            eitherDay: restricted,
        },
    };
}

function cronField(field: string, min: number, max: number, dayNames: boolean): Set<number> | null {
    const out = new Set<number>();
    for (const part of field.split(',')) {
        const [body = '', stepText] = part.split('/');
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) return null;
        let low = min;
        let high = max;
        if (body !== '*') {
            const [a = '', b] = body.split('-');
            const first = cronValue(a, dayNames);
            const last = b === undefined ? (stepText === undefined ? first : max) : cronValue(b, dayNames);
            if (first === null || last === null || first < min || last > max || first > last) return null;
            low = first;
            high = last;
        }
        for (let value = low; value <= high; value += step) out.add(value);
    }
    return out;
}

function cronValue(text: string, dayNames: boolean): number | null {
    if (/^\d+$/u.test(text)) return Number(text);
    const day = dayNames ? DAY_NAMES.indexOf(text.toLowerCase()) : -1;
    return day === -1 ? null : day;
}

function range(from: number, to: number): Set<number> {
    return new Set(Array.from({ length: to - from + 1 }, (_, i) => from + i));
}
