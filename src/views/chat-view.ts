/**
 * The co-pilot chat, an `ItemView` for the right sidebar: a header with the permission mode, the model, new chat,
 * past chats and "Save chat as note"; the transcript; the context chips; the input; Send/Stop; and a footer with
 * tokens, cost and context used. All logic lives in `ChatService`; this file wires it to the DOM.
 */
import { ItemView, setIcon, type WorkspaceLeaf } from 'obsidian';
import type { ApprovalGate } from '../agent/changes/approval';
import { ApiKeyMissing, AuthError, InvalidRequest, Offline } from '../agent/model-errors';
import type { UndoReport } from '../agent/changes/checkpoints';
import type { ChatService } from '../chat/chat-service';
import type { ChatServiceEvent } from '../chat/transcript';
import type { ChatStore } from '../chat/chat-store';
import type { JobToContinue } from '../chat/hand-over';
import { transcriptToMarkdown, type ChatRecord } from '../chat/transcript';
import type { CustomCommand } from '../context/commands';
import type { FocusSource } from '../context/focus';
import type { MentionSuggestion } from '../context/suggest';
import { ChatApprovalGate } from './approval-card';
import { ChatInput, type SlashCommand } from './chat-input';
import { KeySetupNotice } from './chat-key-setup';
import { ChatTranscript } from './chat-transcript';
import { ContextChips, type RelatedChip } from './context-chips';
import { obsidianMarkdown, type MarkdownRenderFn } from './markdown-block';

/** The chat view's type id. */
export const VIEW_TYPE_CHAT = 'vault-agent-chat';

/** The modes a chat offers, with their names in the UI. */
export const CHAT_MODES: readonly { id: string; label: string }[] = [
    { id: 'ask', label: 'Ask before edits' },
    { id: 'auto-edits', label: 'Auto-accept edits' },
    { id: 'read-only', label: 'Read-only' },
];

/** What the view is built from (the plugin passes services; the view holds no global state). */
export interface ChatViewServices {
    /** Builds the chat for this view, with the view's approval cards as its gate. */
    createChat(approvals: ApprovalGate): ChatService;
    /** Stored chats. */
    store: ChatStore;
    /** The person's focus. */
    focus: FocusSource;
    /** Mention suggestions. */
    suggest(query: string): MentionSuggestion[];
    /** Why a path is excluded (for the person), or `null`. */
    whyExcluded(path: string): string | null;
    /** Notes related to the focused note, offered as chips to mention; none when absent. */
    related?(path: string): RelatedChip[];
    /** The path a link points to, or `null`. */
    resolveLink(link: string): string | null;
    /** Opens a note or link. */
    openLink(linktext: string): void;
    /** Writes a new note (unique name) and resolves with its path. */
    saveNote(title: string, markdown: string): Promise<string>;
    /** Renders Markdown; Obsidian's renderer when absent. */
    render?: MarkdownRenderFn;
    /** The vault's custom commands for the `/` list (the chat expands them itself); none when absent. */
    customCommands?(): Promise<CustomCommand[]>;
    /** Whether this device has the API key; while it has none the chat explains how to set it. Not checked when absent.
     */
    apiKeySet?(): Promise<boolean>;
    /** Opens the plugin's settings (the first-run notice's button, and errors about the key or the endpoint). */
    openSettings?: () => void;
}

/** The chat view. */
export class ChatView extends ItemView {
    private chat!: ChatService;
    private transcript!: ChatTranscript;
    private input!: ChatInput;
    private chips!: ContextChips;
    private modeSelect!: HTMLSelectElement;
    private modelEl!: HTMLElement;
    private sendButton!: HTMLButtonElement;
    private footerEl!: HTMLElement;
    private historyEl!: HTMLElement;
    private keySetup: KeySetupNotice | null = null;
    private unsubscribe: (() => void) | null = null;
    /** The custom commands as last scanned; the `/` list is built synchronously from these. */
    private custom: CustomCommand[] = [];

    constructor(
        leaf: WorkspaceLeaf,
        private readonly services: ChatViewServices,
    ) {
        super(leaf);
    }

    getViewType(): string {
        return VIEW_TYPE_CHAT;
    }

    getDisplayText(): string {
        return 'Vault Agent';
    }

    override getIcon(): string {
        return 'message-square';
    }

    /** The chat shown (commands such as "add note to chat" use it). */
    get service(): ChatService {
        return this.chat;
    }

    /** Puts text into the input (commands "add current note / selection"). */
    insertIntoInput(text: string): void {
        this.input.insert(text);
        this.chips.refresh(this.input.textarea.value);
    }

    /** Re-reads the focus for the chips (call when the active note changes). */
    refreshContext(): void {
        this.chips?.refresh(this.input.textarea.value);
    }

    override async onOpen(): Promise<void> {
        const root = this.contentEl;
        root.empty();
        root.addClass('vault-agent-chat');
        const gate = new ChatApprovalGate({ mount: (card) => this.transcript.addCard(card) });
        this.chat = this.services.createChat(gate);
        this.buildHeader(root.createDiv({ cls: 'vault-agent-header' }));
        this.historyEl = root.createDiv({ cls: 'vault-agent-history' });
        this.historyEl.hide();
        if (this.services.apiKeySet !== undefined) {
            this.keySetup = new KeySetupNotice({
                el: root.createDiv(),
                apiKeySet: async () => (await this.services.apiKeySet?.()) ?? true,
                ...(this.services.openSettings !== undefined
                    ? { openSettings: () => this.services.openSettings?.() }
                    : {}),
            });
            // Checked again whenever the person comes back to the chat, so the notice leaves once the key is set.
            for (const type of ['focusin', 'pointerdown'] as const) {
                root.addEventListener(type, () => void this.keySetup?.refresh());
            }
            void this.keySetup.refresh();
        }
        const render = this.services.render ?? obsidianMarkdown(this.app, this);
        this.transcript = new ChatTranscript({
            parent: root,
            render,
            openLink: (l) => this.services.openLink(l),
            blockLink: (passage) => this.chat.linkToBlock(passage),
            errorActions: (parent, error) => this.errorActions(parent, error),
        });
        this.chips = new ContextChips({
            parent: root,
            focus: this.services.focus,
            whyExcluded: (path) => this.services.whyExcluded(path),
            resolve: (link) => this.services.resolveLink(link),
            openNote: (path) => this.services.openLink(path),
            attached: () => this.chat.attachFocusedNote,
            toggleAttached: () => (this.chat.attachFocusedNote = !this.chat.attachFocusedNote),
            ...(this.services.related !== undefined
                ? {
                      related: (path: string) => this.services.related?.(path) ?? [],
                      mention: (mention: string) => this.insertMention(mention),
                  }
                : {}),
        });
        this.input = new ChatInput({
            parent: root,
            suggest: (query) => this.services.suggest(query),
            commands: () => this.commands(),
            onSend: (text) => {
                void this.keySetup?.refresh();
                void this.chat.send(text);
            },
            onStop: () => this.chat.stop(),
            isBusy: () => this.chat.busy,
        });
        this.input.textarea.addEventListener('input', () => this.chips.refresh(this.input.textarea.value));
        this.input.textarea.addEventListener('focus', () => void this.refreshCustomCommands());
        void this.refreshCustomCommands();
        const controls = root.createDiv({ cls: 'vault-agent-controls' });
        this.sendButton = controls.createEl('button', { text: 'Send', cls: 'mod-cta vault-agent-send' });
        this.sendButton.addEventListener('click', () => {
            if (this.chat.busy) this.chat.stop();
            else this.input.textarea.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
        });
        this.footerEl = root.createDiv({ cls: 'vault-agent-footer' });
        this.unsubscribe = this.chat.subscribe((event) => this.onChatEvent(event));
        this.transcript.show(this.chat.record);
        this.chips.refresh('');
        this.updateHeader();
    }

    /** Adds `mention` to the end of the draft (a related note's chip was clicked) and puts the cursor after it. */
    private insertMention(mention: string): void {
        const area = this.input.textarea;
        const draft = area.value;
        const gap = draft === '' || /\s$/u.test(draft) ? '' : ' ';
        area.value = `${draft}${gap}${mention} `;
        area.dispatchEvent(new Event('input'));
        area.focus();
        area.setSelectionRange(area.value.length, area.value.length);
    }

    override async onClose(): Promise<void> {
        this.unsubscribe?.();
        this.chat?.dispose();
    }

    private buildHeader(header: HTMLElement): void {
        this.modeSelect = header.createEl('select', {
            cls: 'dropdown vault-agent-mode',
            attr: { 'aria-label': 'Mode' },
        });
        for (const mode of CHAT_MODES) this.modeSelect.createEl('option', { text: mode.label, value: mode.id });
        this.modeSelect.addEventListener('change', () => this.chat.setMode(this.modeSelect.value));
        this.modelEl = header.createSpan({ cls: 'vault-agent-model' });
        const buttons = header.createDiv({ cls: 'vault-agent-header-buttons' });
        // Obsidian-style icon buttons: a real <button> (Tab reaches it, Enter and Space press it), named for screen
        // readers and shown as a tooltip by `aria-label`.
        const add = (icon: string, label: string, cls: string, run: () => void): void => {
            const button = buttons.createEl('button', { cls: ['clickable-icon', cls], attr: { 'aria-label': label } });
            setIcon(button, icon);
            button.addEventListener('click', run);
        };
        add('square-pen', 'New chat', 'vault-agent-new-chat', () => this.chat.newChat());
        add('history', 'Past chats', 'vault-agent-history-button', () => void this.toggleHistory());
        add('file-down', 'Save chat as note', 'vault-agent-save-note', () => void this.saveAsNote());
        add('list-end', 'Continue in background', 'vault-agent-hand-over', () => void this.continueInBackground());
    }

    /** Hands the conversation to the job queue and frees the chat; a failure is said in the transcript. */
    private async continueInBackground(): Promise<void> {
        try {
            await this.chat.continueInBackground();
        } catch (error) {
            this.transcript.addNote(
                `Not handed over: ${error instanceof Error ? error.message : String(error)}`,
                'vault-agent-error',
            );
        }
    }

    /** Starts a chat that continues a finished job: its result and brief go into the input as @-mentions. */
    continueFromJob(job: JobToContinue): void {
        const prompt = this.chat.continueFromJob(job);
        this.input.textarea.value = '';
        this.insertIntoInput(prompt);
        this.input.textarea.focus();
    }

    private updateHeader(): void {
        this.modeSelect.value = this.chat.record.mode;
        this.modelEl.setText(this.chat.record.model);
        const footer = describeUsage(this.chat.record, this.chat.contextWindow());
        this.footerEl.setText(footer.text);
        this.footerEl.setAttr('title', footer.details);
        this.footerEl.setAttr('aria-label', `${footer.text}. ${footer.details}`);
    }

    private onChatEvent(event: ChatServiceEvent): void {
        switch (event.type) {
            case 'reset':
                this.transcript.show(event.record);
                this.updateHeader();
                break;
            case 'user':
                this.transcript.addUser(event.entry);
                break;
            case 'turn':
                this.transcript.onTurnEvent(event.event);
                if (event.event.type === 'usage' || event.event.type === 'stop') this.updateHeader();
                break;
            case 'busy':
                this.sendButton.setText(event.busy ? 'Stop' : 'Send');
                this.sendButton.toggleClass('is-stop', event.busy);
                this.contentEl.toggleClass('is-busy', event.busy);
                if (!event.busy) void this.afterTurn();
                break;
            case 'undo':
                // A card's own undo is reported on that card; a turn's undo in the transcript.
                if (event.changeId === undefined)
                    this.transcript.addNote(undoSummary(event.report), 'vault-agent-undo-result');
                break;
            case 'error': {
                const line = this.transcript.addNote(event.message, 'vault-agent-error');
                line.setAttr('role', 'alert');
                this.errorActions(line, event.error);
                void this.keySetup?.refresh();
                break;
            }
            case 'guidance':
                this.transcript.addGuidance(event.entry);
                break;
            case 'notice':
                this.transcript.addNote(event.message);
                break;
        }
    }

    /** What the person can do about an error: try again, and open the settings when the key or endpoint is at fault. */
    private errorActions(parent: HTMLElement, error: unknown): void {
        const row = parent.createDiv({ cls: 'vault-agent-error-actions' });
        const retry = row.createEl('button', { text: 'Retry', cls: 'vault-agent-retry' });
        retry.addEventListener('click', () => {
            row.remove();
            void this.chat.retry();
        });
        const openSettings = this.services.openSettings;
        if (openSettings !== undefined && needsSettings(error)) {
            const open = row.createEl('button', { text: 'Open settings', cls: 'vault-agent-open-settings' });
            open.addEventListener('click', () => openSettings());
        }
    }

    private async afterTurn(): Promise<void> {
        // The turn's cards are taken before the transcript forgets them, so each approved card can offer its own undo.
        const cards = this.transcript.endTurn();
        const turnId = this.chat.record.changedTurns[this.chat.record.changedTurns.length - 1];
        const lastUndoable = await this.chat.lastUndoableTurn();
        if (turnId === undefined || lastUndoable !== turnId || this.offered.has(turnId)) return;
        this.offered.add(turnId);
        const open = await this.chat.undoableChanges(turnId);
        this.transcript.offerUndo(
            cards.filter((card) => open.has(card.changeId)),
            async (card) =>
                undoSummary((await this.chat.undo(turnId, { changeId: card.changeId })) ?? emptyReport(turnId)),
            (parent) => void this.confirmUndo(turnId, parent),
        );
    }

    private readonly offered = new Set<string>();

    /** Names what undo will restore and what it cannot, then undoes on confirmation (docs/RELIABILITY.md row 5). */
    private async confirmUndo(turnId: string, parent: HTMLElement): Promise<void> {
        const plan = await this.chat.undo(turnId, { dryRun: true });
        if (plan === null) return;
        const box = parent.createDiv({ cls: 'vault-agent-undo-plan' });
        for (const action of plan.restored) box.createDiv({ text: `Will restore: ${action.description}` });
        for (const problem of plan.notRestored)
            box.createDiv({ cls: 'vault-agent-ctx-warn', text: `Cannot restore: ${problem.why}` });
        const confirm = box.createEl('button', { text: 'Confirm undo', cls: 'mod-warning vault-agent-confirm-undo' });
        confirm.addEventListener('click', () => {
            box.remove();
            void this.chat.undo(turnId);
        });
    }

    /** Re-reads the custom commands (on open and whenever the input gets focus), so a new command note shows up. */
    private async refreshCustomCommands(): Promise<void> {
        try {
            this.custom = (await this.services.customCommands?.()) ?? [];
        } catch {
            // An unreadable commands folder leaves the list as it was; sending `/name` still asks the catalog.
        }
    }

    private commands(): SlashCommand[] {
        const builtIn = this.builtInCommands();
        const custom = this.custom
            .filter((command) => !builtIn.some((known) => known.name === command.name))
            .map((command): SlashCommand => ({
                name: command.name,
                description:
                    command.argumentHint === ''
                        ? command.description
                        : `${command.argumentHint} — ${command.description}`,
                sends: true,
                run: (arg) => void this.chat.send(arg === '' ? `/${command.name}` : `/${command.name} ${arg}`),
            }));
        return [...builtIn, ...custom];
    }

    private builtInCommands(): SlashCommand[] {
        return [
            { name: 'new', description: 'Start a new chat', run: () => this.chat.newChat() },
            {
                name: 'mode',
                description: 'Set the mode: ask, auto-edits or read-only',
                run: (arg) => {
                    const mode = CHAT_MODES.find((m) => m.id === arg || m.label.toLowerCase() === arg.toLowerCase());
                    if (mode === undefined)
                        this.transcript.addNote(`Unknown mode “${arg}”: use ask, auto-edits or read-only.`);
                    else {
                        this.chat.setMode(mode.id);
                        this.updateHeader();
                    }
                },
            },
            {
                name: 'model',
                description: 'Use another model for this chat',
                run: (arg) => {
                    if (arg !== '') this.chat.setModel(arg);
                    this.updateHeader();
                },
            },
            { name: 'undo', description: 'Undo the last turn that changed notes', run: () => this.undoLast() },
            { name: 'export', description: 'Save this chat as a note', run: () => this.saveAsNote() },
            {
                name: 'background',
                description: 'Continue this conversation as a background job',
                run: () => void this.continueInBackground(),
            },
            {
                name: 'compact',
                description: 'Summarise earlier messages to free up context',
                sends: true,
                run: () => void this.chat.compact(),
            },
        ];
    }

    private async undoLast(): Promise<void> {
        const turnId = await this.chat.lastUndoableTurn();
        if (turnId === null) this.transcript.addNote('Nothing to undo in this chat.');
        else await this.confirmUndo(turnId, this.transcript.addNote('Undo the last change:'));
    }

    private async saveAsNote(): Promise<void> {
        const record = this.chat.record;
        if (record.entries.length === 0) return;
        const path = await this.services.saveNote(record.title, transcriptToMarkdown(record));
        this.transcript.addNote(`Saved as ${path}`, 'vault-agent-saved');
    }

    private async toggleHistory(): Promise<void> {
        if (this.historyEl.isShown()) {
            this.historyEl.hide();
            return;
        }
        this.historyEl.empty();
        const chats = await this.services.store.list();
        if (chats.length === 0) this.historyEl.createDiv({ text: 'No saved chats yet.' });
        for (const chat of chats) {
            const row = this.historyEl.createEl('button', { cls: 'vault-agent-history-item', text: chat.title });
            row.createSpan({ cls: 'vault-agent-history-date', text: new Date(chat.updated).toLocaleString() });
            row.addEventListener('click', () => {
                this.historyEl.hide();
                void this.chat.resume(chat.id);
            });
        }
        this.historyEl.show();
    }
}

function undoSummary(report: UndoReport): string {
    const restored = report.restored.map((a) => a.description);
    const missed = report.notRestored.map((p) => p.why);
    const parts = [restored.length > 0 ? `Undone: ${restored.join('; ')}.` : 'Nothing was undone.'];
    if (missed.length > 0) parts.push(`Not restored: ${missed.join('; ')}.`);
    return parts.join(' ');
}

function emptyReport(turnId: string): UndoReport {
    return { turnId, dryRun: false, restored: [], notRestored: [] };
}

/** Errors the person fixes in the settings: no key, a rejected key, an endpoint that does not answer or refuses. */
function needsSettings(error: unknown): boolean {
    return (
        error instanceof ApiKeyMissing ||
        error instanceof AuthError ||
        error instanceof Offline ||
        error instanceof InvalidRequest
    );
}

/**
 * The footer in words a person uses: what the chat has cost and how full the conversation is; the token counts are
 * the details on hover.
 */
export function describeUsage(
    record: Pick<ChatRecord, 'usage' | 'contextTokens'>,
    windowTokens: number | null,
): { text: string; details: string } {
    const { usage, contextTokens } = record;
    const n = (value: number): string => value.toLocaleString('en-US');
    const sent = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    if (sent === 0 && usage.outputTokens === 0) return { text: 'Nothing sent yet', details: 'No cost yet.' };
    const cost = usage.costUsd < 0.01 ? 'under $0.01' : `$${usage.costUsd.toFixed(2)}`;
    const percent =
        windowTokens === null || windowTokens <= 0 ? null : Math.min(100, (contextTokens / windowTokens) * 100);
    const full =
        percent === null
            ? `Conversation: ${n(contextTokens)} tokens`
            : `Conversation ${percent < 1 && contextTokens > 0 ? 'under 1' : Math.round(percent)}% full`;
    const cached = usage.cacheReadTokens > 0 ? ` (${n(usage.cacheReadTokens)} read from cache)` : '';
    const window = windowTokens === null ? '' : ` of ${n(windowTokens)}`;
    return {
        text: `Cost so far ${cost} · ${full}`,
        details:
            `${n(sent)} tokens sent${cached} · ${n(usage.outputTokens)} tokens received · ` +
            `$${usage.costUsd.toFixed(4)} · conversation ${n(contextTokens)}${window} tokens`,
    };
}
