/**
 * Custom commands: notes in the commands folder (default `Agent/Commands/`) whose frontmatter has a `description`
 * (and optionally `mode`, `model`, `arguments`) and whose body is a prompt with `$ARGUMENTS`, `$1`, `$2`… and
 * `@`-mentions. One command serves three doors: `/name args` in the chat, a job template in the delegate modal, and
 * `vault-agent enqueue --command name`. Expanding only fills in the arguments; the `@`-mentions stay in the prompt for
 * the context builder, which resolves them through the gate when the prompt is sent.
 *
 * Excluded command notes do not exist. Every scan asks the gate again.
 */
import { parseNote } from '../vault/note-parser';
import { isMarkdownPath, VaultError, type VaultPort } from '../kernel/vault-port';
import { PERMISSION_MODE_NAMES, type PermissionModeName } from '../kernel/permission-mode-name';
import type { ExclusionGate } from './exclusions';
import { nameKey, noteBody, stringList, textValue, type GuidanceProblem } from './note-text';

/** Where commands live unless settings say otherwise. */
export const DEFAULT_COMMANDS_FOLDER = 'Agent/Commands';

/** A command that can be run. */
export interface CustomCommand {
    /** What follows the `/`: the note's name, lowercased, spaces as hyphens (`Weekly digest.md` → `weekly-digest`). */
    name: string;
    /** What it does, shown in the command list. */
    description: string;
    /** Vault-relative path of the note. */
    path: string;
    /** The permission mode it asks for; absent to keep the chat's or job's own. */
    mode?: PermissionModeName;
    /** The model it asks for; absent for the default. */
    model?: string;
    /** What to type after the name, e.g. `<customer> <weeks>`; empty when the command takes no arguments. */
    argumentHint: string;
}

/** What a scan found. */
export interface CommandScan {
    /** Usable commands, sorted by name. */
    commands: CustomCommand[];
    /** Notes that are not (or not fully) usable, with what to fix; for the person. */
    problems: GuidanceProblem[];
    /** Command notes left out by the exclusion rules (counted, never named). */
    excludedCount: number;
}

/** An expanded command: the prompt to send (mentions unresolved) and the settings it asks for; or why not. */
export type ExpandedCommand =
    | { ok: true; command: CustomCommand; prompt: string; mode?: PermissionModeName; model?: string }
    | { ok: false; message: string };

/** What the catalog needs. */
export interface CommandCatalogOptions {
    /** The vault. */
    vault: VaultPort;
    /** The current gate; a function so a gate rebuilt after a settings change is used from the next scan. */
    gate: ExclusionGate | (() => ExclusionGate);
    /** The commands folder from settings; `Agent/Commands` when absent or empty. */
    commandsFolder?: string;
}

/** A usable command with its prompt template. */
interface Found {
    command: CustomCommand;
    body: string;
}

/** Finds, checks and expands custom commands. Holds no state between calls. */
export class CommandCatalog {
    private readonly vault: VaultPort;
    private readonly gate: ExclusionGate | (() => ExclusionGate);
    private readonly folder: string;

    constructor(options: CommandCatalogOptions) {
        this.vault = options.vault;
        this.gate = options.gate;
        const folder = (options.commandsFolder ?? '').trim().replace(/^\/+|\/+$/g, '');
        this.folder = folder === '' ? DEFAULT_COMMANDS_FOLDER : folder;
    }

    /** Every usable command, the problems found, and how many command notes the exclusions left out. */
    async scan(): Promise<CommandScan> {
        const { found, problems, excludedCount } = await this.scanAll();
        return { commands: found.map((entry) => entry.command), problems, excludedCount };
    }

    /** The prompt of command `name` (case-insensitive, with or without `/`) with `args` filled in. */
    async expand(name: string, args = ''): Promise<ExpandedCommand> {
        const wanted = nameKey(name.trim().replace(/^\//, ''));
        const entry = (await this.scanAll()).found.find((candidate) => candidate.command.name === wanted);
        if (entry === undefined) return { ok: false, message: `There is no command called "/${wanted}".` };
        const { command } = entry;
        const expanded: ExpandedCommand = { ok: true, command, prompt: expandTemplate(entry.body, args) };
        if (command.mode !== undefined) expanded.mode = command.mode;
        if (command.model !== undefined) expanded.model = command.model;
        return expanded;
    }

    private async scanAll(): Promise<{ found: Found[]; problems: GuidanceProblem[]; excludedCount: number }> {
        const gate = typeof this.gate === 'function' ? this.gate() : this.gate;
        const prefix = `${this.folder}/`;
        const paths = (await this.vault.list())
            .map((entry) => entry.path)
            .filter((path) => path.startsWith(prefix) && isMarkdownPath(path))
            .sort();
        const found: Found[] = [];
        const problems: GuidanceProblem[] = [];
        let excludedCount = 0;
        const byName = new Map<string, string>();
        for (const path of paths) {
            const verdict = gate.check(path);
            if (verdict.excluded && verdict.reason.kind !== 'unindexed') {
                excludedCount++;
                continue;
            }
            const text = await this.vault.read(path).catch((e: unknown) => {
                if (!(e instanceof VaultError)) throw e;
                problems.push({ path, message: `${path} could not be read: ${e.message}`, severity: 'error' });
                return null;
            });
            if (text === null) continue;
            // The text read is judged itself: the note may have turned private since the gate last looked.
            const now = gate.checkText(path, text);
            if (now.excluded && now.reason.kind !== 'unindexed') {
                excludedCount++;
                continue;
            }
            const entry = readCommand(path, text, problems);
            if (entry === null) continue;
            const first = byName.get(entry.command.name);
            if (first !== undefined) {
                const message = `${path} is not used: the command name "/${entry.command.name}" is already ${first}'s.`;
                problems.push({ path, message, severity: 'error' });
                continue;
            }
            byName.set(entry.command.name, path);
            found.push(entry);
        }
        found.sort((a, b) => (a.command.name < b.command.name ? -1 : a.command.name > b.command.name ? 1 : 0));
        return { found, problems, excludedCount };
    }
}

/**
 * Fills in a command's prompt: `$ARGUMENTS` is everything typed after the name, `$1`, `$2`… the words of it (a
 * "quoted phrase" is one word; missing ones are empty). Substituted text is never expanded again. When the template
 * has no placeholder, typed arguments are appended as a paragraph, so they are never dropped.
 */
export function expandTemplate(template: string, args: string): string {
    const all = args.trim();
    const words = splitArguments(all);
    if (!/\$(?:ARGUMENTS\b|\d)/.test(template)) return all === '' ? template : `${template}\n\n${all}`;
    return template.replace(/\$(ARGUMENTS\b|\d+)/g, (_, which: string) =>
        which === 'ARGUMENTS' ? all : (words[Number(which) - 1] ?? ''),
    );
}

/** The words of an argument string: split on whitespace, with `"…"` or `'…'` keeping a phrase together. */
export function splitArguments(args: string): string[] {
    const words: string[] = [];
    for (const match of args.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(match[1] ?? match[2] ?? match[3] ?? '');
    return words;
}

/** The one slash-command syntax: `/name` (no whitespace, not `//`), then optional arguments after whitespace. */
const SLASH_COMMAND = /^\/([^\s/][^\s]*)(?:\s+([\s\S]*))?$/;
/** A slash command still being typed: `/` and the start of its name, nothing after it yet. */
const SLASH_COMMAND_START = /^\/([^\s/][^\s]*)?$/;

/** `/name args` typed in the chat as `{ name, args }`; `null` when the text is not a command. */
export function parseSlashCommand(text: string): { name: string; args: string } | null {
    const match = SLASH_COMMAND.exec(text.trim());
    if (match === null) return null;
    return { name: nameKey(match[1] ?? ''), args: (match[2] ?? '').trim() };
}

/** What follows the slash while a command name is being typed (`''` right after it); `null` when none is. */
export function slashCommandQuery(typed: string): string | null {
    const match = SLASH_COMMAND_START.exec(typed);
    return match === null ? null : (match[1] ?? '');
}

/** The name a command note is run by: its file name without `.md`, lowercased, whitespace as hyphens. */
export function commandName(path: string): string {
    const file = path.slice(path.lastIndexOf('/') + 1).replace(/\.md$/i, '');
    return nameKey(file.trim().replace(/\s+/g, '-'));
}

/** The command a note describes, or `null` with the reason added to `problems`. */
function readCommand(path: string, text: string, problems: GuidanceProblem[]): Found | null {
    const fail = (message: string): null => {
        problems.push({ path, message: `${path} is not used: ${message}`, severity: 'error' });
        return null;
    };
    const warn = (message: string): void => {
        problems.push({ path, message: `${path}: ${message}`, severity: 'warning' });
    };
    const metadata = parseNote(text);
    if (metadata.frontmatterError !== undefined) return fail(`${metadata.frontmatterError}.`);
    if (metadata.frontmatter === null) {
        return fail('it has no frontmatter. Start it with "---", then "description: …", then "---".');
    }
    const frontmatter = metadata.frontmatter;
    const description = textValue(frontmatter.description);
    if (description === null) return fail('its frontmatter has no "description" (shown in the command list).');
    const body = noteBody(text);
    if (body === '') return fail('it has no prompt below the frontmatter.');
    const name = commandName(path);
    if (name === '' || name.includes('/')) return fail('its file name cannot be used as a command name.');
    const command: CustomCommand = { name, description, path, argumentHint: argumentHint(frontmatter.arguments) };
    if (frontmatter.mode !== undefined && frontmatter.mode !== null && frontmatter.mode !== '') {
        const mode = PERMISSION_MODE_NAMES.find((known) => known === frontmatter.mode);
        if (mode === undefined) {
            // An unknown mode is read as the safest one, as everywhere else (docs/DESIGN.md, "Permission modes").
            warn(`mode ${JSON.stringify(frontmatter.mode)} is unknown, so it runs read-only (${modes()}).`);
        }
        command.mode = mode ?? 'read-only';
    }
    if (frontmatter.model !== undefined && frontmatter.model !== null && frontmatter.model !== '') {
        const model = textValue(frontmatter.model);
        if (model === null) warn('"model" is not a model id, so the default model is used.');
        else command.model = model;
    }
    return { command, body };
}

/** `arguments: customer` → `<customer>`; `arguments: [customer, weeks]` → `<customer> <weeks>`. */
function argumentHint(value: unknown): string {
    return stringList(value)
        .map((part) => (/^[<[]/.test(part) ? part : `<${part}>`))
        .join(' ');
}

function modes(): string {
    return `known modes: ${PERMISSION_MODE_NAMES.join(', ')}`;
}
