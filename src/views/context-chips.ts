/**
 * The chips above the input: what the next message will carry. The focused note (a toggle), the selection, and every
 * note mentioned in the draft; an excluded one says so and why, in words for the person only. Clicking a chip
 * opens its note. Below the focused note, a few related notes (shared links, tags, words) are offered: clicking one
 * mentions it in the draft.
 */
import { parseMentions } from '../context/mention-parser';
import type { FocusSource } from '../context/focus';

/** What the chips need. */
export interface ContextChipsOptions {
    /** Where they go. */
    parent: HTMLElement;
    /** The person's focus. */
    focus: FocusSource;
    /** Why a path is excluded, or `null` when the agent may see it. */
    whyExcluded(path: string): string | null;
    /** The path a mentioned link points to, or `null`. */
    resolve(link: string): string | null;
    /** Opens a note. */
    openNote(path: string): void;
    /** Whether the focused note is attached. */
    attached(): boolean;
    /** Flips whether the focused note is attached. */
    toggleAttached(): void;
    /** Notes related to the focused note (visible ones only); no related chips when absent. */
    related?(path: string): RelatedChip[];
    /** Adds a mention (`@[[Note]]`) to the draft. */
    mention?(mention: string): void;
}

/** A related note offered as a chip, and why it is related. */
export interface RelatedChip {
    /** The vault path. */
    path: string;
    /** Why, in a few words ("links to this note", "shares #garden"). */
    why: string;
}

/** The chip row. */
export class ContextChips {
    private readonly el: HTMLElement;

    constructor(private readonly options: ContextChipsOptions) {
        this.el = options.parent.createDiv({ cls: 'vault-agent-chips' });
    }

    /** Re-renders for the current focus and draft. */
    refresh(draft: string): void {
        const { focus } = this.options;
        this.el.empty();
        const note = focus.focusedNote();
        if (note !== null) {
            const why = this.options.whyExcluded(note);
            const chip = this.chip(note, why === null ? noteName(note) : `${noteName(note)} — not sent: ${why}`, why);
            chip.addClass('vault-agent-chip-focus');
            chip.toggleClass('is-off', !this.options.attached());
            const toggle = chip.createEl('button', {
                cls: 'vault-agent-chip-toggle',
                text: this.options.attached() ? '×' : '+',
                attr: {
                    'aria-label': this.options.attached() ? 'Do not attach the open note' : 'Attach the open note',
                },
            });
            toggle.addEventListener('click', (event) => {
                event.stopPropagation();
                this.options.toggleAttached();
                this.refresh(draft);
            });
            const selection = focus.selection();
            if (selection !== null && selection.text !== '' && this.options.attached() && why === null) {
                const lines = `lines ${selection.fromLine + 1}–${selection.toLine + 1}`;
                this.chip(note, `Selection, ${lines}`, null).addClass('vault-agent-chip-selection');
            }
            if (why === null) this.relatedChips(note, draft);
        }
        const seen = new Set<string>();
        for (const mention of parseMentions(draft)) {
            if (mention.kind !== 'note' || seen.has(mention.link)) continue;
            seen.add(mention.link);
            const path = this.options.resolve(mention.link);
            if (path === null) {
                this.chip(null, `${mention.link} — not found`, 'not found').addClass('vault-agent-chip-missing');
                continue;
            }
            const why = this.options.whyExcluded(path);
            // An excluded note's name is only ever shown to the person, never sent.
            const text = why === null ? noteName(path) : `${noteName(path)} — not sent: ${why}`;
            this.chip(path, text, why).addClass('vault-agent-chip-mention');
        }
    }

    /** Up to three related notes not yet mentioned; a click mentions one. */
    private relatedChips(note: string, draft: string): void {
        const options = this.options;
        if (options.related === undefined || options.mention === undefined) return;
        const mentioned = new Set(
            parseMentions(draft).map((m) => (m.kind === 'note' ? this.options.resolve(m.link) : null)),
        );
        const offered = options
            .related(note)
            .filter((r) => r.path !== note && !mentioned.has(r.path))
            .slice(0, 3);
        if (offered.length === 0) return;
        const row = this.el.createDiv({ cls: 'vault-agent-chips-related' });
        row.createSpan({ cls: 'vault-agent-chips-related-label', text: 'Related:' });
        for (const item of offered) {
            const chip = row.createEl('button', {
                cls: 'vault-agent-chip vault-agent-chip-related',
                text: noteName(item.path),
                attr: { title: `${item.path} — ${item.why}. Click to mention it.`, 'data-path': item.path },
            });
            chip.addEventListener('click', () => {
                const link = item.path.replace(/\.md$/iu, '');
                options.mention?.(`@[[${link}]]`);
            });
        }
    }

    private chip(path: string | null, text: string, problem: string | null): HTMLElement {
        const chip = this.el.createDiv({ cls: 'vault-agent-chip' });
        chip.toggleClass('is-excluded', problem !== null);
        chip.createSpan({ cls: 'vault-agent-chip-label', text });
        if (path !== null) {
            chip.setAttr('tabindex', '0');
            chip.setAttr('role', 'button');
            chip.addEventListener('click', () => this.options.openNote(path));
            chip.addEventListener('keydown', (event) => {
                if (event.key === 'Enter') this.options.openNote(path);
            });
        }
        return chip;
    }
}

function noteName(path: string): string {
    return (path.split('/').pop() ?? path).replace(/\.md$/i, '');
}
