/**
 * The `vault-agent` command: dispatches to its subcommands and turns their typed failures into one clear line on
 * stderr and an exit code (1 = work failed, 2 = could not start). Nothing else writes to stdout, so `enqueue`'s path,
 * `status --json` and `ask`'s answer can be piped, and `mcp` keeps stdout for MCP messages only.
 */
import process from 'node:process';
import { askCommand } from './ask-command';
import { CliUsageError, readArgs, vaultOptions, wantsHelp, type FlagSpec } from './cli-args';
import { describeLaunch, grantLaunchConsent } from '../agent/mcp/mcp-consent';
import {
    CliError,
    describe,
    EXIT_SETUP,
    JsonFileConsentStore,
    openCliVault,
    runnerFiles,
    vaultStateFile,
    type CliIo,
} from './cli-context';
import { enqueueCommand } from './enqueue-command';
import { InertOutput, rawOf } from './inert-output';
import { McpCommandError, runMcpServer } from './mcp-command';
import { boundHeapGrowth } from './heap-growth-node';
import { reviewCommand } from './review-command';
import { debugChannel } from './search-workers';
import { runCommand } from './run-command';
import { statusCommand } from './status-command';
import { ASK_USAGE, ENQUEUE_USAGE, MAIN_USAGE, MCP_USAGE, REVIEW_USAGE, RUN_USAGE, STATUS_USAGE } from './usage';
import { VERSION } from '../kernel/version';

/** A subcommand: its help text and what runs it. */
interface Subcommand {
    usage: string;
    run(args: string[], io: CliIo): Promise<number>;
}

const MCP_FLAGS = {
    vault: { type: 'string' },
    'config-dir': { type: 'string' },
    'default-settings': { type: 'boolean' },
} satisfies Record<string, FlagSpec>;

const MCP_ALLOW_USAGE = `Usage: vault-agent mcp-allow --vault DIR [--config-dir DIR] [--default-settings] SERVER

Allows the MCP server SERVER from the vault's settings to run on this device, for \`vault-agent run\` and
\`vault-agent ask\` (where each call is still shown and asked about on the terminal). Prints the exact command line
(or URL) it allows; any later change to it needs allowing again.
`;

const SUBCOMMANDS: Record<string, Subcommand> = {
    enqueue: { usage: ENQUEUE_USAGE, run: enqueueCommand },
    run: { usage: RUN_USAGE, run: runCommand },
    status: { usage: STATUS_USAGE, run: statusCommand },
    ask: { usage: ASK_USAGE, run: askCommand },
    review: { usage: REVIEW_USAGE, run: reviewCommand },
    mcp: { usage: MCP_USAGE, run: mcpCommand },
    'mcp-allow': { usage: MCP_ALLOW_USAGE, run: mcpAllowCommand },
};

/** Runs the command line `argv` (without `node` and the script); resolves to the exit code. */
async function main(argv: string[], io: CliIo): Promise<number> {
    const [name, ...rest] = argv;
    if (name === undefined) {
        io.stderr.write(MAIN_USAGE);
        return EXIT_SETUP;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
        io.stdout.write(MAIN_USAGE);
        return 0;
    }
    if (name === '--version' || name === '-v' || name === 'version') {
        io.stdout.write(`vault-agent ${VERSION}\n`);
        return 0;
    }
    const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (command === undefined) {
        io.stderr.write(`vault-agent: unknown command "${name}".\n\n${MAIN_USAGE}`);
        return EXIT_SETUP;
    }
    if (wantsHelp(rest)) {
        io.stdout.write(command.usage);
        return 0;
    }
    try {
        return await command.run(rest, io);
    } catch (error) {
        if (error instanceof CliUsageError) {
            io.stderr.write(`vault-agent ${name}: ${error.message}\n\n${error.usage}`);
            return error.exitCode;
        }
        if (error instanceof CliError) {
            io.stderr.write(`vault-agent ${name}: ${error.message}\n`);
            return error.exitCode;
        }
        io.stderr.write(`vault-agent ${name}: unexpected failure: ${describe(error)}\n`);
        return 1;
    }
}

async function mcpCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, MCP_FLAGS, MCP_USAGE);
    const { vaultRoot, configDir, defaultSettings } = vaultOptions(parsed, MCP_USAGE);
    // A server lives long and keeps the vault's index: its heap should stay near what it holds (decision 0026).
    boundHeapGrowth();
    try {
        await runMcpServer({
            vaultRoot,
            configDir,
            defaultSettings,
            stdin: io.stdin,
            // JSON-RPC, whose strings carry any control character escaped: written as is.
            stdout: rawOf(io.stdout) as CliIo['stdout'],
            stderr: io.stderr,
            version: VERSION,
            debugScans: debugChannel(io.env, 'scan'),
            env: io.env,
            runnerFiles: runnerFiles(io.env, vaultRoot, configDir),
        });
        return 0;
    } catch (error) {
        if (error instanceof McpCommandError) throw new CliError(error.message);
        throw error;
    }
}

/** Records consent on this device for one configured server, after printing exactly what it allows. */
async function mcpAllowCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, { ...MCP_FLAGS, verbose: { type: 'boolean' } }, MCP_ALLOW_USAGE);
    const options = vaultOptions(parsed, MCP_ALLOW_USAGE);
    const name = parsed.positionals.join(' ').trim();
    if (name === '') throw new CliUsageError('The server name is missing.', MCP_ALLOW_USAGE);
    const opened = await openCliVault(options, io);
    const server = opened.settings.mcp.servers.find((s) => s.name === name);
    if (server === undefined) throw new CliError(`The vault settings name no MCP server "${name}".`);
    const launch = describeLaunch(server);
    await grantLaunchConsent(
        new JsonFileConsentStore(vaultStateFile(io.env, opened.vault.root, 'mcp-consent')),
        launch,
    );
    io.stderr.write(`vault-agent mcp-allow: "${name}" may now run on this device: ${launch.commandLine}\n`);
    return 0;
}

// Text from notes, the model, endpoints and MCP servers reaches the terminal inert (`inert-output.ts`).
const processIo: CliIo = {
    stdout: new InertOutput(process.stdout),
    stderr: new InertOutput(process.stderr),
    stdin: process.stdin,
    env: process.env,
};

/**
 * Once the command is done and nothing is left pending (no write, no timer, no open handle: `beforeExit` fires only
 * then), the process leaves at once. Left to itself Node would first take its heap apart page by page before the
 * kernel frees the rest; at 20,000 notes that was up to 8 ms more (decision 0031).
 */
function exitWhenIdle(code: number): void {
    process.exitCode = code;
    process.once('beforeExit', () => process.exit(code));
}

main(process.argv.slice(2), processIo).then(exitWhenIdle, (error: unknown) => {
    process.stderr.write(`vault-agent: unexpected failure (${error instanceof Error ? error.name : 'error'}).\n`);
    exitWhenIdle(1);
});
