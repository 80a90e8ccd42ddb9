/**
 * Job notes (docs/DESIGN.md, "Delegate jobs are notes"): a Markdown note whose frontmatter says `vault-agent: job`,
 * whose body is the brief, and under whose `## Log` heading the queue appends what the job did. This file reads one
 * into a
 * `JobNote`; `job-note-edit.ts` writes the queue's keys back without touching anything else.
 *
 * Reading is forgiving about what a person left out (defaults) and strict about what is there: a job note whose
 * frontmatter or whose own keys cannot be read is reported as quarantined and never rewritten (docs/RELIABILITY.md row
 * 29).
 */
import { parseFrontmatter, type YamlValue } from './job-yaml';

/** Where a job is. */
export const JOB_STATUSES = [
    'queued',
    'running',
    'needs-approval',
    'done',
    'failed',
    'cancelled',
    'interrupted',
] as const;

/** One of the job statuses. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Limits for one job; any left out is unlimited (the runner adds a default turn limit). */
export interface JobBudget {
    /** Most model calls. */
    turns?: number;
    /** Most tokens, input and output. */
    tokens?: number;
    /** Most cost in USD. */
    usd?: number;
    /** Most wall-clock minutes. */
    minutes?: number;
    /** Most notes the job may write (its artifact not counted). */
    files?: number;
}

/** Who runs the job, until when. */
export interface JobLease {
    /** The runner's device id. */
    device: string;
    /** ISO time after which the lease counts as abandoned. */
    until: string;
    /**
     * The machine the runner runs on (host name and install id), so a runner on the same machine can check whether the
     * holder's process still exists; absent in leases of runners that cannot be checked (or older ones).
     */
    host?: string;
    /** The runner's process id on `host`. */
    pid?: number;
}

/** Tokens and cost a job used so far. */
export interface JobUsage {
    /** Uncached input tokens. */
    input: number;
    /** Output tokens. */
    output: number;
    /** Input tokens read from the prompt cache. */
    cacheRead: number;
    /** Cost in USD. */
    usd: number;
}

/** A template's schedule bookkeeping. */
export interface ScheduleState {
    /** ISO time of the last due run that spawned a job ('' when none yet). */
    last: string;
    /** Spawned jobs that failed in a row. */
    failures: number;
    /** True once three runs failed in a row; the person clears it to resume. */
    paused: boolean;
}

/** A parsed job note. */
export interface JobNote {
    /** The note's vault path. */
    path: string;
    /** The stable job id (`job-7f3a…`), written by the queue the first time it touches the job; '' before. */
    id: string;
    /** Where the job is. */
    status: JobStatus;
    /** ISO creation time as written ('' when absent). */
    created: string;
    /** Context references: `[[Note]]`, `Folder/`, `#tag`. */
    context: string[];
    /** The output folder ('' = the settings' default). */
    output: string;
    /** The model id ('' = the settings' default). */
    model: string;
    /** The permission mode as written; anything but `delegate` or `propose` runs read-only. */
    mode: string;
    /** A schedule expression: set on template jobs, which spawn a job per due run. */
    schedule: string;
    /** The job's limits. */
    budget: JobBudget;
    /** The current lease, or `null` when none is held. */
    lease: JobLease | null;
    /** Runs started so far. */
    attempts: number;
    /** The result note as a wikilink, '' when none. */
    artifact: string;
    /** Tokens and cost so far. */
    usage: JobUsage;
    /** The last error, in words for the person. */
    error: string;
    /**
     * When the endpoint said to try again (ISO time), after a rate limit that asked for a longer pause than Vault Agent
     * waits; '' or absent when none. The job does not start before it.
     */
    retryAt?: string;
    /** True for single-turn jobs sent through the Message Batches API. */
    batch: boolean;
    /** The Message Batch id once submitted ('' before). */
    batchId: string;
    /** The template this job was spawned from, as a wikilink ('' for none). */
    template: string;
    /** Skills loaded up front, by name (`skills: [weekly-review]`). */
    skills: string[];
    /** MCP tools the job may use, by offered name (`mcp__server__tool`); none when empty. */
    mcpTools: string[];
    /** `web: true`: the job may search and fetch the web when the settings turn web research on. */
    web: boolean;
    /** Template bookkeeping (templates only). */
    scheduleState: ScheduleState;
    /** The trigger note that started this job, as a wikilink ('' for none). */
    trigger: string;
    /** The note that fired the trigger, as a wikilink ('' for none). */
    source: string;
    /** The MCP client that asked for this job, by the name it gave ('' for none). */
    client: string;
    /** Where to send word of the job's end (`webhook`, `ntfy`); none when empty. */
    deliver: string[];
    /** Whether that word carries the result's text. */
    deliverText: boolean;
    /** The brief: the body without the frontmatter and without the log section. */
    brief: string;
}

/** The frontmatter keys the queue may write; every other key stays byte-identical. */
export const OWN_KEYS = [
    'id',
    'status',
    'lease',
    'attempts',
    'artifact',
    'usage',
    'error',
    'batch-id',
    'retry-at',
    'schedule-state',
] as const;

/** One of the keys the queue writes. */
export type OwnKey = (typeof OWN_KEYS)[number];

/** The heading under which the queue appends its log. */
export const LOG_HEADING = '## Log';

/** What reading a note as a job gave. */
export type JobRead =
    { kind: 'job'; job: JobNote } | { kind: 'not-a-job' } | { kind: 'quarantined'; path: string; reason: string };

/** The frontmatter block of a note's text, and where the body starts. */
export interface FrontmatterSplit {
    /** The text between the delimiters, its lines joined with `\n`. */
    source: string;
    /** Index in `lines` of the closing delimiter. */
    closeLine: number;
    /** The note's lines (without line endings; a BOM stays on line 0). */
    lines: string[];
    /** The line ending the note uses. */
    eol: '\n' | '\r\n';
}

const JOB_MARKER = /^vault-agent:\s*["']?job["']?\s*(?:#.*)?$/mu;

/** Finds the frontmatter block of `text`; `null` when there is no closed block. */
export function splitFrontmatter(text: string): FrontmatterSplit | null {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lines = text.split(/\r?\n/u);
    if ((lines[0] ?? '').replace(/^\uFEFF/u, '').trimEnd() !== '---') return null;
    const closeLine = lines.findIndex((line, i) => i > 0 && line.trimEnd() === '---');
    if (closeLine === -1) return null;
    return { source: lines.slice(1, closeLine).join('\n'), closeLine, lines, eol };
}

/**
 * The most frontmatter a job note may have, in characters: far more than any job's keys take (its context, budget,
 * lease, usage and error), and a bound on what every listing of the queue parses.
 */
export const MAX_JOB_FRONTMATTER_CHARS = 256 * 1024;

/**
 * Reads `text` (the note at `path`) as a job. A job note whose frontmatter is not valid YAML is quarantined: the queue
 * could not write its keys back without guessing.
 */
export function readJobNote(path: string, text: string): JobRead {
    const split = splitFrontmatter(text);
    if (split === null) {
        // A note that opens frontmatter saying it is a job, but never closes it, is reported, never treated as "not a
        // job". A note without frontmatter that merely shows the marker (in a code block, say) is just a note.
        const opensFrontmatter = /^\uFEFF?---[ \t]*\r?$/u.test(text.split('\n', 1)[0] ?? '');
        return opensFrontmatter && JOB_MARKER.test(text.slice(0, 2000))
            ? { kind: 'quarantined', path, reason: 'its frontmatter block is not closed' }
            : { kind: 'not-a-job' };
    }
    if (split.source.length > MAX_JOB_FRONTMATTER_CHARS) {
        // Read with the YAML parser, 300,000 context lines took 5 s and 600 MB of every listing of the queue.
        return JOB_MARKER.test(split.source)
            ? {
                  kind: 'quarantined',
                  path,
                  reason: `its frontmatter is too large for a job note (${Math.round(split.source.length / 1024)} KB, at most ${MAX_JOB_FRONTMATTER_CHARS / 1024} KB)`,
              }
            : { kind: 'not-a-job' };
    }
    const parsed = parseFrontmatter(split.source);
    if (parsed.error !== null) {
        return JOB_MARKER.test(split.source)
            ? { kind: 'quarantined', path, reason: `its frontmatter could not be read (${parsed.error})` }
            : { kind: 'not-a-job' };
    }
    const values = parsed.values;
    const problems = parsed.duplicates.map((key) => `the key "${key}" appears twice`);
    if (values.get('vault-agent') !== 'job') return { kind: 'not-a-job' };
    if (problems.length > 0) return { kind: 'quarantined', path, reason: problems.join('; ') };
    const status = values.get('status') ?? 'queued';
    if (typeof status !== 'string' || !(JOB_STATUSES as readonly string[]).includes(status)) {
        return { kind: 'quarantined', path, reason: `"status" is not one of ${JOB_STATUSES.join(', ')}` };
    }
    try {
        return { kind: 'job', job: toJob(path, status as JobStatus, values, bodyOf(split)) };
    } catch (e) {
        if (e instanceof JobFieldError) return { kind: 'quarantined', path, reason: e.message };
        throw e;
    }
}

/** The job id for a note that has none yet: random, short, and in artifact names. */
export function newJobId(): string {
    return `job-${crypto.randomUUID().replace(/-/gu, '').slice(0, 8)}`;
}

/** The title of a job: its note's file name without `.md`. */
export function jobTitle(path: string): string {
    return (path.split('/').pop() ?? path).replace(/\.md$/iu, '');
}

class JobFieldError extends Error {}

function toJob(path: string, status: JobStatus, values: Map<string, unknown>, brief: string): JobNote {
    return {
        path,
        id: text(values, 'id'),
        status,
        created: text(values, 'created'),
        context: list(values, 'context'),
        output: text(values, 'output'),
        model: text(values, 'model'),
        mode: text(values, 'mode') || 'delegate',
        schedule: text(values, 'schedule'),
        budget: budgetOf(values.get('budget')),
        lease: leaseOf(values.get('lease')),
        attempts: count(values.get('attempts'), 'attempts'),
        artifact: text(values, 'artifact'),
        usage: usageOf(values.get('usage')),
        error: text(values, 'error'),
        retryAt: text(values, 'retry-at'),
        batch: values.get('batch') === true,
        batchId: text(values, 'batch-id'),
        template: text(values, 'template'),
        skills: list(values, 'skills'),
        mcpTools: list(values, 'mcp-tools'),
        web: values.get('web') === true,
        scheduleState: scheduleStateOf(values.get('schedule-state')),
        trigger: text(values, 'trigger'),
        source: text(values, 'source'),
        client: text(values, 'client'),
        deliver: list(values, 'deliver'),
        deliverText: values.get('deliver-text') === true,
        brief,
    };
}

/** The body below the frontmatter, with the log section taken off. */
function bodyOf(split: FrontmatterSplit): string {
    const body = split.lines.slice(split.closeLine + 1);
    const log = body.findIndex((line) => line.trimEnd() === LOG_HEADING);
    return (log === -1 ? body : body.slice(0, log)).join('\n').trim();
}

function text(values: Map<string, unknown>, key: string): string {
    const value = values.get(key);
    if (value === undefined || value === null) return '';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
    throw new JobFieldError(`"${key}" should be text`);
}

function list(values: Map<string, unknown>, key: string): string[] {
    const value = values.get(key);
    if (value === undefined || value === null || value === '') return [];
    const items = Array.isArray(value) ? (value as unknown[]) : [value];
    return items.flatMap((item) => {
        if (typeof item === 'string') return item.trim() === '' ? [] : [item.trim()];
        // `- [[Note]]` read by a full YAML parser is a nested sequence.
        if (Array.isArray(item) && item.length === 1 && typeof item[0] === 'string') return [`[[${item[0]}]]`];
        throw new JobFieldError(`"${key}" should be a list of links, folders and tags`);
    });
}

function record(value: unknown, key: string): Record<string, unknown> {
    if (value === undefined || value === null || value === '') return {};
    if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    throw new JobFieldError(`"${key}" should be a mapping`);
}

function count(value: unknown, key: string): number {
    if (value === undefined || value === null || value === '') return 0;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
        throw new JobFieldError(`"${key}" should be a number`);
    }
    return number;
}

function optionalNumber(map: Record<string, unknown>, key: string, owner: string): number | undefined {
    const value = map[key];
    if (value === undefined || value === null || value === '') return undefined;
    return count(value, `${owner}.${key}`);
}

function budgetOf(value: unknown): JobBudget {
    const map = record(value, 'budget');
    const budget: JobBudget = {};
    for (const key of ['turns', 'tokens', 'usd', 'minutes', 'files'] as const) {
        const number = optionalNumber(map, key, 'budget');
        if (number !== undefined) budget[key] = number;
    }
    return budget;
}

function leaseOf(value: unknown): JobLease | null {
    const map = record(value, 'lease');
    const device = typeof map.device === 'string' ? map.device : '';
    const until = map.until instanceof Date ? map.until.toISOString() : typeof map.until === 'string' ? map.until : '';
    if (device === '') return null;
    const host = typeof map.host === 'string' && map.host !== '' ? map.host : undefined;
    const pid = typeof map.pid === 'number' && Number.isSafeInteger(map.pid) && map.pid > 0 ? map.pid : undefined;
    return { device, until, ...(host !== undefined && pid !== undefined ? { host, pid } : {}) };
}

function usageOf(value: unknown): JobUsage {
    const map = record(value, 'usage');
    return {
        input: optionalNumber(map, 'input', 'usage') ?? 0,
        output: optionalNumber(map, 'output', 'usage') ?? 0,
        cacheRead: optionalNumber(map, 'cache_read', 'usage') ?? 0,
        usd: optionalNumber(map, 'usd', 'usage') ?? 0,
    };
}

function scheduleStateOf(value: unknown): ScheduleState {
    const map = record(value, 'schedule-state');
    const last = map.last instanceof Date ? map.last.toISOString() : typeof map.last === 'string' ? map.last : '';
    return { last, failures: optionalNumber(map, 'failures', 'schedule-state') ?? 0, paused: map.paused === true };
}

/** The YAML form of each own key's value. */
export function ownValue(key: OwnKey, job: Pick<JobNote, 'lease' | 'usage' | 'scheduleState'>): YamlValue {
    switch (key) {
        case 'lease':
            if (job.lease === null) return { device: '', until: '' };
            return {
                device: job.lease.device,
                until: job.lease.until,
                ...(job.lease.host !== undefined && job.lease.pid !== undefined
                    ? { host: job.lease.host, pid: job.lease.pid }
                    : {}),
            };
        case 'usage':
            return {
                input: job.usage.input,
                output: job.usage.output,
                cache_read: job.usage.cacheRead,
                usd: Math.round(job.usage.usd * 10_000) / 10_000,
            };
        case 'schedule-state':
            return { ...job.scheduleState };
        default:
            throw new Error(`ownValue: ${key} is a plain value`);
    }
}
