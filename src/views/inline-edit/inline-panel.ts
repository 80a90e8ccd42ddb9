/**
 * The small panel at the passage: the prompt (free words or a custom `/command`), then progress with Stop, then what
 * the rewrite holds with Accept all / Reject all, the follow-ups ("Try again", "Shorter", or own words) and the keys.
 * It redraws only when the proposal's phase, message or count of regions changes, so what the person is typing in its
 * field is never lost to a streaming update.
 */
import type { EditorView, TooltipView, ViewUpdate } from '@codemirror/view';
import { inlineHandlers } from './inline-handlers';
import { inlineProposalField, placedRegions, type InlineProposal } from './inline-state';

/** The canned follow-ups. */
export const FOLLOW_UPS = ['Try again', 'Shorter'] as const;

/** The panel's tooltip view. */
export class InlinePanel implements TooltipView {
    readonly dom: HTMLElement;
    private readonly view: EditorView;
    private shown = '';

    constructor(view: EditorView) {
        this.view = view;
        this.dom = createDiv({
            cls: 'vault-agent-inline-panel',
            attr: { role: 'dialog', 'aria-label': 'Ask the agent to edit this passage' },
        });
        // Keys typed in the panel are the panel's: the editor's keymap and input handling stay out of them.
        this.dom.addEventListener('keydown', (event) => event.stopPropagation());
        this.render();
    }

    mount(): void {
        const proposal = this.proposal();
        if (proposal?.phase === 'prompt') this.dom.querySelector('input')?.focus();
    }

    update(update: ViewUpdate): void {
        if (update.startState.field(inlineProposalField, false) !== update.state.field(inlineProposalField, false)) {
            this.render();
        }
    }

    private proposal(): InlineProposal | null {
        return this.view.state.field(inlineProposalField, false) ?? null;
    }

    private render(): void {
        const proposal = this.proposal();
        if (proposal === null) return;
        // While streaming the panel says only "Writing…": previews do not redraw it.
        const placed = proposal.phase === 'ready' ? placedRegions(proposal) : [];
        const stale = placed.filter((r) => r.stale).length;
        const key = `${proposal.phase}\n${proposal.message}\n${placed.length}\n${stale}`;
        if (key === this.shown) return;
        this.shown = key;
        const handlers = this.view.state.facet(inlineHandlers);
        this.dom.replaceChildren();
        this.dom.dataset.phase = proposal.phase;
        const status = div('vault-agent-inline-status');
        status.setAttribute('aria-live', 'polite');
        this.dom.appendChild(status);
        const view = this.view;
        switch (proposal.phase) {
            case 'prompt':
            case 'failed':
                status.textContent = proposal.message !== '' ? proposal.message : 'Ask for a change to this passage.';
                this.dom.appendChild(this.askRow('Tighten this, or /command', 'Ask'));
                this.dom.appendChild(this.commandChips());
                break;
            case 'asking':
            case 'streaming':
                status.textContent = proposal.message !== '' ? proposal.message : 'Writing…';
                this.dom.appendChild(row([action('Stop', 'is-stop', () => handlers?.close(view))]));
                break;
            case 'ready': {
                const open = placed.length - stale;
                status.textContent =
                    proposal.message !== ''
                        ? proposal.message
                        : placed.length === 0
                          ? 'No changes left.'
                          : `${open} change${open === 1 ? '' : 's'} proposed` +
                            (stale > 0 ? `, ${stale} changed since proposed` : '') +
                            '.';
                if (placed.length > 0) {
                    this.dom.appendChild(
                        row([
                            action('Accept all', 'is-accept', () => handlers?.acceptAll(view), 'Alt+Shift+Y'),
                            action('Reject all', 'is-reject', () => handlers?.rejectAll(view), 'Alt+Shift+N'),
                        ]),
                    );
                }
                this.dom.appendChild(
                    row(FOLLOW_UPS.map((text) => action(text, 'is-follow-up', () => handlers?.ask(view, text)))),
                );
                this.dom.appendChild(this.askRow('Or say what to change', 'Send'));
                const keys = div('vault-agent-inline-keys');
                keys.textContent = 'Alt+Y accept · Alt+N reject · Alt+] next · Shift for all';
                this.dom.appendChild(keys);
                break;
            }
        }
        const tail: HTMLElement[] = [];
        if (handlers?.openChat !== undefined && proposal.phase !== 'prompt') {
            tail.push(action('Open in chat', 'is-chat', () => handlers.openChat?.(view)));
        }
        tail.push(action('Close', 'is-close', () => handlers?.close(view), 'Esc'));
        this.dom.appendChild(row(tail));
    }

    private askRow(placeholder: string, label: string): HTMLElement {
        const handlers = this.view.state.facet(inlineHandlers);
        const input = createEl('input', {
            type: 'text',
            cls: 'vault-agent-inline-input',
            placeholder,
            attr: { 'aria-label': placeholder },
        });
        const send = (): void => {
            const text = input.value.trim();
            if (text !== '') handlers?.ask(this.view, text);
        };
        input.addEventListener('keydown', (event) => {
            if (event.key === 'Enter') {
                event.preventDefault();
                send();
            } else if (event.key === 'Escape') {
                event.preventDefault();
                handlers?.close(this.view);
                this.view.focus();
            }
        });
        return row([input, action(label, 'is-send mod-cta', send)]);
    }

    private commandChips(): HTMLElement {
        const commands = this.view.state.facet(inlineHandlers)?.commands?.() ?? [];
        const chips = row([]);
        chips.classList.add('vault-agent-inline-commands');
        for (const command of commands.slice(0, 6)) {
            const chip = action(`/${command.name}`, 'is-command', () => {
                const input = this.dom.querySelector('input');
                if (input === null) return;
                input.value = `/${command.name} `;
                input.focus();
            });
            chip.title = command.description;
            chips.appendChild(chip);
        }
        return chips;
    }
}

function div(cls: string): HTMLElement {
    return createDiv({ cls });
}

function row(children: HTMLElement[]): HTMLElement {
    const el = div('vault-agent-inline-row');
    for (const child of children) el.appendChild(child);
    return el;
}

function action(label: string, cls: string, run: () => void, key?: string): HTMLElement {
    const el = createEl('button', { cls: `vault-agent-inline-action ${cls}`, text: label });
    if (key !== undefined) el.title = `${label} (${key})`;
    el.addEventListener('click', (event) => {
        event.preventDefault();
        run();
    });
    return el;
}
