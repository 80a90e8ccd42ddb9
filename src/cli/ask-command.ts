/**
 * `vault-agent ask`: one co-pilot turn in the terminal, built by the same session factory as the chat. `@[[mentions]]`
 * are resolved by the `ContextBuilder` through the exclusions; the answer streams to stdout and everything else (what
 * was attached or left out, tool calls, retries, diffs, errors) goes to stderr, so `ask … > answer.md` keeps only the
 * answer. Read-only unless `--mode ask`, where each change needs a "y" on the terminal.
 */
import type { TurnEvent } from '../agent/loop/turn-events';
import { createAgentSession } from '../agent/session-factory';
import { CliUsageError, readArgs, stringFlag, VAULT_FLAGS, vaultOptions, type FlagSpec } from './cli-args';
import { cliRetryPolicy, EXIT_FAILED, openCliVault, openModelClient, spendFile, type CliIo } from './cli-context';
import { connectMcp } from './cli-mcp';
import { onReaderGone } from './inert-output';
import { useSearchWorkers } from './search-workers';
import { TerminalApprovals, TerminalToolCalls } from './terminal-approvals';
import { ASK_USAGE } from './usage';

/** Exit code once the answer's reader went away: the shell's convention for a command ended by SIGPIPE. */
const EXIT_READER_GONE = 141;

const FLAGS = { ...VAULT_FLAGS, mode: { type: 'string' }, model: { type: 'string' } } satisfies Record<
    string,
    FlagSpec
>;

/** The modes `ask` offers: nobody can watch a terminal turn apply edits unasked, so `auto-edits` is not one. */
const ASK_MODES = ['read-only', 'ask'] as const;

/** Runs `ask`; resolves to the exit code. */
export async function askCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, FLAGS, ASK_USAGE);
    const options = vaultOptions(parsed, ASK_USAGE);
    const mode = stringFlag(parsed, 'mode') ?? 'read-only';
    if (!(ASK_MODES as readonly string[]).includes(mode)) {
        throw new CliUsageError(`--mode must be read-only or ask, not "${mode}".`, ASK_USAGE);
    }
    const prompt = parsed.positionals.join(' ').trim();
    if (prompt === '') throw new CliUsageError('The prompt is missing.', ASK_USAGE);
    const opened = await openCliVault(options, io);
    // search_notes in the turn searches in worker threads, as `vault-agent mcp` does (decision 0024).
    useSearchWorkers(opened.vault, { env: io.env, stderr: io.stderr, warm: true });
    const { client } = await openModelClient({
        settings: opened.settings.model,
        baseUrlFlag: stringFlag(parsed, 'base-url'),
        io,
        verbose: options.verbose,
    });
    if (options.verbose) io.stderr.write(`vault-agent: spend recorded in ${spendFile(io.env)}\n`);
    // Ctrl-C at a y/N question arrives as a key (the terminal is in raw mode), not as SIGINT: it stops the turn too.
    let stopTurn = (): void => undefined;
    const terminal = { onInterrupt: () => stopTurn() };
    const approvals = new TerminalApprovals(io, terminal);
    // Only MCP servers allowed on this device start; a call shows its full input and asks on the terminal (row 18).
    const mcp = await connectMcp(opened, io, 'ask');
    try {
        // The same services as the plugin's chat: settings.context sizes the context and picks the instructions
        // note, and the skills catalog reads `.claude/skills/` too.
        const model = stringFlag(parsed, 'model') ?? '';
        const services = await opened.core.sessionServices(opened.settings, {
            client,
            approvals,
            model,
            retry: cliRetryPolicy(io.env),
            ...(mcp !== null ? { toolCallGate: new TerminalToolCalls(io, terminal) } : {}),
        });
        const { session } = await createAgentSession({
            services,
            kind: 'chat',
            mode,
            model,
        });
        const printer = new AnswerPrinter(io);
        session.subscribe((event) => printer.hear(event));
        stopTurn = () => session.stop();
        const onSigint = (): void => session.stop();
        process.on('SIGINT', onSigint);
        // Nobody reads the answer any more (`… | head` has what it wanted): the turn stops, as on Ctrl-C, and spends
        // nothing more on it.
        let readerGone = false;
        const stopListening = onReaderGone(io.stdout, () => {
            readerGone = true;
            session.stop();
        });
        try {
            const result = await session.send(prompt, { context: { attachFocusedNote: false } });
            printer.end();
            if (readerGone) return EXIT_READER_GONE;
            const ok = result.outcome === 'done';
            if (!ok || options.verbose) io.stderr.write(`vault-agent ask: ${result.message}\n`);
            return ok ? 0 : EXIT_FAILED;
        } finally {
            process.off('SIGINT', onSigint);
            stopListening();
        }
    } finally {
        await mcp?.close();
    }
}

/** Streams the answer to stdout and the rest of the turn to stderr. */
class AnswerPrinter {
    private attempt = -1;
    private call = -1;
    private wroteText = false;
    private endsWithNewline = true;
    private lastRetry = '';

    constructor(private readonly io: CliIo) {}

    hear(event: TurnEvent): void {
        switch (event.type) {
            case 'text':
                if (this.wroteText && (event.attempt !== this.attempt || event.modelCall !== this.call)) {
                    // A retried attempt's text is void; the person sees where the answer started again.
                    if (event.modelCall === this.call) this.note('(the answer was cut off; starting again)');
                }
                this.attempt = event.attempt;
                this.call = event.modelCall;
                this.io.stdout.write(event.delta);
                this.wroteText = true;
                this.endsWithNewline = event.delta.endsWith('\n');
                break;
            case 'context':
                for (const line of event.lines) this.note(line);
                break;
            case 'tool-running':
                this.note(`· ${event.name}`);
                break;
            case 'retry':
                // The same error again is not said again: only that it is still being retried.
                if (event.error.summary === this.lastRetry)
                    this.note(`still failing; retrying in ${seconds(event.delayMs)} s.`);
                else this.note(event.message);
                this.lastRetry = event.error.summary;
                break;
            case 'notice':
                this.note(event.message);
                break;
            // An error is said once, by the line that ends the turn (`result.message` carries it).
            case 'withheld':
                this.note(`${event.blocks} earlier item(s) are now excluded and were withheld.`);
                break;
            default:
                break;
        }
    }

    end(): void {
        if (this.wroteText && !this.endsWithNewline) this.io.stdout.write('\n');
    }

    private note(line: string): void {
        this.io.stderr.write(`vault-agent ask: ${line}\n`);
    }
}

function seconds(ms: number): number {
    return Math.max(1, Math.round(ms / 1000));
}
