/** Writing a new job note from what the enqueue modal, the CLI or a schedule asks for. */
import { describeExclusion, type ExclusionVerdict } from '../context/exclusion-verdicts';
import { checkOutputFolder, normalizeVaultPath } from '../kernel/path-policy';
import { sanitizeNoteName, uniqueNotePath } from '../kernel/safe-names';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import type { JobBudget, JobNote } from './job-note';
import { formatEntry, type YamlValue } from './job-yaml';

/** A job to queue. */
export interface JobSpec {
    /** The job note's name (sanitised). */
    title: string;
    /** The brief: what the job should do. */
    brief: string;
    /** Context references: `[[Note]]`, `Folder/`, `#tag`. */
    context?: string[];
    /** Output folder ('' = the settings' default). */
    output?: string;
    /** Model ('' = default). */
    model?: string;
    /** `delegate` (creates notes in its output folder), `read-only`, or `propose` (changes wait for review). */
    mode?: 'delegate' | 'read-only' | 'propose';
    /** Limits. */
    budget?: JobBudget;
    /** A schedule: makes this note a template that spawns a job per due run. */
    schedule?: string;
    /** Send through the Message Batches API (single turn, no tools). */
    batch?: boolean;
    /** The template this job was spawned from, as a wikilink. */
    template?: string;
    /** Skills to load up front, by name. */
    skills?: string[];
    /** MCP tools the job may use (`mcp__server__tool`). */
    mcpTools?: string[];
    /** The trigger note that started it, as a wikilink. */
    trigger?: string;
    /** The note that fired the trigger, as a wikilink. */
    source?: string;
    /** The MCP client that asked for it. */
    client?: string;
    /** Where word of its end is sent (`webhook`, `ntfy`). */
    deliver?: string[];
    /** Whether that word carries the result's text. */
    deliverText?: boolean;
    /** May research the web (when the settings allow it). */
    web?: boolean;
}

/** The text of a new job note. */
export function renderJobNote(spec: JobSpec, now: number): string {
    const budget: { [key: string]: YamlValue } = { ...spec.budget };
    const lines = [
        '---',
        formatEntry('vault-agent', 'job'),
        formatEntry('status', 'queued'),
        formatEntry('created', new Date(now).toISOString()),
        formatEntry('context', spec.context ?? []),
        formatEntry('output', spec.output ?? ''),
        formatEntry('model', spec.model ?? ''),
        formatEntry('mode', spec.mode ?? 'delegate'),
        formatEntry('schedule', spec.schedule ?? ''),
        formatEntry('budget', budget),
        ...(spec.batch === true ? [formatEntry('batch', true)] : []),
        ...(spec.template !== undefined ? [formatEntry('template', spec.template)] : []),
        ...(spec.skills !== undefined && spec.skills.length > 0 ? [formatEntry('skills', spec.skills)] : []),
        ...(spec.mcpTools !== undefined && spec.mcpTools.length > 0 ? [formatEntry('mcp-tools', spec.mcpTools)] : []),
        ...(spec.trigger !== undefined ? [formatEntry('trigger', spec.trigger)] : []),
        ...(spec.source !== undefined ? [formatEntry('source', spec.source)] : []),
        ...(spec.client !== undefined ? [formatEntry('client', spec.client)] : []),
        ...(spec.deliver !== undefined && spec.deliver.length > 0 ? [formatEntry('deliver', spec.deliver)] : []),
        ...(spec.deliverText === true ? [formatEntry('deliver-text', true)] : []),
        ...(spec.web === true ? [formatEntry('web', true)] : []),
        formatEntry('attempts', 0),
        formatEntry('artifact', ''),
        '---',
        spec.brief.trim(),
        '',
    ];
    return lines.join('\n');
}

/** A job that may not be queued or run, with the reason for the person. */
export class JobSpecError extends Error {
    override readonly name: string = 'JobSpecError';
}

/** Where a job's result goes and what it is measured against. */
export interface JobPlace {
    /** The vault's config folder. */
    configDir: string;
    /** The delegate jobs folder. */
    jobsFolder: string;
    /** The settings' output folder, for jobs that name none. */
    defaultOutput: string;
}

/**
 * Why a job (as queued, or as its note reads when it is about to run) must not run, or `null`: an empty brief, or an
 * output folder (its own, else the settings' default) that `checkOutputFolder` refuses. The same check runs when a
 * job is queued (CLI, dialog, schedule) and again when it runs, since a job note can be edited in between.
 */
export function jobProblem(job: Pick<JobNote, 'brief' | 'output'>, place: JobPlace): string | null {
    if (job.brief.trim() === '') {
        return 'The job note has no brief: write what the job should do below its frontmatter, then queue it again.';
    }
    const named = job.output.trim() !== '';
    const checked = checkOutputFolder(named ? job.output : place.defaultOutput, place);
    if (checked.ok) return null;
    return named ? checked.reason : `${checked.reason} (This is the default output folder in the settings.)`;
}

/**
 * Why a job note the privacy settings exclude by its own tags does not run (`verdict`: the gate's on the note's text),
 * or `null` when they do not. Its brief would go to the model, and the person said notes so tagged never do. `when`:
 * as it is about to run, or as it is about to be queued (then nothing is written).
 */
export function excludedJobNote(verdict: ExclusionVerdict, when: 'run' | 'queue' = 'run'): string | null {
    if (!verdict.excluded) return null;
    const queueing = when === 'queue';
    if (verdict.reason.kind !== 'tag') {
        const why = describeExclusion(verdict.reason);
        return queueing
            ? `The privacy settings would exclude this job note (${why}), so it would never be sent to the model.`
            : `Not run: the privacy settings exclude this job note (${why}), so its brief was not sent to the model.`;
    }
    const tag = `#${verdict.reason.tag}`;
    const backticks = `To name the tag in a brief without tagging the job, write it in backticks (\`${tag}\`)`;
    return queueing
        ? `The job note would be tagged ${tag}, which the privacy settings exclude, so it would never be sent to the ` +
              `model. ${backticks}.`
        : `Not run: this job note is tagged ${tag}, which the privacy settings exclude, so its brief was not sent to ` +
              `the model. ${backticks}, then queue it again.`;
}

/**
 * The jobs folder, normalised, once a note for `spec` may be written there: refuses (`JobSpecError`, nothing written) a
 * brief that is empty or an output folder that is not usable (`jobProblem`), and a jobs folder that is not usable.
 */
export function checkedJobsFolder(
    vault: VaultPort,
    jobsFolder: string,
    spec: { brief: string; output?: string },
    defaultOutput: string,
): string {
    const folder = normalizeVaultPath(jobsFolder);
    if (!folder.ok || folder.path === '')
        throw new VaultError('invalid-path', `The jobs folder "${jobsFolder}" is not usable.`);
    const problem = jobProblem(
        { brief: spec.brief, output: spec.output ?? '' },
        { configDir: vault.configDir, jobsFolder: folder.path, defaultOutput },
    );
    if (problem !== null) throw new JobSpecError(problem);
    return folder.path;
}

/** Writes `text` as a new note named after `title` in `folder`, under a name nothing else took meanwhile. */
export async function createUniqueNote(vault: VaultPort, folder: string, title: string, text: string): Promise<string> {
    const desired = `${folder}/${sanitizeNoteName(`${title}.md`)}`;
    for (let attempt = 0; ; attempt++) {
        const path = await uniqueNotePath(desired, async (candidate) => (await vault.stat(candidate)) !== null);
        try {
            await vault.create(path, text);
            return path;
        } catch (e) {
            if (!(e instanceof VaultError) || e.code !== 'exists' || attempt >= 3) throw e;
        }
    }
}

/**
 * Creates the job note in `jobsFolder` under a unique name; resolves to its path. Refuses (`JobSpecError`, nothing
 * written) a job whose brief is empty or whose output folder is not usable (`jobProblem`), and one `refuse` gives a
 * reason for (a person's job that would carry an excluded tag: see `excludedJobNote`).
 */
export async function createJobNote(
    vault: VaultPort,
    jobsFolder: string,
    spec: JobSpec,
    now: number,
    defaultOutput: string,
    refuse?: (text: string) => string | null,
): Promise<string> {
    const folder = checkedJobsFolder(vault, jobsFolder, spec, defaultOutput);
    const text = renderJobNote(spec, now);
    const refusal = refuse?.(text) ?? null;
    if (refusal !== null) throw new JobSpecError(refusal);
    return createUniqueNote(vault, folder, spec.title, text);
}
