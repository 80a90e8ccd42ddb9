/**
 * The approval card: one proposed change, shown so a person can decide with confidence. An edit shows a word-level
 * diff per hunk, each accepted or rejected on its own; a create shows the new note; a rename or delete says exactly
 * what will happen. The person can accept all, reject with a reason, or edit the text before accepting. The card is
 * the `ApprovalGate` the chat's sessions use: a decision only ever comes from a click here, and every approval
 * names the binding of the proposal shown.
 */
import type { ApprovalGate, ApprovalRequestOptions, Decision } from '../agent/changes/approval';
import type { ChangeProposal, Hunk } from '../agent/changes/proposal';
import { wordDiff } from '../agent/changes/word-diff';
import { addedExecutable, describeExecutable } from '../vault/executable-content';

type HunkChoice = 'accept' | 'reject' | null;

/** One card; `decision` resolves once the person decides (or the turn is stopped). */
export class ApprovalCard {
    /** The card's element. */
    readonly el: HTMLElement;
    /** The person's decision. */
    readonly decision: Promise<Decision>;
    private resolve: (decision: Decision) => void = () => undefined;
    private readonly choices: HunkChoice[];
    private readonly actionsEl: HTMLElement;
    private readonly statusEl: HTMLElement;
    private applyButton: HTMLButtonElement | null = null;
    private applyHint: HTMLElement | null = null;
    private settled = false;

    constructor(
        private readonly proposal: ChangeProposal,
        options: ApprovalRequestOptions,
    ) {
        this.decision = new Promise((resolve) => (this.resolve = resolve));
        this.choices = proposal.hunks.map(() => null);
        this.el = createDiv({ cls: ['vault-agent-approval', `vault-agent-approval-${proposal.kind}`] });
        this.el.setAttr('data-change-id', proposal.id);
        this.renderHeader(options);
        if (proposal.kind === 'edit' || proposal.kind === 'create') this.renderHunks();
        this.actionsEl = this.el.createDiv({ cls: 'vault-agent-approval-actions' });
        this.statusEl = this.el.createDiv({ cls: 'vault-agent-approval-status' });
        this.renderActions();
        options.signal?.addEventListener('abort', () => this.settle({ kind: 'deny', reason: 'stopped' }, 'Stopped'), {
            once: true,
        });
    }

    /** The id of the proposal shown (its checkpoint carries it, so this card can undo just its change). */
    get changeId(): string {
        return this.proposal.id;
    }

    /** Whether the person has decided (or the turn was stopped). */
    get decided(): boolean {
        return this.settled;
    }

    /**
     * The keyboard's *accept* (the inbox's `a`): with parts chosen one by one, applies those choices once every part
     * has one; otherwise accepts the whole change, as "Accept all" does. Does nothing once decided.
     */
    accept(): void {
        if (this.settled) return;
        if (this.choices.some((choice) => choice !== null)) {
            if (!this.choices.includes(null)) this.applyChosen();
            return;
        }
        this.settle({ kind: 'approve', binding: this.proposal.binding }, 'Accepted');
    }

    /** The keyboard's *reject* (the inbox's `r`): rejects the whole change without a reason. */
    reject(): void {
        this.settle({ kind: 'deny' }, 'Rejected');
    }

    /** Offers "Undo" on the card once the turn that applied it has ended; `undo` resolves with what happened. */
    offerUndo(undo: () => Promise<string>): void {
        if (!this.el.hasClass('is-approved') || this.el.querySelector('.vault-agent-undo') !== null) return;
        const button = this.actionsEl.createEl('button', {
            text: 'Undo',
            cls: 'vault-agent-undo',
            attr: { 'aria-label': `Undo this change to ${this.proposal.path}` },
        });
        button.addEventListener('click', () => {
            button.disabled = true;
            void undo().then(
                (message) => {
                    this.statusEl.setText(message);
                    button.remove();
                },
                (error: unknown) => {
                    button.disabled = false;
                    this.statusEl.setText(`Could not undo: ${error instanceof Error ? error.message : String(error)}`);
                },
            );
        });
    }

    private renderHeader(options: ApprovalRequestOptions): void {
        const { kind, path, newPath, reason } = this.proposal;
        const header = this.el.createDiv({ cls: 'vault-agent-approval-header' });
        header.createSpan({ cls: 'vault-agent-approval-kind', text: KIND_LABEL[kind] });
        header.createSpan({ cls: 'vault-agent-approval-path', text: path });
        const what = this.el.createDiv({ cls: 'vault-agent-approval-what' });
        if (kind === 'create') what.setText(`Creates a new note at ${path}.`);
        else if (kind === 'edit') what.setText(`Changes ${this.proposal.hunks.length} part(s) of ${path}.`);
        else if (kind === 'rename') what.setText(`Moves ${path} to ${newPath ?? ''}; links to it are updated.`);
        else what.setText(`Moves ${path} to the trash (recoverable from there); nothing is deleted for good.`);
        // Code another plugin runs when the note is shown or created (Dataview, Templater): said plainly, before the diff.
        const executable = addedExecutable(this.proposal.base, this.proposal.proposed);
        if (executable.length > 0) {
            this.el.createDiv({
                cls: ['vault-agent-approval-warning', 'vault-agent-approval-executable'],
                text:
                    `This change contains code that other plugins run: ${describeExecutable(executable)}. ` +
                    'Accept it only if you trust what it does.',
            });
        }
        if (options.warning !== undefined) {
            this.el.createDiv({ cls: 'vault-agent-approval-warning', text: options.warning });
        }
        if (options.trigger === 'changed-on-disk') {
            this.el.createDiv({
                cls: 'vault-agent-approval-warning',
                text: 'The note changed since the agent read it. This is the change against the note as it is now.',
            });
        }
        const files = options.files ?? [];
        if (files.length > 1 || options.trigger === 'many-notes') {
            const list = this.el.createEl('ul', { cls: 'vault-agent-approval-files' });
            for (const file of files) list.createEl('li', { text: file });
        }
        if (reason !== undefined) {
            this.el.createDiv({ cls: 'vault-agent-approval-reason', text: `The agent says: ${reason}` });
        }
    }

    private renderHunks(): void {
        const list = this.el.createDiv({ cls: 'vault-agent-hunks' });
        this.proposal.hunks.forEach((hunk, i) => this.renderHunk(list, hunk, i));
    }

    private renderHunk(parent: HTMLElement, hunk: Hunk, i: number): void {
        const hunkEl = parent.createDiv({ cls: 'vault-agent-hunk', attr: { 'data-hunk': String(hunk.index) } });
        const head = hunkEl.createDiv({ cls: 'vault-agent-hunk-head' });
        head.createSpan({ text: `Line ${hunk.newStart}`, cls: 'vault-agent-hunk-where' });
        const diffEl = hunkEl.createDiv({ cls: 'vault-agent-diff' });
        for (const span of wordDiff(hunk.oldText, hunk.newText)) {
            const tag = span.kind === 'added' ? 'ins' : span.kind === 'removed' ? 'del' : 'span';
            diffEl.createEl(tag, { text: span.text, cls: `vault-agent-diff-${span.kind}` });
        }
        if (this.proposal.hunks.length < 2) return;
        const buttons = head.createDiv({ cls: 'vault-agent-hunk-buttons' });
        const accept = buttons.createEl('button', { text: 'Accept', cls: 'vault-agent-hunk-accept' });
        const reject = buttons.createEl('button', { text: 'Reject', cls: 'vault-agent-hunk-reject' });
        const choose = (choice: HunkChoice): void => {
            if (this.settled) return;
            this.choices[i] = choice;
            hunkEl.toggleClass('is-accepted', choice === 'accept');
            hunkEl.toggleClass('is-rejected', choice === 'reject');
            accept.setAttr('aria-pressed', String(choice === 'accept'));
            reject.setAttr('aria-pressed', String(choice === 'reject'));
            this.updateApplyButton();
        };
        accept.addEventListener('click', () => choose('accept'));
        reject.addEventListener('click', () => choose('reject'));
    }

    private renderActions(): void {
        const { binding, kind } = this.proposal;
        const acceptAll = this.button(
            kind === 'delete' ? 'Move to trash' : kind === 'rename' ? 'Rename' : 'Accept all',
        );
        acceptAll.addClass('mod-cta', 'vault-agent-accept-all');
        acceptAll.addEventListener('click', () => this.settle({ kind: 'approve', binding }, 'Accepted'));
        if (this.proposal.hunks.length > 1) {
            this.applyButton = this.button('Apply chosen parts');
            this.applyButton.addClass('vault-agent-apply-chosen');
            this.applyButton.addEventListener('click', () => this.applyChosen());
            this.updateApplyButton();
        }
        if (kind === 'edit' || kind === 'create') {
            this.button('Edit first').addEventListener('click', () => this.openEditor());
        }
        this.button('Reject…').addEventListener('click', () => this.openRejectReason());
    }

    private applyChosen(): void {
        const accepted = this.proposal.hunks.filter((_, i) => this.choices[i] === 'accept').map((h) => h.index);
        if (accepted.length === 0) {
            this.settle({ kind: 'deny', reason: 'the person rejected every part of the change' }, 'Rejected');
        } else if (accepted.length === this.proposal.hunks.length) {
            this.settle({ kind: 'approve', binding: this.proposal.binding }, 'Accepted');
        } else {
            const status = `Accepted ${accepted.length} of ${this.proposal.hunks.length} parts`;
            this.settle({ kind: 'approve-hunks', binding: this.proposal.binding, hunks: accepted }, status);
        }
    }

    private openEditor(): void {
        if (this.settled) return;
        const box = this.el.createDiv({ cls: 'vault-agent-approval-edit' });
        const area = box.createEl('textarea', { cls: 'vault-agent-approval-textarea' });
        area.value = this.proposal.proposed ?? '';
        area.rows = Math.min(20, (this.proposal.proposed ?? '').split('\n').length + 1);
        const save = box.createEl('button', { text: 'Accept edited text', cls: 'mod-cta vault-agent-accept-edited' });
        save.addEventListener('click', () =>
            this.settle(
                { kind: 'approve-edited', binding: this.proposal.binding, content: area.value },
                'Accepted (edited)',
            ),
        );
        area.focus();
    }

    private openRejectReason(): void {
        if (this.settled) return;
        const box = this.el.createDiv({ cls: 'vault-agent-approval-reject' });
        const input = box.createEl('input', {
            type: 'text',
            cls: 'vault-agent-reject-reason',
            attr: { placeholder: 'Why? The agent reads this (optional)' },
        });
        const send = box.createEl('button', { text: 'Reject', cls: 'mod-warning vault-agent-reject-confirm' });
        const reject = (): void => {
            const reason = input.value.trim();
            this.settle(reason === '' ? { kind: 'deny' } : { kind: 'deny', reason }, 'Rejected');
        };
        send.addEventListener('click', reject);
        input.addEventListener('keydown', (event) => {
            if (event.key === 'Enter') reject();
        });
        input.focus();
    }

    private updateApplyButton(): void {
        if (this.applyButton === null) return;
        const left = this.choices.filter((choice) => choice === null).length;
        this.applyButton.disabled = left > 0;
        // Why it cannot be pressed yet, said next to it (and tied to it for screen readers).
        this.applyHint ??= this.actionsEl.createSpan({
            cls: 'vault-agent-apply-hint',
            attr: { id: `${this.proposal.id}-hint` },
        });
        this.applyButton.setAttr('aria-describedby', `${this.proposal.id}-hint`);
        this.applyHint.setText(
            left === 0
                ? ''
                : `Choose accept or reject for ${left} more part${left === 1 ? '' : 's'} to apply your choices.`,
        );
        this.applyButton.setAttr(
            'title',
            left === 0 ? 'Apply the parts you accepted' : (this.applyHint.textContent ?? ''),
        );
    }

    private button(text: string): HTMLButtonElement {
        return this.actionsEl.createEl('button', { text });
    }

    private settle(decision: Decision, status: string): void {
        if (this.settled) return;
        this.settled = true;
        this.el.addClass('is-decided', decision.kind === 'deny' ? 'is-denied' : 'is-approved');
        this.actionsEl.empty();
        this.el
            .querySelectorAll('.vault-agent-hunk-buttons, .vault-agent-approval-edit, .vault-agent-approval-reject')
            .forEach((el) => el.remove());
        this.statusEl.setText(status);
        this.resolve(decision);
    }
}

const KIND_LABEL: Record<ChangeProposal['kind'], string> = {
    create: 'New note',
    edit: 'Edit',
    rename: 'Rename',
    delete: 'Move to trash',
};

/** The chat's `ApprovalGate`: every request becomes a card placed by `mount` (the view puts it in the transcript). */
export class ChatApprovalGate implements ApprovalGate {
    private readonly mount: (card: ApprovalCard) => void;

    constructor(options: { mount: (card: ApprovalCard) => void }) {
        this.mount = options.mount;
    }

    request(proposal: ChangeProposal, options: ApprovalRequestOptions): Promise<Decision> {
        const card = new ApprovalCard(proposal, options);
        this.mount(card);
        return card.decision;
    }
}
