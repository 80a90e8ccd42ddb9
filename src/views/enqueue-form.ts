/**
 * What the enqueue modal's fields mean, as pure functions: the text typed becomes a `JobSpec`, or the first problem
 * with the field it belongs to. Nothing here throws at a person. Context comes from @-mentions (the same syntax and
 * popover as the chat), in the context field and in the brief.
 */
import { contextReferences } from '../delegate/job-context';
import type { JobSpec } from '../delegate/job-spec';
import { parseSchedule } from '../delegate/schedule';
import { TRIGGER_EVENTS, type TriggerEvent } from '../delegate/trigger-note';
import type { TriggerSpec } from '../delegate/trigger-spec';
import { checkOutputFolder, type OutputFolderRules } from '../kernel/path-policy';

/** The modal's fields as typed. */
export interface EnqueueFields {
    /** The job note's name; '' = from the brief's first line. */
    title: string;
    /** The brief. */
    brief: string;
    /** @-mentions of notes, folders and tags. */
    context: string;
    /** Output folder; '' = the settings' default. */
    output: string;
    /** Model id; '' = the default. */
    model: string;
    /** `delegate` or `read-only`. */
    mode: string;
    /** Most model calls, as typed. */
    turns: string;
    /** Most cost in USD, as typed ('' = no cost limit). */
    usd: string;
    /** `now`, `schedule` or `trigger` (*When…*). */
    when: string;
    /** The schedule, when `when` is `schedule`. */
    schedule: string;
    /** *When…*: the event (`created`, `modified`, `renamed`, `tag-added`, `property-set`). */
    event?: string;
    /** *When…*: the folder or glob ('' = anywhere). */
    folder?: string;
    /** *When…*: the tag, for `tag-added`. */
    tag?: string;
    /** *When…*: the property, for `property-set`. */
    property?: string;
    /** *When…*: the value, for `property-set`. */
    value?: string;
}

/** The field a problem belongs to. */
export type EnqueueField = keyof EnqueueFields;

/** A job to queue, or the first problem found. */
export type EnqueueRead =
    { ok: true; spec: JobSpec; trigger?: TriggerSpec } | { ok: false; field: EnqueueField; message: string };

/** The longest title taken from a brief. */
const TITLE_LENGTH = 60;

/** A title from the brief's first non-empty line, mentions and Markdown marks removed, cut at a word. */
export function titleFromBrief(brief: string): string {
    const line =
        brief
            .split('\n')
            .map((l) =>
                l
                    .replace(/@\[\[([^\]|]+)(\|[^\]]*)?\]\]/gu, '$1')
                    .replace(/(^|\s)@(?=\S)/gu, '$1')
                    .replace(/[#>*_`[\]]/gu, '')
                    .trim(),
            )
            .find((l) => l !== '') ?? '';
    if (line.length <= TITLE_LENGTH) return line;
    const cut = line.slice(0, TITLE_LENGTH);
    const space = cut.lastIndexOf(' ');
    return `${(space > 20 ? cut.slice(0, space) : cut).trim()}…`;
}

/**
 * The problem with an output folder as typed, for the line under the field ('' = the settings' default, checked too):
 * the same `checkOutputFolder` the CLI's enqueue, the queue and MCP use. `null` when it is usable.
 */
export function outputFolderProblem(typed: string, defaultOutput: string, rules: OutputFolderRules): string | null {
    const named = typed.trim() !== '';
    const check = checkOutputFolder(named ? typed.trim() : defaultOutput, rules);
    if (check.ok) return null;
    return named ? check.reason : `${check.reason} (This is the default output folder in the settings.)`;
}

/** Reads the fields into a job spec; `rules` are the vault's, for the output folder. */
export function readEnqueueFields(fields: EnqueueFields, rules: OutputFolderRules): EnqueueRead {
    const brief = fields.brief.trim();
    if (brief === '') return { ok: false, field: 'brief', message: 'Write a brief: what should the job do?' };
    const title = fields.title.trim() !== '' ? fields.title.trim() : titleFromBrief(brief);
    if (title === '') return { ok: false, field: 'title', message: 'Give the job a name.' };
    let output = '';
    if (fields.output.trim() !== '') {
        const check = checkOutputFolder(fields.output.trim(), rules);
        if (!check.ok) return { ok: false, field: 'output', message: `Output folder: ${check.reason}` };
        output = check.path;
    }
    const turns = Number(fields.turns.trim());
    if (fields.turns.trim() === '' || !Number.isInteger(turns) || turns < 1) {
        return { ok: false, field: 'turns', message: 'Turns should be a whole number, 1 or more.' };
    }
    const budget: JobSpec['budget'] = { turns };
    if (fields.usd.trim() !== '') {
        const usd = Number(fields.usd.trim());
        if (!Number.isFinite(usd) || usd <= 0) {
            return { ok: false, field: 'usd', message: 'The cost limit should be an amount in dollars, e.g. 0.50.' };
        }
        budget.usd = usd;
    }
    const spec: JobSpec = {
        title,
        brief,
        context: contextReferences(fields.context, brief),
        output,
        model: fields.model.trim(),
        mode: fields.mode === 'read-only' ? 'read-only' : 'delegate',
        budget,
    };
    if (fields.when === 'schedule') {
        const parsed = parseSchedule(fields.schedule);
        if (fields.schedule.trim() === '') {
            return { ok: false, field: 'schedule', message: 'Write a schedule, e.g. "daily 08:00".' };
        }
        if (!parsed.ok) return { ok: false, field: 'schedule', message: `Schedule: ${parsed.reason}` };
        spec.schedule = parsed.schedule.source;
    }
    if (fields.when === 'trigger') return readWhen(fields, spec);
    return { ok: true, spec };
}

/** The *When…* part: the job becomes the template of a trigger note. */
function readWhen(fields: EnqueueFields, spec: JobSpec): EnqueueRead {
    const event = fields.event ?? '';
    if (!(TRIGGER_EVENTS as readonly string[]).includes(event)) {
        return { ok: false, field: 'event', message: 'Choose what should start the job.' };
    }
    const tag = (fields.tag ?? '').trim().replace(/^#/u, '');
    const property = (fields.property ?? '').trim();
    if (event === 'tag-added' && tag === '')
        return { ok: false, field: 'tag', message: 'Name the tag, e.g. #to-summarise.' };
    if (event === 'property-set' && property === '') {
        return { ok: false, field: 'property', message: 'Name the property, e.g. status.' };
    }
    const trigger: TriggerSpec = {
        title: `When ${spec.title.split('{{note}}').join(' ').replace(/\s+/gu, ' ').trim()}`,
        event: event as TriggerEvent,
        folder: (fields.folder ?? '').trim(),
        ...(event === 'tag-added' ? { tag } : {}),
        ...(event === 'property-set' ? { property, value: (fields.value ?? '').trim() } : {}),
        brief: spec.brief,
        context: spec.context ?? [],
        output: spec.output ?? '',
        model: spec.model ?? '',
        mode: spec.mode === 'read-only' ? 'read-only' : 'delegate',
        ...(spec.budget !== undefined ? { budget: spec.budget } : {}),
    };
    return { ok: true, spec, trigger };
}
