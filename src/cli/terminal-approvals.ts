/**
 * The CLI's `ApprovalGate`: shows a proposed change as unified-diff hunks on stderr and asks "y/N" on the terminal.
 * Without a terminal there is nobody to ask, so every change is denied and the person is told why; a piped "y" never
 * counts as approval (RELIABILITY row 3: only a person approves).
 */
import { createInterface } from 'node:readline';
import type { ApprovalGate, ApprovalRequestOptions, Decision } from '../agent/changes/approval';
import type { ChangeProposal } from '../agent/changes/proposal';
import type { CliIo } from './cli-context';

/** Lines of a diff shown before the rest is summarised, so a huge change cannot scroll the question away. */
const MAX_DIFF_LINES = 400;

/** Why a change was refused when no terminal is attached. */
export const NO_TERMINAL_REASON =
    'nobody can approve changes here: vault-agent ask was not run in a terminal, so every change is refused';

/** Asks on the terminal; denies everything when stdin or stderr is not one. */
export class TerminalApprovals implements ApprovalGate {
    private warned = false;
    private queue: Promise<unknown> = Promise.resolve();

    constructor(private readonly io: CliIo) {}

    /** Shows `proposal` and resolves with the person's answer. Questions are asked one at a time. */
    request(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision> {
        const next = this.queue.then(() => this.ask(proposal, options));
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async ask(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision> {
        if (this.io.stdin.isTTY !== true || this.io.stderr.isTTY !== true) {
            if (!this.warned) {
                this.io.stderr.write(
                    `vault-agent ask: a change to "${proposal.path}" was refused: ${NO_TERMINAL_REASON}.\n`,
                );
                this.warned = true;
            }
            return { kind: 'deny', reason: NO_TERMINAL_REASON };
        }
        this.io.stderr.write(`\n${renderProposal(proposal, options)}`);
        const answer = await this.question('Apply this change? [y/N] ', options.signal);
        if (answer === null) return { kind: 'deny', reason: 'the person stopped the turn' };
        return /^y(es)?$/i.test(answer.trim())
            ? { kind: 'approve', binding: proposal.binding }
            : { kind: 'deny', reason: 'the person said no' };
    }

    private question(prompt: string, signal: AbortSignal | undefined): Promise<string | null> {
        const rl = createInterface({ input: this.io.stdin, output: this.io.stderr, terminal: true });
        return new Promise<string | null>((resolve) => {
            const done = (answer: string | null): void => {
                signal?.removeEventListener('abort', onAbort);
                rl.close();
                resolve(answer);
            };
            const onAbort = (): void => done(null);
            if (signal?.aborted === true) {
                done(null);
                return;
            }
            signal?.addEventListener('abort', onAbort, { once: true });
            rl.once('close', () => done(null));
            rl.question(prompt, (answer) => done(answer));
        });
    }
}

/** A proposal for the terminal: what, where, why (in the model's words), every file concerned, and the hunks. */
export function renderProposal(proposal: ChangeProposal, options: ApprovalRequestOptions = {}): string {
    const lines: string[] = [];
    const target = proposal.newPath !== undefined ? `${proposal.path} → ${proposal.newPath}` : proposal.path;
    lines.push(`Proposed ${proposal.kind}: ${target}`);
    if (proposal.reason !== undefined && proposal.reason.trim() !== '') {
        lines.push(`The agent says: ${proposal.reason.trim()}`);
    }
    if (options.trigger === 'changed-on-disk')
        lines.push('The note changed since the agent read it; this is re-diffed.');
    const files = options.files ?? [];
    if (files.length > 1) lines.push(`Files concerned (${files.length}):`, ...files.map((file) => `  ${file}`));
    if (proposal.kind === 'delete') lines.push('The note would be moved to the trash.');
    const diff: string[] = [];
    for (const hunk of proposal.hunks) {
        diff.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
        diff.push(...hunk.lines.map(withoutControls));
    }
    if (diff.length > MAX_DIFF_LINES) {
        const left = diff.length - MAX_DIFF_LINES;
        diff.length = MAX_DIFF_LINES;
        diff.push(`… ${left} more diff line(s) not shown`);
    }
    return `${[...lines, ...diff].join('\n')}\n`;
}

/** Terminal escape sequences in note text must not move the cursor or recolour the question. */
function withoutControls(line: string): string {
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '�');
}
