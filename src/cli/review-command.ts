/**
 * `vault-agent review`: the review inbox in a terminal. It lists the pending proposals (stdout, so it can be piped);
 * on a real terminal it then walks them newest first, shows each as a diff against the note as it is now (re-based
 * when the note moved on, with what no longer applies named) and asks hunk by hunk. What the person accepts is
 * applied through the same ChangeController as the chat; answers are kept in the proposal, so a review can be left
 * and finished later, here or in the plugin. Without a terminal nothing is applied: there is nobody to decide.
 */
import type { Decision } from '../agent/changes/approval';
import {
    applyProposal,
    decisionFromVerdicts,
    openProposal,
    rejectProposal,
    undoProposal,
    type OpenedProposal,
    type ReviewOutcome,
    type ReviewServices,
} from '../review/proposal-review';
import type { InboxEntry, ProposalInbox } from '../review/proposal-store';
import { readArgs, stringFlag, VAULT_FLAGS, vaultOptions, type FlagSpec } from './cli-args';
import { CliError, openCliVault, type CliIo } from './cli-context';
import { inertText } from './inert-output';
import { renderProposal, TerminalQuestions } from './terminal-approvals';
import { REVIEW_USAGE } from './usage';

const FLAGS = {
    ...VAULT_FLAGS,
    show: { type: 'string' },
    undo: { type: 'string' },
} satisfies Record<string, FlagSpec>;

/** Said when no terminal is attached. */
export const NO_TERMINAL_REVIEW =
    'not a terminal, so nothing was applied: only a person decides on proposals. Run vault-agent review in a terminal';

/** Runs `review`; resolves to the exit code. */
export async function reviewCommand(args: string[], io: CliIo): Promise<number> {
    const parsed = readArgs(args, FLAGS, REVIEW_USAGE);
    const opened = await openCliVault(vaultOptions(parsed, REVIEW_USAGE), io);
    const review = opened.core.review();
    const undo = stringFlag(parsed, 'undo');
    if (undo !== undefined) return undoOne(review, undo, io);
    const show = stringFlag(parsed, 'show');
    if (show !== undefined) {
        const one = await openProposal(review, show);
        if (one.state === 'missing') {
            const bad = (await review.store.unreadable()).find((file) => file.path.endsWith(`/${show}.md`));
            throw new CliError(
                bad === undefined
                    ? `There is no proposal "${show}".`
                    : `"${bad.path}" is not a readable proposal (${bad.why}); left as it is.`,
            );
        }
        io.stdout.write(renderOpened(one));
        return 0;
    }
    const inbox = await review.store.list();
    io.stdout.write(renderInbox(inbox));
    for (const bad of await review.store.unreadable()) {
        io.stderr.write(`vault-agent review: "${bad.path}" is not a readable proposal (${bad.why}); left as it is.\n`);
    }
    if (inbox.count === 0) return 0;
    const questions = new TerminalQuestions(io);
    if (!questions.available) {
        io.stderr.write(`vault-agent review: ${NO_TERMINAL_REVIEW}.\n`);
        return 0;
    }
    const entries = inbox.groups.flatMap((group) => group.notes.flatMap((note) => note.entries));
    for (const entry of entries) {
        if (entry.withheld !== undefined) continue;
        const go = await reviewOne(review, entry, questions, io);
        if (go === 'quit') break;
    }
    await review.store.settled();
    return 0;
}

/** The inbox for stdout: by origin, then note, newest first. */
export function renderInbox(inbox: ProposalInbox): string {
    if (inbox.count === 0) return 'No proposals are waiting for review.\n';
    const lines = [
        `${inbox.count} proposal(s) waiting for review${inbox.withheld > 0 ? `, ${inbox.withheld} withheld` : ''}:`,
    ];
    for (const group of inbox.groups) {
        lines.push('', `${group.origin.title} (${group.count})`);
        for (const note of group.notes) {
            for (const entry of note.entries) lines.push(`  ${entryLine(entry)}`);
        }
    }
    return `${lines.map(inertText).join('\n')}\n`;
}

function entryLine(entry: InboxEntry): string {
    const target = entry.newPath !== undefined ? `${entry.path} → ${entry.newPath}` : entry.path;
    if (entry.withheld !== undefined) return `${entry.id}  ${entry.kind} ${target}: ${entry.withheld}`;
    const hunks = entry.hunks > 0 ? ` (${entry.hunks} change${entry.hunks === 1 ? '' : 's'})` : '';
    const why = entry.reason !== undefined ? ` — "${entry.reason.split('\n')[0] ?? ''}"` : '';
    return `${entry.id}  ${entry.kind} ${target}${hunks}${why}`;
}

/** One opened proposal as text: the diff against the note now, or why it cannot be shown or applied. */
export function renderOpened(opened: OpenedProposal): string {
    switch (opened.state) {
        case 'missing':
            return 'There is no such proposal.\n';
        case 'withheld':
            return `${inertText(opened.why)}\n`;
        case 'decided':
            return `${opened.proposal.id} was already ${opened.proposal.status}.\n`;
        case 'conflict':
            return `${opened.proposal.id} cannot be applied: ${inertText(opened.why)}.\n`;
        case 'ready': {
            const head = `${opened.proposal.id} from ${opened.proposal.origin.title}\n`;
            const stale = opened.stale
                ? `The note changed since this was proposed; shown against its current text.${
                      opened.conflicts.length > 0
                          ? ` ${opened.conflicts.length} change(s) no longer fit and will not be applied.`
                          : ''
                  }\n`
                : '';
            return inertText(head) + stale + renderProposal(opened.change);
        }
    }
}

type Walk = 'next' | 'quit';

/** Asks about one proposal, hunk by hunk, and applies what was accepted once every hunk is answered. */
async function reviewOne(
    review: ReviewServices,
    entry: InboxEntry,
    questions: TerminalQuestions,
    io: CliIo,
): Promise<Walk> {
    const opened = await openProposal(review, entry.id);
    if (opened.state === 'conflict') {
        const answer = await questions.ask(renderOpened(opened), 'Reject it? [y/N/q] ');
        if (answer === null || /^q/i.test(answer)) return 'quit';
        if (/^y/i.test(answer)) await rejectProposal(review, entry.id);
        return 'next';
    }
    if (opened.state !== 'ready') {
        io.stderr.write(renderOpened(opened));
        return 'next';
    }
    const { change, storedHunks } = opened;
    io.stderr.write(`\n${renderOpened(opened)}`);
    // A rename or delete is one decision; its verdict is kept as hunk 0.
    const count = Math.max(change.hunks.length, 1);
    for (let index = 0; index < count; index++) {
        const hunk = change.hunks[index];
        const stored = hunk === undefined ? 0 : (storedHunks[index] ?? index);
        const shown =
            hunk === undefined
                ? ''
                : `Change ${index + 1} of ${count}:\n${hunk.lines.map((line) => inertText(line)).join('\n')}\n`;
        const prompt = hunk === undefined ? `Apply this ${change.kind}? [y/n/s/q] ` : 'Accept this change? [y/n/s/q] ';
        const answer = await questions.ask(shown, prompt);
        if (answer === null || /^q/i.test(answer)) return 'quit';
        if (/^s/i.test(answer)) return 'next';
        await review.store.decide(entry.id, stored, /^y/i.test(answer) ? 'accept' : 'reject');
    }
    const again = await openProposal(review, entry.id);
    if (again.state !== 'ready') {
        io.stderr.write(renderOpened(again));
        return 'next';
    }
    if (again.change.binding !== change.binding) {
        io.stderr.write(`${entry.id}: the note changed while you were reviewing it; it is left for another look.\n`);
        return 'next';
    }
    report(entry, await applyProposal(review, entry.id, decisionFromVerdicts(again) satisfies Decision), io);
    return 'next';
}

function report(entry: InboxEntry, outcome: ReviewOutcome, io: CliIo): void {
    const name = `vault-agent review: ${entry.id}`;
    switch (outcome.status) {
        case 'applied': {
            const left = outcome.conflicts.length > 0 ? ` ${outcome.conflicts.length} change(s) no longer fit.` : '';
            io.stderr.write(`${name}: ${inertText(outcome.outcome.message)}${left} Undo: --undo ${entry.id}\n`);
            return;
        }
        case 'rejected':
            io.stderr.write(`${name}: rejected; the note was not changed.\n`);
            return;
        case 'moved-on':
            io.stderr.write(`${name}: the note changed meanwhile; nothing was applied. Review it again.\n`);
            return;
        case 'not-ready':
            io.stderr.write(`${name}: ${renderOpened(outcome.opened)}`);
            return;
        case 'not-applied':
            io.stderr.write(`${name}: ${inertText(outcome.outcome.message)}\n`);
            return;
    }
}

async function undoOne(review: ReviewServices, id: string, io: CliIo): Promise<number> {
    const report = await undoProposal(review, id);
    if (report === null) throw new CliError(`"${id}" is not an applied proposal.`);
    for (const done of report.restored) io.stderr.write(`vault-agent review: undone: ${done.description}.\n`);
    for (const problem of report.notRestored) io.stderr.write(`vault-agent review: not undone: ${problem.why}.\n`);
    return report.notRestored.length === 0 ? 0 : 1;
}
