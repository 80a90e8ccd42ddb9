/** Writing a new trigger note from what the delegate dialog's *When…* part asks for. */
import type { VaultPort } from '../kernel/vault-port';
import type { JobBudget } from './job-note';
import { checkedJobsFolder, createUniqueNote, JobSpecError } from './job-spec';
import { formatEntry, type YamlValue } from './job-yaml';
import { NOTE_PLACEHOLDER, readTriggerNote, type TriggerEvent, type TriggerNote } from './trigger-note';

/** A trigger to write. */
export interface TriggerSpec {
    /** The trigger note's name. */
    title: string;
    /** What it listens for. */
    event: TriggerEvent;
    /** Folder or glob ('' = anywhere). */
    folder: string;
    /** `tag-added`: the tag. */
    tag?: string;
    /** `property-set`: the property and the value. */
    property?: string;
    /** `property-set`: the value. */
    value?: string;
    /** The brief of each job (`{{note}}` stands for the note). */
    brief: string;
    /** Context references; the note itself is always added. */
    context?: string[];
    /** Output folder ('' = default). */
    output?: string;
    /** Model ('' = default). */
    model?: string;
    /** The jobs' mode. */
    mode?: TriggerNote['mode'];
    /** The jobs' limits. */
    budget?: JobBudget;
}

/** The text of a new trigger note. */
export function renderTriggerNote(spec: TriggerSpec): string {
    const context = [NOTE_PLACEHOLDER, ...(spec.context ?? []).filter((ref) => ref !== NOTE_PLACEHOLDER)];
    const budget: { [key: string]: YamlValue } = { ...spec.budget };
    const lines = [
        '---',
        formatEntry('vault-agent', 'trigger'),
        formatEntry('event', spec.event),
        formatEntry('folder', spec.folder),
        ...(spec.event === 'tag-added' ? [formatEntry('tag', spec.tag ?? '')] : []),
        ...(spec.event === 'property-set'
            ? [formatEntry('property', spec.property ?? ''), formatEntry('value', spec.value ?? '')]
            : []),
        formatEntry('context', context),
        formatEntry('output', spec.output ?? ''),
        formatEntry('model', spec.model ?? ''),
        formatEntry('mode', spec.mode ?? 'delegate'),
        formatEntry('budget', budget),
        '---',
        spec.brief.trim(),
        '',
    ];
    return lines.join('\n');
}

/**
 * Creates the trigger note in `jobsFolder` under a unique name; resolves to its path. Refuses (`JobSpecError`,
 * nothing written) a trigger that would not read back as one, or whose jobs could not run (brief, output folder).
 */
export async function createTriggerNote(
    vault: VaultPort,
    jobsFolder: string,
    spec: TriggerSpec,
    defaultOutput: string,
): Promise<string> {
    const folder = checkedJobsFolder(vault, jobsFolder, spec, defaultOutput);
    const text = renderTriggerNote(spec);
    const read = readTriggerNote(`${folder}/x.md`, text);
    if (read.kind !== 'trigger') {
        throw new JobSpecError(read.kind === 'unreadable' ? `The trigger ${read.reason}.` : 'Not a trigger.');
    }
    return createUniqueNote(vault, folder, spec.title, text);
}
