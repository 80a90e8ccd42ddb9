/**
 * The review inbox, an `ItemView`: every pending proposal (from jobs in `propose` mode and MCP clients' `propose_edit`)
 * grouped by who proposed it and by note, newest first, with the count as a badge. Opening one shows the chat's
 * approval card for it (`inbox-detail.ts`); "Accept all" applies every proposal of one job. Keyboard-first: `j`/`k`
 * or the arrows move, Enter opens or closes, `a` accepts and `r` rejects the open proposal, Escape closes it. It
 * renders from the proposals on every change and keeps focus and the open proposal across renders.
 */
import { ItemView, type WorkspaceLeaf } from 'obsidian';
import { InboxDetail } from './inbox-detail';
import { ageText, itemSummary, KIND_WORD, originWord } from './inbox-format';
import type { InboxItem, InboxListing, InboxPort } from './inbox-port';

/** The inbox view's type id. */
export const VIEW_TYPE_INBOX = 'vault-agent-inbox';

/** What the view is built from. */
export interface InboxViewServices {
    /** The proposals. */
    inbox: InboxPort;
    /** Opens a note by its path. */
    openNote(path: string): void;
    /** Time, for "5 min ago". */
    now?(): number;
}

/** Decided proposals kept on screen (with their Undo) until the view closes. */
const KEPT_DECIDED = 5;

/** The review inbox. */
export class InboxView extends ItemView {
    private listing: InboxListing | null = null;
    private unsubscribe: (() => void) | null = null;
    private rendering = 0;
    private open: { id: string; detail: InboxDetail; el: HTMLElement } | null = null;
    private badgeEl!: HTMLElement;
    private decidedEl!: HTMLElement;
    private listEl!: HTMLElement;
    /** Where focus was, by proposal id, so a re-render puts it back (or on the next proposal). */
    private focusId: string | null = null;
    private focusIndex = 0;

    constructor(
        leaf: WorkspaceLeaf,
        private readonly services: InboxViewServices,
    ) {
        super(leaf);
    }

    getViewType(): string {
        return VIEW_TYPE_INBOX;
    }

    getDisplayText(): string {
        return 'Review inbox';
    }

    override getIcon(): string {
        return 'inbox';
    }

    /** How many proposals wait (the badge); 0 before the first listing. */
    get count(): number {
        return this.listing?.count ?? 0;
    }

    override async onOpen(): Promise<void> {
        const root = this.contentEl;
        root.empty();
        root.addClass('vault-agent-inbox');
        const head = root.createDiv({ cls: 'vault-agent-inbox-head' });
        head.createSpan({ cls: 'vault-agent-inbox-title', text: 'Changes to review' });
        this.badgeEl = head.createSpan({ cls: 'vault-agent-inbox-badge', attr: { 'aria-live': 'polite' } });
        root.createDiv({
            cls: 'vault-agent-inbox-keys',
            text: 'j/k or ↑/↓ move · Enter opens · a accepts · r rejects · Esc closes',
        });
        this.decidedEl = root.createDiv({ cls: 'vault-agent-inbox-decided' });
        this.listEl = root.createDiv({ cls: 'vault-agent-inbox-list', attr: { role: 'list' } });
        root.addEventListener('keydown', (event) => this.onKey(event));
        root.addEventListener('focusin', (event) => this.noteFocus(event.target));
        this.unsubscribe = this.services.inbox.subscribe(() => void this.refresh());
        await this.refresh();
    }

    override async onClose(): Promise<void> {
        this.unsubscribe?.();
        this.unsubscribe = null;
    }

    /** Lists the proposals again and renders them (the newest listing wins when several are in flight). */
    async refresh(): Promise<void> {
        const turn = ++this.rendering;
        let listing: InboxListing;
        try {
            listing = await this.services.inbox.list();
        } catch (error) {
            if (turn !== this.rendering) return;
            this.listEl.empty();
            this.listEl.createDiv({
                cls: 'vault-agent-inbox-error',
                text: `The proposals could not be read: ${error instanceof Error ? error.message : String(error)}`,
            });
            return;
        }
        if (turn !== this.rendering) return;
        this.listing = listing;
        this.render(listing);
    }

    private render(listing: InboxListing): void {
        const hadFocus = this.contentEl.contains(this.contentEl.ownerDocument.activeElement);
        const focusInDetail = this.open !== null && this.open.el.contains(this.contentEl.ownerDocument.activeElement);
        this.badgeEl.setText(String(listing.count));
        this.badgeEl.toggleClass('is-empty', listing.count === 0);
        this.badgeEl.setAttr('aria-label', `${listing.count} waiting`);
        // The open panel is kept as it is (a decision may be under way); it is moved, never rebuilt.
        const keep = this.open;
        keep?.el.detach();
        this.listEl.empty();
        if (listing.count === 0) {
            this.listEl.createDiv({
                cls: 'vault-agent-inbox-empty',
                text: 'Nothing to review. Changes proposed by jobs in propose mode and by MCP clients wait here.',
            });
        }
        if (listing.withheld > 0) {
            this.listEl.createDiv({
                cls: 'vault-agent-inbox-withheld-count',
                text: `${listing.withheld} withheld: their notes are private now.`,
            });
        }
        for (const group of listing.groups) {
            const section = this.listEl.createDiv({
                cls: 'vault-agent-inbox-group',
                attr: { 'data-origin': `${group.origin.kind}:${group.origin.id}` },
            });
            const head = section.createDiv({ cls: 'vault-agent-inbox-group-head' });
            head.createSpan({ cls: 'vault-agent-inbox-group-title', text: group.origin.title });
            head.createSpan({
                cls: 'vault-agent-inbox-group-meta',
                text: `${originWord(group.origin.kind)} · ${group.count} change${group.count === 1 ? '' : 's'}`,
            });
            const ready = group.notes.flatMap((note) => note.entries).filter((item) => item.withheld === undefined);
            if (ready.length > 1) {
                const all = head.createEl('button', {
                    cls: 'vault-agent-inbox-accept-group',
                    text: `Accept all ${ready.length}`,
                    attr: { 'aria-label': `Accept all ${ready.length} changes from ${group.origin.title}` },
                });
                all.addEventListener('click', () => void this.acceptAll(group.origin.title, ready, all));
            }
            for (const note of group.notes) {
                const noteEl = section.createDiv({ cls: 'vault-agent-inbox-note' });
                const link = noteEl.createEl('a', {
                    cls: 'vault-agent-inbox-note-path internal-link',
                    text: note.path,
                    attr: { href: '#', tabindex: '-1' },
                });
                link.addEventListener('click', (event) => {
                    event.preventDefault();
                    this.services.openNote(note.path);
                });
                for (const item of note.entries) {
                    const row = this.renderItem(noteEl, item);
                    if (keep !== null && keep.id === item.id) row.after(keep.el);
                }
            }
        }
        // An open proposal that is no longer pending (decided here or elsewhere) moves to "decided".
        if (keep !== null && keep.el.parentElement === null) {
            this.decidedEl.prepend(keep.el);
            this.open = null;
            while (this.decidedEl.children.length > KEPT_DECIDED) this.decidedEl.lastElementChild?.remove();
        }
        if (hadFocus && !focusInDetail) this.restoreFocus();
    }

    private renderItem(parent: HTMLElement, item: InboxItem): HTMLElement {
        const isOpen = this.open?.id === item.id;
        const row = parent.createDiv({
            cls: ['vault-agent-inbox-item', `is-${item.kind}`],
            attr: {
                'data-id': item.id,
                role: 'listitem',
                tabindex: '0',
                'aria-expanded': String(isOpen),
                'aria-label': `${KIND_WORD[item.kind]} ${item.path}, from ${item.origin.title}`,
            },
        });
        if (item.withheld !== undefined) row.addClass('is-withheld');
        if (isOpen) row.addClass('is-open');
        const line = row.createDiv({ cls: 'vault-agent-inbox-item-line' });
        line.createSpan({ cls: 'vault-agent-inbox-item-kind', text: itemSummary(item) });
        line.createSpan({ cls: 'vault-agent-inbox-item-age', text: ageText(item.created, this.now()) });
        if (item.withheld !== undefined) {
            row.createDiv({ cls: 'vault-agent-inbox-item-why', text: item.withheld });
        } else if (item.reason !== undefined) {
            row.createDiv({ cls: 'vault-agent-inbox-item-reason', text: `“${item.reason}”` });
        }
        row.addEventListener('click', () => void this.toggle(item, row));
        return row;
    }

    /** Opens `item` under its row (closing any other), or closes it when it is the open one. */
    private async toggle(item: InboxItem, row: HTMLElement): Promise<void> {
        if (this.open?.id === item.id) {
            this.close();
            return;
        }
        this.close();
        const el = createDiv();
        row.after(el);
        row.addClass('is-open');
        row.setAttr('aria-expanded', 'true');
        const detail = new InboxDetail({
            port: this.services.inbox,
            item,
            el,
            onSettled: () => void this.refresh(),
        });
        this.open = { id: item.id, detail, el };
        await detail.load();
    }

    private close(): void {
        const open = this.open;
        if (open === null) return;
        this.open = null;
        // A card still waiting for a decision is simply dropped: nothing was decided, the proposal stays pending.
        open.el.remove();
        const row = this.rowOf(open.id);
        row?.removeClass('is-open');
        row?.setAttr('aria-expanded', 'false');
        row?.focus();
    }

    private async acceptAll(title: string, items: readonly InboxItem[], button: HTMLButtonElement): Promise<void> {
        button.disabled = true;
        const box = this.decidedEl.createDiv({ cls: 'vault-agent-inbox-batch' });
        this.decidedEl.prepend(box);
        const status = box.createDiv({ text: `Applying ${items.length} changes from ${title}…` });
        const applied: InboxItem[] = [];
        const missed: string[] = [];
        for (const item of items) {
            const opened = await this.services.inbox.open(item.id);
            if (opened.state !== 'ready') {
                missed.push(`${item.path} (${opened.state === 'conflict' ? opened.why : 'not ready'})`);
                continue;
            }
            const outcome = await this.services.inbox.apply(item.id, {
                kind: 'approve',
                binding: opened.change.binding,
            });
            if (outcome.status === 'applied') applied.push(item);
            else if (outcome.status === 'not-applied') missed.push(`${item.path} (${outcome.outcome.message})`);
            else missed.push(`${item.path} (it changed meanwhile; open it to decide)`);
        }
        status.setText(
            `Applied ${applied.length} of ${items.length} changes from ${title}.` +
                (missed.length === 0 ? '' : ` Not applied: ${missed.join('; ')}.`),
        );
        if (applied.length > 0) {
            const undo = box.createEl('button', { cls: 'vault-agent-inbox-undo-all', text: 'Undo all' });
            undo.addEventListener('click', () => {
                undo.disabled = true;
                void (async () => {
                    let undone = 0;
                    for (const item of applied) {
                        const report = await this.services.inbox.undo(item.id);
                        if (report !== null && report.notRestored.length === 0) undone++;
                    }
                    undo.remove();
                    status.setText(`Undone ${undone} of ${applied.length}; undone proposals are waiting again.`);
                    await this.refresh();
                })();
            });
        }
        await this.refresh();
    }

    private onKey(event: KeyboardEvent): void {
        if (event.ctrlKey || event.metaKey || event.altKey) return;
        const target = event.target;
        // Tag names, not `instanceof`: the view may live in a pop-out window, whose elements have their own classes.
        const tag = elementOf(target)?.tagName;
        if (tag === 'TEXTAREA' || tag === 'INPUT') return;
        const rows = this.rows();
        const here = this.currentRow(target);
        const index = here === null ? -1 : rows.indexOf(here);
        switch (event.key) {
            case 'j':
            case 'ArrowDown':
                rows[Math.min(rows.length - 1, index + 1)]?.focus();
                break;
            case 'k':
            case 'ArrowUp':
                rows[Math.max(0, index - 1)]?.focus();
                break;
            case 'Enter':
            case ' ':
                // A button inside the card keeps its own Enter and Space.
                if (here === null || target !== here) return;
                here.click();
                break;
            case 'a':
            case 'r': {
                const card = this.open?.detail.card;
                if (card === null || card === undefined || card.decided) return;
                if (event.key === 'a') card.accept();
                else card.reject();
                break;
            }
            case 'Escape':
                if (this.open === null) return;
                this.close();
                break;
            default:
                return;
        }
        event.preventDefault();
    }

    /** The row the event came from: the focused row, or the open proposal's when focus is inside its panel. */
    private currentRow(target: EventTarget | null): HTMLElement | null {
        const element = elementOf(target);
        if (element === null) return null;
        const row = element.closest<HTMLElement>('.vault-agent-inbox-item');
        if (row !== null) return row;
        if (this.open !== null && this.open.el.contains(element)) return this.rowOf(this.open.id);
        return null;
    }

    private noteFocus(target: EventTarget | null): void {
        const row = this.currentRow(target);
        if (row === null) return;
        this.focusId = row.getAttr('data-id');
        this.focusIndex = this.rows().indexOf(row);
    }

    private restoreFocus(): void {
        const rows = this.rows();
        const same = this.focusId === null ? null : this.rowOf(this.focusId);
        (same ?? rows[Math.min(this.focusIndex, rows.length - 1)])?.focus();
    }

    private rows(): HTMLElement[] {
        return Array.from(this.listEl.querySelectorAll<HTMLElement>('.vault-agent-inbox-item'));
    }

    private rowOf(id: string): HTMLElement | null {
        return this.rows().find((row) => row.getAttr('data-id') === id) ?? null;
    }

    private now(): number {
        return this.services.now?.() ?? Date.now();
    }
}

/** The event target as an element (of any window), or `null` when it is none. */
function elementOf(target: EventTarget | null): HTMLElement | null {
    const node = target as Partial<HTMLElement> | null;
    return node !== null && typeof node.closest === 'function' && typeof node.tagName === 'string'
        ? (node as HTMLElement)
        : null;
}
