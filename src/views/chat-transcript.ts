/**
 * The message list of the chat view: the person's messages with what was attached or left out, the agent's answers
 * streamed as Markdown, tool calls as compact rows that expand to show input and result, approval cards in the
 * order they were asked, the end of each turn with its "Undo" when it changed notes and a quiet line naming the
 * instructions and skills that guided it, and a divider where older messages were summarised.
 */
import { inertNoticeIn } from '../agent/changes/unapproved-content';
import type { TurnEvent } from '../agent/loop/turn-events';
import type { ChatEntry, ChatRecord } from '../chat/transcript';
import { compactionText, guidanceText, toolSummary } from '../chat/transcript';
import type { ApprovalCard } from './approval-card';
import { StreamingMarkdown, type MarkdownRenderFn } from './markdown-block';
import { renderSources, renderWebRow, type BlockLinker } from './chat-sources';

/** What the transcript needs. */
export interface ChatTranscriptOptions {
    /** Where it goes. */
    parent: HTMLElement;
    /** Renders Markdown (safely). */
    render: MarkdownRenderFn;
    /** Opens a note from an internal link. */
    openLink(linktext: string): void;
    /** Gives a cited passage's block an id, on the person's approval; no "Block link" button when absent. */
    blockLink?: BlockLinker;
    /** Adds what the person can do about a turn that ended in an error (Retry, Open settings) to `parent`. */
    errorActions?: (parent: HTMLElement, error: unknown) => void;
}

/** The rendered transcript. */
export class ChatTranscript {
    /** The scrolling list element. */
    readonly el: HTMLElement;
    private readonly render: MarkdownRenderFn;
    private turnEl: HTMLElement | null = null;
    private stream: StreamingMarkdown | null = null;
    private statusEl: HTMLElement | null = null;
    private readonly toolRows = new Map<string, HTMLElement>();
    private readonly webRows = new Map<string, HTMLElement>();
    private cards: ApprovalCard[] = [];
    private scrollPending = false;

    private readonly errorActions: ChatTranscriptOptions['errorActions'];
    private readonly blockLink: BlockLinker | undefined;

    constructor(options: ChatTranscriptOptions) {
        this.render = options.render;
        this.errorActions = options.errorActions;
        this.blockLink = options.blockLink;
        this.el = options.parent.createDiv({ cls: 'vault-agent-messages', attr: { 'aria-live': 'polite' } });
        this.el.addEventListener('click', (event) => {
            const link = (event.target as HTMLElement | null)?.closest('a.internal-link');
            if (link === null || link === undefined) return;
            event.preventDefault();
            options.openLink(link.getAttr('data-href') ?? link.getAttr('href') ?? '');
        });
    }

    /** Renders a whole stored chat. */
    show(record: ChatRecord): void {
        this.el.empty();
        this.turnEl = null;
        this.stream = null;
        this.toolRows.clear();
        this.webRows.clear();
        this.cards = [];
        if (record.entries.length === 0) {
            this.el.createDiv({ cls: 'vault-agent-empty', text: 'Ask about your notes, or ask for a change.' });
            return;
        }
        for (const entry of record.entries) this.showEntry(entry);
        this.endTurn();
    }

    /** Adds the person's message and opens the turn that answers it. */
    addUser(entry: Extract<ChatEntry, { kind: 'user' }>): void {
        this.el.querySelector('.vault-agent-empty')?.remove();
        this.endTurn();
        const message = this.el.createDiv({ cls: 'vault-agent-message vault-agent-user' });
        message.createDiv({ cls: 'vault-agent-user-text', text: entry.text });
        if (entry.context.length > 0) {
            const details = message.createEl('details', { cls: 'vault-agent-context' });
            details.createEl('summary', { text: contextSummary(entry.context) });
            for (const line of entry.context) {
                details.createDiv({
                    cls: line.startsWith('Attached') ? 'vault-agent-ctx-ok' : 'vault-agent-ctx-warn',
                    text: line,
                });
            }
        }
        this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' });
        this.scroll();
    }

    /** Shows one event of the running turn. */
    onTurnEvent(event: TurnEvent): void {
        const turn =
            this.turnEl ?? (this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' }));
        switch (event.type) {
            case 'text':
                this.setStatus(null);
                (this.stream ??= new StreamingMarkdown({ parent: turn, render: this.render })).append(event.delta);
                break;
            case 'retry':
                this.stream?.reset('');
                this.setStatus(event.message);
                break;
            case 'waiting':
                this.setStatus(`Waiting for the rate limit: ${Math.ceil(event.remainingMs / 1000)} s`);
                break;
            case 'notice':
                this.setStatus(event.message);
                break;
            case 'tool-proposed':
                this.finishStream();
                this.addToolRow(turn, event.id, event.name, event.input);
                break;
            case 'tool-done': {
                this.fillToolRow(event.id, event.result.content, event.result.isError === true);
                // A write nobody approved (auto-accept) had code made inert: the person is told, not just the model.
                const inert = event.result.isError === true ? null : inertNoticeIn(event.result.content);
                if (inert !== null) turn.createDiv({ cls: 'vault-agent-note vault-agent-inert-notice', text: inert });
                break;
            }
            case 'error':
                // Said once, by the end of the turn that follows (its message carries this error), with what to do.
                this.setStatus(null);
                break;
            case 'compacted':
                this.addDivider({
                    kind: 'compacted',
                    reason: event.notice.reason,
                    summarisedMessages: event.notice.summarisedMessages,
                    changesKept: event.notice.changesKept,
                });
                break;
            case 'web': {
                this.finishStream();
                const row = renderWebRow(turn, event.activity, this.webRows.get(event.activity.id));
                this.webRows.set(event.activity.id, row);
                break;
            }
            case 'stop':
                this.finishStream();
                this.setStatus(null);
                if (event.result.sources !== undefined) renderSources(turn, event.result.sources, this.blockLink);
                if (event.result.outcome !== 'done') {
                    const { outcome, message, error } = event.result;
                    const failed = outcome === 'failed' || outcome === 'interrupted';
                    const cls = ['vault-agent-outcome', `is-${outcome}`, ...(failed ? ['vault-agent-error'] : [])];
                    const line = turn.createDiv({ cls, attr: failed ? { role: 'alert' } : {} });
                    line.createSpan({ cls: 'vault-agent-outcome-text', text: message });
                    if (failed) this.errorActions?.(line, error);
                }
                break;
            default:
                break;
        }
        this.scroll();
    }

    /** Places an approval card in the running turn. */
    addCard(card: ApprovalCard): void {
        this.finishStream();
        const turn =
            this.turnEl ?? (this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' }));
        turn.appendChild(card.el);
        this.cards.push(card);
        this.scroll();
    }

    /**
     * Offers undo for the turn that just ended: on each approved card whose change can still be undone (`undoCard`
     * undoes just that card's change), and on the turn itself.
     */
    offerUndo(
        cards: readonly ApprovalCard[],
        undoCard: (card: ApprovalCard) => Promise<string>,
        confirmUndo: (parent: HTMLElement) => void,
    ): void {
        for (const card of cards) card.offerUndo(() => undoCard(card));
        if (this.turnEl === null) return;
        const row = this.turnEl.createDiv({ cls: 'vault-agent-turn-actions' });
        const button = row.createEl('button', { text: 'Undo this turn', cls: 'vault-agent-undo-turn' });
        button.addEventListener('click', () => {
            button.disabled = true;
            confirmUndo(row);
        });
    }

    /** Adds a line from the chat itself (undo results, errors before the model was asked). */
    addNote(text: string, cls = 'vault-agent-note'): HTMLElement {
        const note = (this.turnEl ?? this.el).createDiv({ cls, text });
        this.scroll();
        return note;
    }

    /** Adds the quiet line saying which instructions and skills guided the turn. */
    addGuidance(entry: Extract<ChatEntry, { kind: 'guidance' }>): void {
        const turn = this.turnEl ?? this.el;
        turn.createDiv({ cls: 'vault-agent-guidance', text: guidanceText(entry) });
        this.scroll();
    }

    /** Marks where older messages were summarised; what follows starts a new block. */
    addDivider(entry: Extract<ChatEntry, { kind: 'compacted' }>): void {
        this.finishStream();
        this.setStatus(null);
        const divider = this.el.createDiv({ cls: 'vault-agent-compacted', attr: { role: 'separator' } });
        divider.createSpan({ text: compactionText(entry) });
        this.turnEl = null;
        this.scroll();
    }

    /** Closes the running turn's stream and card list; returns the turn's cards. */
    endTurn(): ApprovalCard[] {
        this.finishStream();
        const cards = this.cards;
        this.cards = [];
        return cards;
    }

    private showEntry(entry: ChatEntry): void {
        if (entry.kind === 'user') {
            this.addUser(entry);
        } else if (entry.kind === 'tool') {
            this.finishStream();
            const turn =
                this.turnEl ?? (this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' }));
            this.addToolRow(turn, entry.id, entry.name, entry.input);
            if (entry.result !== undefined) this.fillToolRow(entry.id, entry.result, entry.isError === true);
        } else if (entry.kind === 'compacted') {
            this.addDivider(entry);
        } else if (entry.kind === 'guidance') {
            this.finishStream();
            this.addGuidance(entry);
        } else if (entry.kind === 'web') {
            this.finishStream();
            const turn =
                this.turnEl ?? (this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' }));
            this.webRows.set(
                entry.activity.id,
                renderWebRow(turn, entry.activity, this.webRows.get(entry.activity.id)),
            );
        } else if (entry.kind === 'note') {
            this.finishStream();
            this.turnEl = null;
            this.addNote(entry.text, 'vault-agent-note vault-agent-inline-note');
        } else {
            const turn =
                this.turnEl ?? (this.turnEl = this.el.createDiv({ cls: 'vault-agent-message vault-agent-assistant' }));
            if (entry.text !== '') {
                this.finishStream();
                const stream = new StreamingMarkdown({ parent: turn, render: this.render });
                stream.append(entry.text);
                stream.finish();
            }
            if (entry.outcome !== undefined && entry.outcome !== 'done') {
                turn.createDiv({ cls: `vault-agent-outcome is-${entry.outcome}`, text: entry.message ?? '' });
            }
            if (entry.sources !== undefined) renderSources(turn, entry.sources, this.blockLink);
        }
    }

    private addToolRow(turn: HTMLElement, id: string, name: string, input: unknown): void {
        const row = turn.createEl('details', { cls: 'vault-agent-tool', attr: { 'data-tool': name } });
        const summary = row.createEl('summary', { cls: 'vault-agent-tool-summary' });
        summary.createSpan({ cls: 'vault-agent-tool-name', text: TOOL_VERBS[name] ?? name });
        summary.createSpan({ cls: 'vault-agent-tool-target', text: toolSummary(name, input) });
        summary.createSpan({ cls: 'vault-agent-tool-state', text: '…' });
        row.createEl('pre', { cls: 'vault-agent-tool-input', text: JSON.stringify(input, null, 2) });
        this.toolRows.set(id, row);
    }

    private fillToolRow(id: string, result: string, isError: boolean): void {
        const row = this.toolRows.get(id);
        if (row === undefined) return;
        row.toggleClass('is-error', isError);
        row.querySelector('.vault-agent-tool-state')?.setText(isError ? 'failed' : 'done');
        // Tool results are shown as text, never rendered: they can carry note text with markup in it.
        row.createEl('pre', { cls: 'vault-agent-tool-result', text: result });
    }

    private finishStream(): void {
        this.stream?.finish();
        this.stream = null;
    }

    private setStatus(text: string | null): void {
        if (text === null) {
            this.statusEl?.remove();
            this.statusEl = null;
            return;
        }
        this.statusEl ??= (this.turnEl ?? this.el).createDiv({ cls: 'vault-agent-status' });
        this.statusEl.setText(text);
    }

    private scroll(): void {
        // Once per frame: reading scrollHeight forces a layout, which per streamed delta would grow with the chat.
        if (this.scrollPending) return;
        this.scrollPending = true;
        window.requestAnimationFrame(() => {
            this.scrollPending = false;
            this.el.scrollTop = this.el.scrollHeight;
        });
    }
}

const TOOL_VERBS: Record<string, string> = {
    read_note: 'Read',
    search_notes: 'Searched',
    find_notes: 'Found',
    related_notes: 'Related',
    list_notes: 'Listed',
    edit_note: 'Edit',
    rewrite_note: 'Rewrite',
    create_note: 'Create',
    rename_note: 'Rename',
    delete_note: 'Delete',
};

function contextSummary(lines: string[]): string {
    const attached = lines.filter((line) => line.startsWith('Attached')).length;
    const left = lines.length - attached;
    return left === 0 ? `Context: ${attached} attached` : `Context: ${attached} attached, ${left} left out`;
}
