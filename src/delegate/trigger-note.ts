/**
 * Trigger notes: a note in the jobs folder whose frontmatter says `vault-agent: trigger` starts a job when something
 * happens to a note in the vault. The frontmatter names the event, the job it starts and the limits; the body is the
 * brief, where `{{note}}` stands for the note that fired it (as a wikilink), as it does in `context`:
 *
 * ```yaml
 * vault-agent: trigger
 * event: created        # created | modified | renamed | tag-added | property-set
 * folder: Meetings/     # a folder (subfolders included) or a glob; the whole vault when left out
 * tag: to-summarise     # tag-added: the tag (with or without #)
 * property: status      # property-set: the property
 * value: done           #   and the value it is set to
 * context: ["{{note}}"]
 * output: Agent/Outputs
 * mode: delegate        # delegate | read-only | propose
 * budget: { turns: 10, usd: 0.2 }
 * debounce: 5           # seconds of quiet after the last change before it fires
 * cooldown: 10          # minutes before the same note fires this trigger again
 * max-per-hour: 6       # most jobs this trigger starts in any hour
 * ```
 *
 * Read with the same YAML document API as job notes (`job-yaml.ts`); the queue writes only `trigger-state` back.
 * Reading never throws: a trigger that cannot be read says why.
 */
import { Minimatch } from 'minimatch';
import type { JobBudget } from './job-note';
import { LOG_HEADING, splitFrontmatter } from './job-note';
import { parseFrontmatter } from './job-yaml';

/** The events a trigger listens for. */
export const TRIGGER_EVENTS = ['created', 'modified', 'renamed', 'tag-added', 'property-set'] as const;

/** One of the trigger events. */
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/** The modes a started job may run in; never one that edits without a person. */
export const TRIGGER_MODES = ['delegate', 'read-only', 'propose'] as const;

/** Where a trigger stands, kept in its note. */
export interface TriggerState {
    /** Jobs it started that failed in a row. */
    failures: number;
    /** True once three jobs failed in a row; the person clears it to resume. */
    paused: boolean;
    /** ISO time it last started a job ('' when never). */
    last: string;
}

/** A readable trigger note. */
export interface TriggerNote {
    /** The note's vault path. */
    path: string;
    /** What it listens for. */
    event: TriggerEvent;
    /** Folder (`Meetings/`) or glob the note must be in; '' = anywhere. */
    folder: string;
    /** `tag-added`: the tag, lower case, without `#`. */
    tag: string;
    /** `property-set`: the property. */
    property: string;
    /** `property-set`: the value, as text. */
    value: string;
    /** The job's brief, with `{{note}}`. */
    brief: string;
    /** The job's context references, with `{{note}}`. */
    context: string[];
    /** The job's output folder ('' = the settings' default). */
    output: string;
    /** The job's model ('' = default). */
    model: string;
    /** The job's mode. */
    mode: (typeof TRIGGER_MODES)[number];
    /** The job's limits. */
    budget: JobBudget;
    /** Delivery channels for the started jobs (`webhook`, `ntfy`). */
    deliver: string[];
    /** Whether deliveries carry the result text. */
    deliverText: boolean;
    /** Quiet time after the last change, ms. */
    debounceMs: number;
    /** Time before the same note fires again, ms. */
    cooldownMs: number;
    /** Most jobs started in any hour. */
    maxPerHour: number;
    /** Bookkeeping. */
    state: TriggerState;
}

/** What reading a note as a trigger gave. */
export type TriggerRead =
    | { kind: 'trigger'; trigger: TriggerNote }
    | { kind: 'not-a-trigger' }
    | { kind: 'unreadable'; path: string; reason: string };

/** Defaults of the limits. */
export const TRIGGER_DEFAULTS = { debounceSeconds: 5, cooldownMinutes: 10, maxPerHour: 6 } as const;

/** The placeholder for the note that fired a trigger. */
export const NOTE_PLACEHOLDER = '{{note}}';

/** True when `text` looks like a trigger note's frontmatter (cheap check before parsing). */
export function mayBeTrigger(text: string): boolean {
    return /^vault-agent:\s*["']?trigger["']?\s*(?:#.*)?$/mu.test(text.slice(0, 4000));
}

/** Reads `text` (the note at `path`) as a trigger. */
export function readTriggerNote(path: string, text: string): TriggerRead {
    const split = splitFrontmatter(text);
    if (split === null) return { kind: 'not-a-trigger' };
    const parsed = parseFrontmatter(split.source);
    if (parsed.error !== null) {
        return mayBeTrigger(split.source)
            ? { kind: 'unreadable', path, reason: `its frontmatter could not be read (${parsed.error})` }
            : { kind: 'not-a-trigger' };
    }
    const values = parsed.values;
    if (values.get('vault-agent') !== 'trigger') return { kind: 'not-a-trigger' };
    const fail = (reason: string): TriggerRead => ({ kind: 'unreadable', path, reason });
    const event = textOf(values.get('event'));
    if (!(TRIGGER_EVENTS as readonly string[]).includes(event)) {
        return fail(`"event" should be one of ${TRIGGER_EVENTS.join(', ')}`);
    }
    const mode = textOf(values.get('mode')) || 'delegate';
    if (!(TRIGGER_MODES as readonly string[]).includes(mode)) {
        return fail(`"mode" should be one of ${TRIGGER_MODES.join(', ')} (a trigger never starts a job that edits)`);
    }
    const tag = textOf(values.get('tag')).replace(/^#/u, '').toLowerCase();
    const property = textOf(values.get('property'));
    if (event === 'tag-added' && tag === '') return fail('a tag-added trigger needs "tag"');
    if (event === 'property-set' && property === '') return fail('a property-set trigger needs "property"');
    const body = split.lines.slice(split.closeLine + 1);
    const log = body.findIndex((line) => line.trimEnd() === LOG_HEADING);
    const brief = (log === -1 ? body : body.slice(0, log)).join('\n').trim();
    if (brief === '') return fail('it has no brief: write what the job should do below its frontmatter');
    const limit = (key: string, fallback: number): number | null => {
        const value = values.get(key);
        if (value === undefined || value === null || value === '') return fallback;
        const number = typeof value === 'string' ? Number(value) : value;
        return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number : null;
    };
    const debounce = limit('debounce', TRIGGER_DEFAULTS.debounceSeconds);
    const cooldown = limit('cooldown', TRIGGER_DEFAULTS.cooldownMinutes);
    const perHour = limit('max-per-hour', TRIGGER_DEFAULTS.maxPerHour);
    if (debounce === null || cooldown === null || perHour === null) {
        return fail('"debounce", "cooldown" and "max-per-hour" should be numbers');
    }
    const stateMap = mapOf(values.get('trigger-state'));
    return {
        kind: 'trigger',
        trigger: {
            path,
            event: event as TriggerEvent,
            folder: textOf(values.get('folder')),
            tag,
            property,
            value: textOf(values.get('value')),
            brief,
            context: listOf(values.get('context')),
            output: textOf(values.get('output')),
            model: textOf(values.get('model')),
            mode: mode as TriggerNote['mode'],
            budget: budgetOf(values.get('budget')),
            deliver: listOf(values.get('deliver')),
            deliverText: values.get('deliver-text') === true,
            debounceMs: debounce * 1000,
            cooldownMs: cooldown * 60_000,
            maxPerHour: Math.floor(perHour),
            state: {
                failures: typeof stateMap.failures === 'number' ? stateMap.failures : 0,
                paused: stateMap.paused === true,
                last: textOf(stateMap.last),
            },
        },
    };
}

/** Whether `path` is in the trigger's folder or matches its glob ('' = anywhere). */
export function inScope(trigger: Pick<TriggerNote, 'folder'>, path: string): boolean {
    const folder = trigger.folder.trim();
    if (folder === '' || folder === '/') return true;
    if (/[*?[\]{}]/u.test(folder)) return globOf(folder).match(path);
    const prefix = `${folder.replace(/^\/+|\/+$/gu, '')}/`;
    return path.startsWith(prefix);
}

const globs = new Map<string, Minimatch>();

function globOf(pattern: string): Minimatch {
    let glob = globs.get(pattern);
    if (glob === undefined) {
        glob = new Minimatch(pattern.replace(/^\/+/u, ''), { dot: false, nocase: false });
        globs.set(pattern, glob);
    }
    return glob;
}

/** `{{note}}` in `text` replaced by a link to `notePath`. */
export function fillNote(text: string, notePath: string): string {
    const link = `[[${notePath.replace(/\.md$/iu, '')}]]`;
    return text.split(NOTE_PLACEHOLDER).join(link);
}

function textOf(value: unknown): string {
    if (value === undefined || value === null) return '';
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return '';
}

function listOf(value: unknown): string[] {
    if (value === undefined || value === null || value === '') return [];
    const items = Array.isArray(value) ? (value as unknown[]) : [value];
    return items.flatMap((item) => {
        if (typeof item === 'string') return item.trim() === '' ? [] : [item.trim()];
        if (Array.isArray(item) && item.length === 1 && typeof item[0] === 'string') return [`[[${item[0]}]]`];
        return [];
    });
}

function mapOf(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : {};
}

function budgetOf(value: unknown): JobBudget {
    const map = mapOf(value);
    const budget: JobBudget = {};
    for (const key of ['turns', 'tokens', 'usd', 'minutes', 'files'] as const) {
        const number = map[key];
        if (typeof number === 'number' && Number.isFinite(number) && number >= 0) budget[key] = number;
    }
    return budget;
}
