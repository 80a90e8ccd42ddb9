/**
 * One proposal opened in the review inbox: the same approval card as the chat's (`approval-card.ts`, per-part
 * word-level diff, accept or reject each part, edit first, reject), shown for the change against the note AS IT IS
 * NOW. A note that changed since the proposal was made is re-diffed: the card says so and shows what still applies,
 * and the parts that no longer fit are listed apart. The decision comes only from the card (a click, or the inbox's
 * keys on it) and is applied through the change controller; an applied proposal offers Undo.
 */
import type { Hunk } from '../agent/changes/proposal';
import { wordDiff } from '../agent/changes/word-diff';
import { ApprovalCard } from './approval-card';
import type { InboxItem, InboxOpened, InboxOutcome, InboxPort } from './inbox-port';

/** What the panel is built from. */
export interface InboxDetailOptions {
    /** The proposals. */
    port: InboxPort;
    /** The proposal opened. */
    item: InboxItem;
    /** Where the panel goes (the view places it under the proposal's row). */
    el: HTMLElement;
    /** Called once the proposal was applied, rejected or undone (the view re-lists). */
    onSettled(): void;
}

/** Most conflicting parts shown in full; the rest are counted. */
const SHOWN_CONFLICTS = 5;

/** The opened proposal. */
export class InboxDetail {
    private readonly options: InboxDetailOptions;
    /** The card shown, while there is one. */
    card: ApprovalCard | null = null;

    constructor(options: InboxDetailOptions) {
        this.options = options;
        options.el.addClass('vault-agent-inbox-detail');
    }

    /** Opens the proposal against the note as it is now and shows it (again, after the note moved on). */
    async load(note = ''): Promise<void> {
        const { el, port, item } = this.options;
        el.empty();
        this.card = null;
        if (note !== '') el.createDiv({ cls: 'vault-agent-inbox-note-line', text: note });
        const loading = el.createDiv({ cls: 'vault-agent-inbox-loading', text: 'Opening…' });
        let opened: InboxOpened;
        try {
            opened = await port.open(item.id);
        } catch (error) {
            loading.setText(`Could not open this proposal: ${messageOf(error)}`);
            return;
        }
        loading.remove();
        this.render(opened);
    }

    private render(opened: InboxOpened): void {
        const el = this.options.el;
        switch (opened.state) {
            case 'missing':
                this.line('This proposal is gone: it was decided or removed, perhaps on another device.');
                return;
            case 'withheld':
                this.line(opened.why, 'vault-agent-inbox-withheld');
                return;
            case 'decided':
                this.line('This proposal was already decided.');
                return;
            case 'conflict':
                this.line(`Nothing of this proposal can be applied: ${opened.why}.`, 'vault-agent-inbox-conflict');
                this.conflicts(opened.conflicts);
                return;
            case 'ready': {
                if (opened.stale) el.addClass('is-stale');
                const card = new ApprovalCard(opened.change, {
                    trigger: opened.stale ? 'changed-on-disk' : 'policy',
                    files:
                        opened.change.newPath === undefined
                            ? [opened.change.path]
                            : [opened.change.path, opened.change.newPath],
                });
                this.card = card;
                el.appendChild(card.el);
                this.conflicts(opened.conflicts);
                void card.decision.then((decision) => this.decide(decision));
                return;
            }
        }
    }

    private async decide(decision: Parameters<InboxPort['apply']>[1]): Promise<void> {
        const { port, item } = this.options;
        const status = this.line(decision.kind === 'deny' ? 'Rejecting…' : 'Applying…', 'vault-agent-inbox-result');
        let outcome: InboxOutcome;
        try {
            outcome = await port.apply(item.id, decision);
        } catch (error) {
            status.setText(`Not applied: ${messageOf(error)}`);
            return;
        }
        switch (outcome.status) {
            case 'applied': {
                const left = outcome.conflicts.length;
                status.setText(
                    `Applied to ${item.path}.` +
                        (left === 0 ? '' : ` ${left} part${left === 1 ? '' : 's'} no longer fit and were left out.`),
                );
                this.offerUndo(status);
                this.options.onSettled();
                return;
            }
            case 'rejected':
                status.setText('Rejected. The note was not changed.');
                this.options.onSettled();
                return;
            case 'moved-on':
                await this.load('The note changed again while you decided: this is the change against it now.');
                return;
            case 'not-ready':
                this.options.el.empty();
                this.render(outcome.opened);
                return;
            case 'not-applied':
                status.setText(`Not applied: ${outcome.outcome.message}`);
                return;
        }
    }

    private offerUndo(status: HTMLElement): void {
        const { port, item } = this.options;
        const button = status.createEl('button', {
            text: 'Undo',
            cls: 'vault-agent-inbox-undo',
            attr: { 'aria-label': `Undo the change to ${item.path}` },
        });
        button.addEventListener('click', () => {
            button.disabled = true;
            void port.undo(item.id).then(
                (report) => {
                    button.remove();
                    const missed = report?.notRestored.map((problem) => problem.why) ?? [];
                    status.setText(
                        report === null
                            ? 'Nothing to undo.'
                            : missed.length === 0
                              ? 'Undone: the note is as it was, and the proposal is waiting again.'
                              : `Not undone: ${missed.join('; ')}.`,
                    );
                    this.options.onSettled();
                },
                (error: unknown) => {
                    button.disabled = false;
                    status.setText(`Could not undo: ${messageOf(error)}`);
                },
            );
        });
    }

    private conflicts(hunks: readonly Hunk[]): void {
        if (hunks.length === 0) return;
        const box = this.options.el.createDiv({ cls: 'vault-agent-inbox-conflicts' });
        box.createDiv({
            text:
                `${hunks.length} part${hunks.length === 1 ? '' : 's'} of the proposal no longer fit the note as it ` +
                'is now and will not be applied:',
        });
        // The same word-level diff as the card's, so the part that no longer fits reads like the ones that do.
        for (const hunk of hunks.slice(0, SHOWN_CONFLICTS)) {
            const part = box.createDiv({ cls: ['vault-agent-diff', 'vault-agent-inbox-conflict-part'] });
            for (const span of wordDiff(hunk.oldText, hunk.newText)) {
                const tag = span.kind === 'added' ? 'ins' : span.kind === 'removed' ? 'del' : 'span';
                part.createEl(tag, { text: span.text, cls: `vault-agent-diff-${span.kind}` });
            }
        }
        if (hunks.length > SHOWN_CONFLICTS) box.createDiv({ text: `…and ${hunks.length - SHOWN_CONFLICTS} more.` });
    }

    private line(text: string, cls = 'vault-agent-inbox-note-line'): HTMLElement {
        return this.options.el.createDiv({ cls, text });
    }
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
