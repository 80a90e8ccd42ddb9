/**
 * The chat's input: a textarea with an `@` popover (notes, folders and tags from the suggestion engine, which never
 * offers an excluded note), `/` commands, Enter to send, Shift+Enter for a new line, Esc to stop a running turn.
 * In the popover: arrows move, Enter or Tab picks, Esc closes.
 */
import { parseSlashCommand, slashCommandQuery } from '../context/commands';
import type { MentionSuggestion } from '../context/suggest';

/** A `/` command. */
export interface SlashCommand {
    /** What follows the slash, e.g. `new`. */
    name: string;
    /** What it does, in sentence case. */
    description: string;
    /** It talks to the model, so it waits (keeping the typed text) while a turn runs. */
    sends?: boolean;
    /** Runs it with the text after the command name. */
    run(argument: string): void | Promise<void>;
}

/** What the input needs. */
export interface ChatInputOptions {
    /** Where it goes. */
    parent: HTMLElement;
    /** Mention suggestions for a query (the text after `@`). */
    suggest(query: string): MentionSuggestion[];
    /** The built-in and custom `/` commands. */
    commands: () => SlashCommand[];
    /** Sends a message. */
    onSend(text: string): void;
    /** Stops the running turn. */
    onStop(): void;
    /** Whether a turn is running (Esc then stops it). */
    isBusy(): boolean;
}

/** An item in the popover. */
interface PopoverItem {
    label: string;
    detail: string;
    apply(): void;
}

const MENTION_BEFORE_CURSOR = /(?:^|\s)@(\[\[[^\]\n]*|[^\s@]*)$/;

/** The input box. */
export class ChatInput {
    /** The textarea. */
    readonly textarea: HTMLTextAreaElement;
    private readonly popover: HTMLElement;
    private items: PopoverItem[] = [];
    private active = 0;

    constructor(private readonly options: ChatInputOptions) {
        const wrap = options.parent.createDiv({ cls: 'vault-agent-input' });
        this.popover = wrap.createDiv({ cls: 'vault-agent-popover', attr: { role: 'listbox' } });
        this.popover.hide();
        this.textarea = wrap.createEl('textarea', {
            cls: 'vault-agent-textarea',
            attr: {
                placeholder: 'Ask about your notes. @ to mention a note, / for commands',
                rows: '3',
                'aria-label': 'Message',
            },
        });
        this.textarea.addEventListener('input', () => this.refreshPopover());
        this.textarea.addEventListener('keydown', (event) => this.onKeyDown(event));
        this.textarea.addEventListener('blur', () => window.setTimeout(() => this.closePopover(), 150));
    }

    /** Inserts text at the cursor (e.g. "add note to chat"). */
    insert(text: string): void {
        const { selectionStart, selectionEnd, value } = this.textarea;
        this.textarea.value = value.slice(0, selectionStart) + text + value.slice(selectionEnd);
        const at = selectionStart + text.length;
        this.textarea.setSelectionRange(at, at);
        this.textarea.focus();
        this.textarea.dispatchEvent(new Event('input'));
    }

    /** Whether the popover is open. */
    get popoverOpen(): boolean {
        return this.items.length > 0;
    }

    private onKeyDown(event: KeyboardEvent): void {
        if (event.isComposing) return;
        if (this.popoverOpen) {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
                event.preventDefault();
                const step = event.key === 'ArrowDown' ? 1 : -1;
                this.active = (this.active + step + this.items.length) % this.items.length;
                this.highlight();
                return;
            }
            if (event.key === 'Enter' || event.key === 'Tab') {
                event.preventDefault();
                // A command typed in full runs on Enter, rather than taking a second Enter after picking itself.
                const picked = this.items[this.active];
                if (event.key === 'Enter' && picked?.label === this.textarea.value.trim()) this.submit();
                else picked?.apply();
                return;
            }
            if (event.key === 'Escape') {
                event.preventDefault();
                this.closePopover();
                return;
            }
        }
        if (event.key === 'Escape' && this.options.isBusy()) {
            event.preventDefault();
            this.options.onStop();
            return;
        }
        if (event.key === 'Enter' && !event.shiftKey) {
            event.preventDefault();
            this.submit();
        }
    }

    private submit(): void {
        const text = this.textarea.value;
        if (text.trim() === '') return;
        const command = parseSlashCommand(text);
        if (command !== null) {
            const found = this.options.commands().find((c) => c.name === command.name);
            if (found !== undefined) {
                if (found.sends === true && this.options.isBusy()) return;
                this.textarea.value = '';
                this.closePopover();
                void found.run(command.args);
                return;
            }
        }
        if (this.options.isBusy()) return;
        this.textarea.value = '';
        this.closePopover();
        this.options.onSend(text);
    }

    private refreshPopover(): void {
        const before = this.textarea.value.slice(0, this.textarea.selectionStart);
        const slash = slashCommandQuery(before);
        if (slash !== null) {
            const query = slash.toLowerCase();
            this.show(
                this.options
                    .commands()
                    .filter((c) => c.name.startsWith(query))
                    .map((c) => ({
                        label: `/${c.name}`,
                        detail: c.description,
                        apply: () => this.replaceBeforeCursor(before.length, `/${c.name} `),
                    })),
            );
            return;
        }
        const mention = MENTION_BEFORE_CURSOR.exec(before);
        if (mention === null) {
            this.closePopover();
            return;
        }
        const typed = mention[1] ?? '';
        const query = typed.startsWith('[[') ? typed.slice(2) : typed;
        this.show(
            this.options.suggest(query).map((s) => ({
                label: s.label,
                detail: s.kind === 'note' ? s.detail : `${s.kind}, ${s.detail} notes`,
                apply: () => this.replaceBeforeCursor(typed.length + 1, `${s.insert} `),
            })),
        );
    }

    /** Replaces the `length` characters before the cursor with `text`. */
    private replaceBeforeCursor(length: number, text: string): void {
        const cursor = this.textarea.selectionStart;
        const value = this.textarea.value;
        this.textarea.value = value.slice(0, cursor - length) + text + value.slice(cursor);
        const at = cursor - length + text.length;
        this.textarea.setSelectionRange(at, at);
        this.closePopover();
        this.textarea.focus();
        // Listeners (the context chips) hear programmatic changes like typed ones.
        this.textarea.dispatchEvent(new Event('input'));
    }

    private show(items: PopoverItem[]): void {
        this.items = items;
        this.active = 0;
        this.popover.empty();
        if (items.length === 0) {
            this.popover.hide();
            return;
        }
        items.forEach((item, i) => {
            const row = this.popover.createDiv({ cls: 'vault-agent-popover-item', attr: { role: 'option' } });
            row.createSpan({ cls: 'vault-agent-popover-label', text: item.label });
            row.createSpan({ cls: 'vault-agent-popover-detail', text: item.detail });
            row.addEventListener('mousedown', (event) => {
                event.preventDefault();
                this.active = i;
                item.apply();
            });
        });
        this.popover.show();
        this.highlight();
    }

    private highlight(): void {
        Array.from(this.popover.children).forEach((row, i) => {
            row.toggleClass('is-selected', i === this.active);
            row.setAttr('aria-selected', String(i === this.active));
        });
    }

    private closePopover(): void {
        this.items = [];
        this.popover.empty();
        this.popover.hide();
    }
}
