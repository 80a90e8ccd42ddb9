/**
 * The `vault-agent` command. For now it dispatches `mcp --vault DIR [--config-dir D]`; the other subcommands (enqueue,
 * run, status, ask) are wired in here by the CLI's own module.
 */
import process from 'node:process';
import { McpCommandError, runMcpServer } from './mcp-command';

/**
 * Outside Obsidian there is no `Vault#configDir` to ask; Obsidian's own default is the only sensible default for a
 * folder the person can override with --config-dir.
 */
const DEFAULT_CONFIG_DIR = '.obsidian';

const USAGE = `Usage: vault-agent mcp --vault DIR [--config-dir DIR]

  mcp   Serve the vault to an MCP client (Claude Desktop, Claude Code, ...) over stdio.
        --vault DIR        the vault folder
        --config-dir DIR   the vault's config folder (default .obsidian)
`;

/** Reads `--name value` pairs; unknown flags are errors, so a typo never silently changes what runs. */
function parseFlags(args: string[], known: readonly string[]): Map<string, string> | string {
    const flags = new Map<string, string>();
    for (let i = 0; i < args.length; i++) {
        const arg = args[i] ?? '';
        const [name, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
        if (name === undefined || !known.includes(name)) return `Unknown argument "${arg}".`;
        const value = inline ?? args[++i];
        if (value === undefined) return `--${name} needs a value.`;
        flags.set(name, value);
    }
    return flags;
}

async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
        process.stdout.write(USAGE);
        return command === undefined ? 1 : 0;
    }
    if (command !== 'mcp') {
        process.stderr.write(`vault-agent: unknown command "${command}".\n${USAGE}`);
        return 2;
    }
    if (rest.includes('--help')) {
        process.stdout.write(USAGE);
        return 0;
    }
    const flags = parseFlags(rest, ['vault', 'config-dir']);
    if (typeof flags === 'string') {
        process.stderr.write(`vault-agent mcp: ${flags}\n${USAGE}`);
        return 2;
    }
    const vaultRoot = flags.get('vault');
    if (vaultRoot === undefined) {
        process.stderr.write(`vault-agent mcp: --vault is required.\n${USAGE}`);
        return 2;
    }
    try {
        await runMcpServer({
            vaultRoot,
            configDir: flags.get('config-dir') ?? DEFAULT_CONFIG_DIR,
            stdin: process.stdin,
            stdout: process.stdout,
            stderr: process.stderr,
        });
        return 0;
    } catch (error) {
        if (error instanceof McpCommandError) {
            process.stderr.write(`vault-agent mcp: ${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`vault-agent: unexpected failure (${error instanceof Error ? error.name : 'error'}).\n`);
        process.exitCode = 1;
    },
);
