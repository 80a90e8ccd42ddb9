/**
 * The CLI's gates: `TerminalApprovals` (an `ApprovalGate`: a proposed change as unified-diff hunks) and
 * `TerminalToolCalls` (a `ToolCallGate`: an MCP tool call with its full description and input). Both show what is asked
 * on stderr and ask "y/N" on the terminal. Without a terminal there is nobody to ask, so everything is denied and the
 * person is told why; a piped "y" never counts as approval (docs/RELIABILITY.md rows 3 and 18: only a person approves).
 */
import { createInterface } from 'node:readline';
import type { ApprovalGate, ApprovalRequestOptions, Decision } from '../agent/changes/approval';
import type { ChangeProposal } from '../agent/changes/proposal';
import type { ToolCallDecision, ToolCallGate, ToolCallRequest } from '../agent/mcp/tool-call-gate';
import type { CliIo } from './cli-context';
import { inertText, rawOf } from './inert-output';

/** Lines of a diff shown before the rest is summarised, so a huge change cannot scroll the question away. */
const MAX_DIFF_LINES = 400;

/** Why a change was refused when no terminal is attached. */
export const NO_TERMINAL_REASON =
    'nobody can approve changes here: vault-agent ask was not run in a terminal, so every change is refused';

/** Why an MCP tool call was refused when no terminal is attached. */
export const NO_TERMINAL_TOOL_REASON =
    'nobody can approve MCP tool calls here: vault-agent was not run in a terminal, so every such call is refused';

/** What the terminal gates need besides the streams. */
export interface TerminalGateOptions {
    /**
     * Ctrl-C while a question is asked. The terminal is in raw mode then, so Ctrl-C reaches readline as a key, not
     * the process as SIGINT: this is how the person still stops the whole turn (the question itself ends unanswered).
     */
    onInterrupt?: () => void;
}

/** One question at a time on the terminal; `null` when the turn stopped before an answer. */
export class TerminalQuestions {
    private queue: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly io: CliIo,
        private readonly options: TerminalGateOptions = {},
    ) {}

    /** Whether a person can answer: stdin and stderr are both a terminal. */
    get available(): boolean {
        return this.io.stdin.isTTY === true && this.io.stderr.isTTY === true;
    }

    /** Shows `shown`, then asks `prompt`; true only for an explicit yes. */
    async confirm(shown: string, prompt: string, signal: AbortSignal | undefined): Promise<boolean | null> {
        const answer = await this.ask(shown, prompt, signal);
        return answer === null ? null : /^y(es)?$/i.test(answer.trim());
    }

    /** Shows `shown`, then asks `prompt`; the answer as typed, `null` when nobody answered (Ctrl-C, Ctrl-D, stop). */
    ask(shown: string, prompt: string, signal?: AbortSignal): Promise<string | null> {
        const next = this.queue.then(() => {
            this.io.stderr.write(`\n${shown}`);
            return this.question(prompt, signal);
        });
        this.queue = next.catch(() => undefined);
        return next;
    }

    private question(prompt: string, signal: AbortSignal | undefined): Promise<string | null> {
        if (signal?.aborted === true) return Promise.resolve(null);
        // The line editor draws with control sequences of its own: it writes to the terminal itself.
        const rl = createInterface({ input: this.io.stdin, output: rawOf(this.io.stderr), terminal: true });
        return new Promise<string | null>((resolve) => {
            let settled = false;
            // Settles once: the first of answer, stop, Ctrl-C or end of input wins. `rl.close()` emits 'close' at
            // once, so the outcome is fixed before closing: otherwise closing after an answer reads as "stopped".
            const done = (answer: string | null): void => {
                if (settled) return;
                settled = true;
                signal?.removeEventListener('abort', onAbort);
                resolve(answer);
                rl.close();
            };
            const onAbort = (): void => done(null);
            signal?.addEventListener('abort', onAbort, { once: true });
            rl.on('SIGINT', () => {
                this.io.stderr.write('^C\n');
                done(null);
                this.options.onInterrupt?.();
            });
            // Ctrl-D or the terminal going away: nobody answered.
            rl.once('close', () => done(null));
            rl.question(prompt, (answer) => done(answer));
        });
    }
}

/** Asks about changes on the terminal; denies everything when stdin or stderr is not one. */
export class TerminalApprovals implements ApprovalGate {
    private warned = false;
    private readonly questions: TerminalQuestions;

    constructor(
        private readonly io: CliIo,
        options: TerminalGateOptions = {},
    ) {
        this.questions = new TerminalQuestions(io, options);
    }

    /** Shows `proposal` and resolves with the person's answer. Questions are asked one at a time. */
    async request(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision> {
        if (!this.questions.available) {
            if (!this.warned) {
                this.io.stderr.write(
                    `vault-agent ask: a change to "${proposal.path}" was refused: ${NO_TERMINAL_REASON}.\n`,
                );
                this.warned = true;
            }
            return { kind: 'deny', reason: NO_TERMINAL_REASON };
        }
        const yes = await this.questions.confirm(
            renderProposal(proposal, options),
            'Apply this change? [y/N] ',
            options.signal,
        );
        if (yes === null) return { kind: 'deny', reason: 'the person stopped the turn' };
        return yes ? { kind: 'approve', binding: proposal.binding } : { kind: 'deny', reason: 'the person said no' };
    }
}

/**
 * Asks about MCP tool calls on the terminal. The full description and input are shown before any answer, also when
 * there is no terminal and the call is refused, so the person sees what the model tried to send (row 18).
 */
export class TerminalToolCalls implements ToolCallGate {
    private readonly questions: TerminalQuestions;

    constructor(
        private readonly io: CliIo,
        options: TerminalGateOptions = {},
    ) {
        this.questions = new TerminalQuestions(io, options);
    }

    /** Shows `request` in full and resolves with the person's answer. */
    async request(request: ToolCallRequest, options: { signal?: AbortSignal }): Promise<ToolCallDecision> {
        const shown = renderToolCall(request);
        if (!this.questions.available) {
            this.io.stderr.write(`${shown}Refused: ${NO_TERMINAL_TOOL_REASON}.\n`);
            return { kind: 'deny', reason: NO_TERMINAL_TOOL_REASON };
        }
        const yes = await this.questions.confirm(shown, 'Run this tool? [y/N] ', options.signal);
        if (yes === null) return { kind: 'deny', reason: 'the person stopped the turn' };
        return yes ? { kind: 'allow', binding: request.binding } : { kind: 'deny', reason: 'the person said no' };
    }
}

/** An MCP tool call for the terminal: server, tool, the description as the server sent it, the full input, why asked.
 */
export function renderToolCall(request: ToolCallRequest): string {
    const lines = [
        `MCP tool call: ${request.offeredName} (server "${request.server}")`,
        'Description, as the server sent it:',
        ...(request.definition.description ?? '(none)').split('\n').map((line) => `  ${line}`),
        'Input:',
        ...JSON.stringify(request.input, null, 2)
            .split('\n')
            .map((line) => `  ${line}`),
        `Asked because: ${request.reasons.join(', ')}`,
    ];
    return `${lines.map(inertText).join('\n')}\n`;
}

/** A proposal for the terminal: what, where, why (in the model's words), every file concerned, and the hunks. */
export function renderProposal(proposal: ChangeProposal, options: ApprovalRequestOptions = {}): string {
    const lines: string[] = [];
    const target = proposal.newPath !== undefined ? `${proposal.path} → ${proposal.newPath}` : proposal.path;
    lines.push(`Proposed ${proposal.kind}: ${target}`);
    if (proposal.reason !== undefined && proposal.reason.trim() !== '') {
        lines.push(`The agent says: ${proposal.reason.trim()}`);
    }
    if (options.warning !== undefined) lines.push(inertText(options.warning));
    if (options.trigger === 'changed-on-disk')
        lines.push('The note changed since the agent read it; this is re-diffed.');
    const files = options.files ?? [];
    if (files.length > 1) lines.push(`Files concerned (${files.length}):`, ...files.map((file) => `  ${file}`));
    if (proposal.kind === 'delete') lines.push('The note would be moved to the trash.');
    const diff: string[] = [];
    for (const hunk of proposal.hunks) {
        diff.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
        diff.push(...hunk.lines.map(inertText));
    }
    if (diff.length > MAX_DIFF_LINES) {
        const left = diff.length - MAX_DIFF_LINES;
        diff.length = MAX_DIFF_LINES;
        diff.push(`… ${left} more diff line(s) not shown`);
    }
    return `${[...lines, ...diff].join('\n')}\n`;
}
