/**
 * `vault-agent enqueue`: writes a job note exactly as the plugin's enqueue modal would (the same `job-spec.ts`), so a
 * job queued from a terminal, a cron line or another agent is picked up by the plugin or by `vault-agent run`.
 */
import { contextReferences } from '../delegate/job-context';
import { createJobNote, excludedJobNote, JobSpecError, type JobSpec } from '../delegate/job-spec';
import { parseSchedule } from '../delegate/schedule';
import { VaultError } from '../kernel/vault-port';
import { CliUsageError, listFlag, readArgs, stringFlag, VAULT_FLAGS, vaultOptions, type FlagSpec } from './cli-args';
import { CliError, openCliVault, type CliIo } from './cli-context';
import { ENQUEUE_USAGE } from './usage';

const FLAGS = {
    ...VAULT_FLAGS,
    context: { type: 'string', multiple: true },
    output: { type: 'string' },
    model: { type: 'string' },
    title: { type: 'string' },
    command: { type: 'string' },
    'read-only': { type: 'boolean' },
    propose: { type: 'boolean' },
    schedule: { type: 'string' },
    batch: { type: 'boolean' },
    each: { type: 'string' },
} satisfies Record<string, FlagSpec>;

/** Longest name derived from a brief; the rest of the brief stays in the note's body. */
const TITLE_CHARS = 60;

/** Runs `enqueue`; resolves to the exit code. */
export async function enqueueCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, FLAGS, ENQUEUE_USAGE);
    const options = vaultOptions(parsed, ENQUEUE_USAGE);
    const commandName = stringFlag(parsed, 'command');
    const words = parsed.positionals.join(' ').trim();
    if (commandName === undefined && words === '') {
        throw new CliUsageError('The brief is missing: say what the job should do.', ENQUEUE_USAGE);
    }
    const schedule = stringFlag(parsed, 'schedule')?.trim();
    if (schedule !== undefined) {
        // The same reader as the queue's: a schedule that would never fire is refused before a note is written.
        const checked = parseSchedule(schedule);
        if (!checked.ok) throw new CliUsageError(`--schedule: ${checked.reason}.`, ENQUEUE_USAGE);
    }
    if (parsed.values['read-only'] === true && parsed.values.propose === true) {
        throw new CliUsageError('--read-only and --propose cannot be used together.', ENQUEUE_USAGE);
    }
    const opened = await openCliVault(options, io);
    // `@[[Note]]`, `@Folder/` and `@#tag` in the brief attach context, as in the plugin's enqueue dialog.
    const context = [...listFlag(parsed, 'context'), ...contextReferences(words)];
    const spec: JobSpec = {
        title: '',
        brief: words,
        context: [],
        output: stringFlag(parsed, 'output') ?? '',
        model: stringFlag(parsed, 'model') ?? '',
        mode:
            parsed.values['read-only'] === true ? 'read-only' : parsed.values.propose === true ? 'propose' : 'delegate',
        ...(schedule !== undefined ? { schedule } : {}),
        ...(parsed.values.batch === true ? { batch: true } : {}),
    };
    if (commandName !== undefined) {
        const expanded = await opened.core.commands.expand(commandName, words);
        if (!expanded.ok) throw new CliError(expanded.message);
        spec.brief = expanded.prompt;
        // The command note's own mentions (`@#customer`) attach their context too, resolved when the job runs.
        context.push(...contextReferences(expanded.prompt));
        if (expanded.mode === 'read-only') spec.mode = 'read-only';
        if (spec.model === '' && expanded.model !== undefined) spec.model = expanded.model;
        spec.title = `${expanded.command.name}${words === '' ? '' : ` ${words}`}`;
    }
    spec.context = [...new Set(context)];
    spec.title = titleOf(stringFlag(parsed, 'title') ?? (spec.title || spec.brief));
    const each = stringFlag(parsed, 'each');
    // `--each FOLDER`: the same job once per note of the folder, each with that note as context (a fan-out; with
    // `--batch` the jobs go out together in as few Message Batches as the API allows).
    const specs =
        each === undefined
            ? [spec]
            : (await notesUnder(opened, each)).map((note) => ({
                  ...spec,
                  title: titleOf(`${spec.title} · ${note.replace(/^.*\//u, '').replace(/\.md$/u, '')}`),
                  context: [...new Set([...(spec.context ?? []), `[[${note.replace(/\.md$/u, '')}]]`])],
              }));
    if (specs.length === 0) throw new CliError(`Not queued: no visible note under "${each ?? ''}".`);
    const { jobsFolder, outputFolder } = opened.settings.delegate;
    for (const one of specs) {
        let path: string;
        try {
            path = await createJobNote(opened.vault, jobsFolder, one, Date.now(), outputFolder, (text) =>
                excludedJobNote(opened.core.gate().checkTextTags(text), 'queue'),
            );
        } catch (error) {
            // Refused before anything is written: a bad output folder must not surface only after the whole job ran.
            if (error instanceof JobSpecError) throw new CliError(`Not queued: ${error.message}`);
            if (error instanceof VaultError) throw new CliError(`The job note could not be written: ${error.message}`);
            throw error;
        }
        io.stdout.write(`${path}\n`);
    }
    return 0;
}

/** The Markdown notes under `folder` (at any depth) that the exclusion gate lets through, judged on their text. */
async function notesUnder(opened: Awaited<ReturnType<typeof openCliVault>>, folder: string): Promise<string[]> {
    const prefix = `${folder.trim().replace(/^\/+|\/+$/gu, '')}/`;
    const gate = opened.core.gate();
    const { jobsFolder } = opened.settings.delegate;
    const notes: string[] = [];
    for (const file of await opened.vault.list()) {
        if (!file.path.endsWith('.md') || (prefix !== '/' && !file.path.startsWith(prefix))) continue;
        if (file.path.startsWith(`${jobsFolder}/`) || gate.isExcluded(file.path)) continue;
        const text = await opened.vault.read(file.path).catch(() => null);
        if (text !== null && !gate.isTextExcluded(file.path, text)) notes.push(file.path);
    }
    return notes.sort();
}

/** A job note's name from free text: its first line, cut at a word near `TITLE_CHARS`. */
export function titleOf(text: string): string {
    const line = (text.split('\n').find((candidate) => candidate.trim() !== '') ?? '').trim();
    if (line.length <= TITLE_CHARS) return line === '' ? 'Job' : line;
    const cut = line.slice(0, TITLE_CHARS);
    const space = cut.lastIndexOf(' ');
    return `${(space > TITLE_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
