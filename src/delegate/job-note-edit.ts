/**
 * Writes the queue's state back into a job note: only the queue's own frontmatter keys change, and log lines are
 * appended under `## Log`. The keys are set through the `yaml` package's document (`job-yaml.ts`), in place: the
 * brief, the person's keys, comments (one after an own key's value included), blank lines, the BOM and the line
 * endings stay byte-identical. Used inside `vault.process`, so every write is atomic and based on the text on disk now.
 */
import {
    LOG_HEADING,
    ownValue,
    splitFrontmatter,
    type JobLease,
    type JobStatus,
    type JobUsage,
    type OwnKey,
    type ScheduleState,
} from './job-note';
import { FrontmatterYamlError, setEntries, type YamlValue } from './job-yaml';

/** A change to the queue's keys; fields left out stay as they are. */
export interface JobPatch {
    /** The job id. */
    id?: string;
    /** The new status. */
    status?: JobStatus;
    /** The lease, or `null` to release it. */
    lease?: JobLease | null;
    /** Runs started. */
    attempts?: number;
    /** The result note as a wikilink. */
    artifact?: string;
    /** Tokens and cost. */
    usage?: JobUsage;
    /** The last error ('' clears it). */
    error?: string;
    /** The Message Batch id. */
    batchId?: string;
    /** When to try again (ISO time; '' clears it). */
    retryAt?: string;
    /** Template bookkeeping. */
    scheduleState?: ScheduleState;
}

/**
 * `text` with `patch` applied and `log` lines appended, or `null` when the note has no readable frontmatter block
 * (the caller then leaves it alone).
 */
export function editJobText(text: string, patch: JobPatch, log: readonly string[] = []): string | null {
    return editNoteText(text, patchEntries(patch), log);
}

/**
 * `text` with the frontmatter `entries` set in place and `log` lines appended under `## Log`, or `null` when the note
 * has no readable frontmatter block. The same edit as a job note's, for other notes the queue keeps (trigger notes).
 */
export function editNoteText(
    text: string,
    entries: readonly (readonly [string, YamlValue])[],
    log: readonly string[] = [],
): string | null {
    const split = splitFrontmatter(text);
    if (split === null) return null;
    let source: string;
    try {
        source = setEntries(split.source, entries);
    } catch (e) {
        if (e instanceof FrontmatterYamlError) return null;
        throw e;
    }
    const head = [split.lines[0] ?? '---', ...(split.closeLine > 1 || source !== '' ? source.split('\n') : [])];
    const body = appendLog(split.lines.slice(split.closeLine + 1), log);
    return [...head, split.lines[split.closeLine] ?? '---', ...body].join(split.eol);
}

/** A log line: `- 2026-11-21T08:00:00Z message`, on one line whatever `message` holds. */
export function logLine(now: number, message: string): string {
    return `- ${new Date(now).toISOString().replace(/\.\d{3}Z$/u, 'Z')} ${message.replace(/\s*\r?\n\s*/gu, ' ')}`;
}

function patchEntries(patch: JobPatch): [OwnKey, YamlValue][] {
    const out: [OwnKey, YamlValue][] = [];
    if (patch.id !== undefined) out.push(['id', patch.id]);
    if (patch.status !== undefined) out.push(['status', patch.status]);
    if (patch.lease !== undefined) out.push(['lease', ownValue('lease', { ...EMPTY, lease: patch.lease })]);
    if (patch.attempts !== undefined) out.push(['attempts', patch.attempts]);
    if (patch.artifact !== undefined) out.push(['artifact', patch.artifact]);
    if (patch.usage !== undefined) out.push(['usage', ownValue('usage', { ...EMPTY, usage: patch.usage })]);
    if (patch.error !== undefined) out.push(['error', patch.error]);
    if (patch.batchId !== undefined) out.push(['batch-id', patch.batchId]);
    if (patch.retryAt !== undefined) out.push(['retry-at', patch.retryAt]);
    if (patch.scheduleState !== undefined) {
        out.push(['schedule-state', ownValue('schedule-state', { ...EMPTY, scheduleState: patch.scheduleState })]);
    }
    return out;
}

const EMPTY = {
    lease: null,
    usage: { input: 0, output: 0, cacheRead: 0, usd: 0 },
    scheduleState: { last: '', failures: 0, paused: false },
};

/** The body lines with `log` appended at the end of the log section (made when missing). */
function appendLog(body: string[], log: readonly string[]): string[] {
    if (log.length === 0) return body;
    const out = [...body];
    const heading = out.findIndex((line) => line.trimEnd() === LOG_HEADING);
    if (heading === -1) {
        const endsWithNewline = out.length > 0 && out[out.length - 1] === '';
        if (endsWithNewline) out.pop();
        while (out.length > 0 && out[out.length - 1]?.trim() === '') out.pop();
        out.push('', LOG_HEADING, '', ...log, '');
        return out;
    }
    let end = out.length;
    for (let i = heading + 1; i < out.length; i++) {
        if (/^#{1,2} /u.test(out[i] ?? '')) {
            end = i;
            break;
        }
    }
    let last = end - 1;
    while (last > heading && (out[last] ?? '').trim() === '') last--;
    const insertAt = last === heading ? heading + 1 : last + 1;
    const blankAfterHeading = last === heading ? [''] : [];
    out.splice(insertAt, 0, ...blankAfterHeading, ...log);
    if (out[out.length - 1] !== '') out.push('');
    return out;
}
