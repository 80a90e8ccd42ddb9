/**
 * How the open inline proposal looks and is driven in a CodeMirror 6 editor: the words a region removes are struck
 * through where they stand, the words it inserts follow in a widget with Accept and Reject buttons (big enough for a
 * finger), a stale region says so and can only be dismissed, and a small panel at the passage holds the prompt,
 * progress, the follow-ups and the keys. Only `@codemirror/state` and `@codemirror/view` are used: Obsidian provides
 * them at runtime, so nothing of the editor is bundled.
 */
import { Prec, type EditorState, type Extension } from '@codemirror/state';
import {
    Decoration,
    EditorView,
    WidgetType,
    keymap,
    showTooltip,
    type DecorationSet,
    type Tooltip,
} from '@codemirror/view';
import { inlineProposalField, passageRange, placedRegions, currentRegion, type PlacedRegion } from './inline-state';
import { inlineHandlers, type InlineHandlers } from './inline-handlers';
import { InlinePanel } from './inline-panel';

/** The keys, also listed in the panel: Alt+Y / Alt+N for the region at the cursor, with Shift for all. */
export const INLINE_KEYS = {
    accept: 'Alt-y',
    reject: 'Alt-n',
    acceptAll: 'Alt-Shift-y',
    rejectAll: 'Alt-Shift-n',
    next: 'Alt-]',
    previous: 'Alt-[',
} as const;

/** The inserted words of a region, with its buttons. */
class InsertWidget extends WidgetType {
    constructor(
        readonly region: PlacedRegion,
        readonly ready: boolean,
        readonly current: boolean,
    ) {
        super();
    }

    override eq(other: InsertWidget): boolean {
        const a = this.region;
        const b = other.region;
        return (
            a.id === b.id &&
            a.inserted === b.inserted &&
            a.stale === b.stale &&
            this.ready === other.ready &&
            this.current === other.current
        );
    }

    toDOM(view: EditorView): HTMLElement {
        const { region } = this;
        const wrap = createSpan({ cls: 'vault-agent-inline-insert' });
        if (region.stale) wrap.classList.add('is-stale');
        if (this.current) wrap.classList.add('is-current');
        wrap.dataset.region = String(region.id);
        if (region.inserted !== '') {
            wrap.createEl('ins', {
                cls: 'vault-agent-inline-added',
                text: region.inserted,
                attr: { 'aria-label': `Proposed: ${region.inserted}` },
            });
        }
        if (region.stale) {
            wrap.createSpan({ cls: 'vault-agent-inline-stale', text: 'Changed since proposed' });
        }
        if (this.ready || region.stale) {
            const handlers = view.state.facet(inlineHandlers);
            const bar = wrap.createSpan({ cls: 'vault-agent-inline-buttons' });
            if (!region.stale)
                bar.appendChild(
                    button('✓', 'Accept this change (Alt+Y)', 'is-accept', () => handlers?.accept(view, region.id)),
                );
            bar.appendChild(
                button('✕', region.stale ? 'Dismiss this change' : 'Reject this change (Alt+N)', 'is-reject', () =>
                    handlers?.reject(view, region.id),
                ),
            );
        }
        return wrap;
    }

    override ignoreEvent(): boolean {
        return true;
    }
}

function button(label: string, title: string, cls: string, run: () => void): HTMLElement {
    const el = createEl('button', {
        cls: `vault-agent-inline-button ${cls}`,
        text: label,
        attr: { 'aria-label': title, title },
    });
    // Pressed without moving the editor's selection or focus (mouse and touch alike).
    el.addEventListener('mousedown', (event) => event.preventDefault());
    el.addEventListener('click', (event) => {
        event.preventDefault();
        run();
    });
    return el;
}

function decorationsOf(state: EditorState): DecorationSet {
    const proposal = state.field(inlineProposalField, false) ?? null;
    if (proposal === null || proposal.regions.length === 0) return Decoration.none;
    const ready = proposal.phase === 'ready';
    const current = ready ? currentRegion(state)?.id : undefined;
    const ranges = [];
    for (const region of placedRegions(proposal)) {
        const cls = `vault-agent-inline-removed${region.stale ? ' is-stale' : ''}`;
        if (region.docTo > region.docFrom) {
            ranges.push(
                Decoration.mark({ class: cls, attributes: { 'data-region': String(region.id) } }).range(
                    region.docFrom,
                    region.docTo,
                ),
            );
        }
        ranges.push(
            Decoration.widget({ widget: new InsertWidget(region, ready, region.id === current), side: 1 }).range(
                region.docTo,
            ),
        );
    }
    return Decoration.set(ranges, true);
}

/** One function for every panel tooltip: CodeMirror keeps (and updates) a tooltip whose `create` is the same. */
const createPanel = (view: EditorView): InlinePanel => new InlinePanel(view);

function panelTooltip(state: EditorState): Tooltip | null {
    const proposal = state.field(inlineProposalField, false) ?? null;
    if (proposal === null) return null;
    return {
        // Below the passage, so the panel never covers the words it is about.
        pos: passageRange(proposal).to,
        above: false,
        strictSide: false,
        arrow: false,
        create: createPanel,
    };
}

/** Runs `run` with the region at the cursor when a ready proposal is open; otherwise the key falls through. */
function onRegion(run: (h: InlineHandlers, view: EditorView, id: number) => void) {
    return (view: EditorView): boolean => {
        const proposal = view.state.field(inlineProposalField, false) ?? null;
        const handlers = view.state.facet(inlineHandlers);
        const region = currentRegion(view.state);
        if (proposal?.phase !== 'ready' || handlers === null || region === null) return false;
        run(handlers, view, region.id);
        return true;
    };
}

function onProposal(run: (h: InlineHandlers, view: EditorView) => void) {
    return (view: EditorView): boolean => {
        const proposal = view.state.field(inlineProposalField, false) ?? null;
        const handlers = view.state.facet(inlineHandlers);
        if (proposal?.phase !== 'ready' || handlers === null || proposal.regions.length === 0) return false;
        run(handlers, view);
        return true;
    };
}

/** Moves the cursor to the next (or previous) region. */
function step(direction: 1 | -1) {
    return (view: EditorView): boolean => {
        const proposal = view.state.field(inlineProposalField, false) ?? null;
        if (proposal === null || proposal.regions.length === 0) return false;
        const placed = placedRegions(proposal);
        const head = view.state.selection.main.head;
        const target =
            direction === 1
                ? (placed.find((r) => r.docFrom > head) ?? placed[0])
                : ([...placed].reverse().find((r) => r.docTo < head) ?? placed.at(-1));
        if (target === undefined) return false;
        view.dispatch({ selection: { anchor: target.docFrom }, scrollIntoView: true });
        return true;
    };
}

/** The commands behind the keys, for hosts that bind them too (Obsidian's command palette). */
export const inlineCommands = {
    accept: onRegion((h, view, id) => h.accept(view, id)),
    reject: onRegion((h, view, id) => h.reject(view, id)),
    acceptAll: onProposal((h, view) => h.acceptAll(view)),
    rejectAll: onProposal((h, view) => h.rejectAll(view)),
    next: step(1),
    previous: step(-1),
};

/** The editor extension: the proposal's state, its decorations, the panel and the keys. */
export function inlineEditExtension(handlers: InlineHandlers): Extension {
    return [
        inlineHandlers.of(handlers),
        inlineProposalField,
        EditorView.decorations.compute([inlineProposalField, 'selection'], decorationsOf),
        showTooltip.compute([inlineProposalField], panelTooltip),
        Prec.highest(
            keymap.of([
                { key: INLINE_KEYS.accept, run: inlineCommands.accept },
                { key: INLINE_KEYS.reject, run: inlineCommands.reject },
                { key: INLINE_KEYS.acceptAll, run: inlineCommands.acceptAll },
                { key: INLINE_KEYS.rejectAll, run: inlineCommands.rejectAll },
                { key: INLINE_KEYS.next, run: inlineCommands.next },
                { key: INLINE_KEYS.previous, run: inlineCommands.previous },
            ]),
        ),
    ];
}
