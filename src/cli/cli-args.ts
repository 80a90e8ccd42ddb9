/**
 * Reading a subcommand's arguments with Node's own `util.parseArgs`, strictly: an unknown flag or a flag without its
 * value is an error with the usage, so a typo never silently changes what runs.
 */
import { parseArgs } from 'node:util';
import { CliError, EXIT_SETUP, type VaultOptions } from './cli-context';

/**
 * Outside Obsidian there is no `Vault#configDir` to ask. Obsidian's own default is the only sensible default for a
 * folder the person can override with `--config-dir`; this is the one place the CLI names it.
 */
export const DEFAULT_CONFIG_DIR = '.obsidian';

/** One flag a subcommand accepts. */
export interface FlagSpec {
    /** `string` takes a value, `boolean` does not. */
    type: 'string' | 'boolean';
    /** The flag may be given more than once (`--context A --context B`). */
    multiple?: boolean;
}

/** Flags every vault subcommand accepts. */
export const VAULT_FLAGS = {
    vault: { type: 'string' },
    'config-dir': { type: 'string' },
    'base-url': { type: 'string' },
    verbose: { type: 'boolean' },
    'default-settings': { type: 'boolean' },
} as const satisfies Record<string, FlagSpec>;

/** What was read: flag values by name, and the words that are not flags. */
export interface ParsedArgs {
    /** Flag values; a `multiple` flag gives an array. */
    values: Record<string, string | boolean | string[] | undefined>;
    /** Everything else, in order. */
    positionals: string[];
}

/** The arguments did not fit the command; printed with the command's usage, exit code 2. */
export class CliUsageError extends CliError {
    constructor(
        message: string,
        /** The usage text of the command. */
        readonly usage: string,
    ) {
        super(message, EXIT_SETUP);
    }
}

/** Whether the person asked for help anywhere before a `--`. */
export function wantsHelp(args: readonly string[]): boolean {
    const end = args.indexOf('--');
    return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** Reads `args` against `flags`; rejects anything else with a `CliUsageError`. */
export function readArgs(args: string[], flags: Record<string, FlagSpec>, usage: string): ParsedArgs {
    try {
        const parsed = parseArgs({ args, options: flags, allowPositionals: true, strict: true });
        return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
    } catch (error) {
        // parseArgs' messages name the flag and say what is wrong, and quote nothing but the flag itself.
        const message = error instanceof Error ? error.message.split('\n')[0] : 'The arguments could not be read.';
        throw new CliUsageError(message ?? 'The arguments could not be read.', usage);
    }
}

/** A string flag's value, or `undefined`. */
export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
    const value = parsed.values[name];
    return typeof value === 'string' ? value : undefined;
}

/** A repeatable string flag's values (none = empty). */
export function listFlag(parsed: ParsedArgs, name: string): string[] {
    const value = parsed.values[name];
    return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** The vault options; `--vault` is required. */
export function vaultOptions(parsed: ParsedArgs, usage: string): VaultOptions {
    const vaultRoot = stringFlag(parsed, 'vault');
    if (vaultRoot === undefined || vaultRoot.trim() === '') throw new CliUsageError('--vault DIR is required.', usage);
    return {
        vaultRoot,
        configDir: stringFlag(parsed, 'config-dir') ?? DEFAULT_CONFIG_DIR,
        verbose: parsed.values.verbose === true,
        defaultSettings: parsed.values['default-settings'] === true,
    };
}

/** A positive whole number flag, or `undefined` when absent. */
export function countFlag(parsed: ParsedArgs, name: string, usage: string): number | undefined {
    const raw = stringFlag(parsed, name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 64) {
        throw new CliUsageError(`--${name} must be a whole number from 1 to 64, not "${raw}".`, usage);
    }
    return value;
}
