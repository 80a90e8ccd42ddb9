/**
 * Modified-date filters in words, as the model writes them: `today`, `yesterday`, `this week` (from Monday),
 * `last week`, `this month`, `last month`, `this year`, `last 7 days` / `past 30 days`, `since 2024-05-01`, a day
 * (`2024-05-01`), or a range (`2024-05-01..2024-05-31`). Local time, as the person reads dates.
 */

/** A time range: from (inclusive) to (exclusive), ms since the epoch. */
export interface TimeRange {
    from: number;
    to: number;
}

const DAY_MS = 86_400_000;

/** The range `text` names, relative to `now`; a sentence saying what is understood when it names none. */
export function modifiedRange(text: string, now: number): TimeRange | string {
    const said = text.trim().toLowerCase();
    const today = startOfDay(new Date(now));
    const day = (offset: number): number => addDays(today, offset).getTime();
    const monday = addDays(today, -((today.getDay() + 6) % 7));
    const month = new Date(today.getFullYear(), today.getMonth(), 1);
    const end = Number.MAX_SAFE_INTEGER;
    switch (said) {
        case 'today':
            return { from: day(0), to: end };
        case 'yesterday':
            return { from: day(-1), to: day(0) };
        case 'this week':
            return { from: monday.getTime(), to: end };
        case 'last week':
            return { from: addDays(monday, -7).getTime(), to: monday.getTime() };
        case 'this month':
            return { from: month.getTime(), to: end };
        case 'last month':
            return { from: new Date(month.getFullYear(), month.getMonth() - 1, 1).getTime(), to: month.getTime() };
        case 'this year':
            return { from: new Date(today.getFullYear(), 0, 1).getTime(), to: end };
    }
    const recent = /^(?:last|past)\s+(\d{1,4})\s+days?$/u.exec(said);
    if (recent !== null) return { from: now - Number(recent[1]) * DAY_MS, to: end };
    const since = /^(?:since|after)\s+(\d{4}-\d{2}-\d{2})$/u.exec(said);
    if (since !== null) {
        const from = dateOf(since[1] ?? '');
        if (from !== null) return { from: from.getTime(), to: end };
    }
    const range = /^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$/u.exec(said);
    if (range !== null) {
        const from = dateOf(range[1] ?? '');
        const to = dateOf(range[2] ?? '');
        if (from !== null && to !== null) return { from: from.getTime(), to: addDays(to, 1).getTime() };
    }
    const single = dateOf(said);
    if (single !== null) return { from: single.getTime(), to: addDays(single, 1).getTime() };
    return (
        `Cannot read modified "${text}": use today, yesterday, this week, last week, this month, last month, ` +
        'this year, "last 7 days", "since 2024-05-01", a day (2024-05-01) or a range (2024-05-01..2024-05-31).'
    );
}

function dateOf(text: string): Date | null {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(text);
    if (match === null) return null;
    const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    return Number.isNaN(date.getTime()) || date.getMonth() !== Number(match[2]) - 1 ? null : date;
}

function startOfDay(date: Date): Date {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate());
}

function addDays(date: Date, days: number): Date {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate() + days);
}
