/**
 * The open inline proposal of one editor, as a CodeMirror 6 state field. Regions are kept in the offsets of the
 * passage as it read when the proposal was asked for (the base), with every change made to the document since then
 * composed into one change description: a region's place now is its base range mapped through those changes (so
 * typing elsewhere keeps it anchored), and a region any change touched since is stale (the person typed in it). An
 * accepted or rejected region leaves the list; a follow-up takes a new base where the passage now stands.
 */
import { ChangeSet, StateEffect, StateField, type ChangeDesc, type EditorState } from '@codemirror/state';
import type { WordRegion } from '../../agent/changes/inline-hunks';
import type { TurnedDown } from '../../chat/inline-edit';

/** Where the proposal stands. */
export type InlinePhase =
    /** The prompt is open; nothing was asked yet. */
    | 'prompt'
    /** Asked; the rewrite has not begun to arrive. */
    | 'asking'
    /** The rewrite is arriving; regions are a preview and cannot be accepted yet. */
    | 'streaming'
    /** The rewrite is complete; regions can be accepted and rejected. */
    | 'ready'
    /** Nothing to show (the message says why). */
    | 'failed';

/** One region of the proposal, in base offsets. */
export interface BaseRegion {
    /** Stable within one base. */
    id: number;
    /** Start in the base passage. */
    from: number;
    /** End in the base passage. */
    to: number;
    /** The passage's text there when asked. */
    removed: string;
    /** The proposed text. */
    inserted: string;
}

/** The proposal of one editor. */
export interface InlineProposal {
    /** Where the passage began in the document the base was taken from. */
    baseFrom: number;
    /** The passage as it read then. */
    baseText: string;
    /** Every change to the document since the base was taken. */
    since: ChangeDesc;
    /** Undecided regions. */
    regions: readonly BaseRegion[];
    /** Where it stands. */
    phase: InlinePhase;
    /** A line for the person (progress, what went wrong, what was applied). */
    message: string;
    /** Changes rejected so far in this proposal, for follow-ups. */
    turnedDown: readonly TurnedDown[];
    /** Regions accepted so far in this proposal. */
    acceptedCount: number;
}

/** A region where it stands now. */
export interface PlacedRegion extends BaseRegion {
    /** Start in the document now. */
    docFrom: number;
    /** End in the document now (at least `docFrom`). */
    docTo: number;
    /** Something changed in it since the proposal was made: it can only be dismissed. */
    stale: boolean;
}

/** Opens the prompt on `[from, to)`, the passage to rewrite. */
export const openProposal = StateEffect.define<{ from: number; to: number; message?: string }>();
/** New regions (base offsets) and/or a new phase and message. */
export const updateProposal = StateEffect.define<{
    regions?: readonly WordRegion[];
    phase?: InlinePhase;
    message?: string;
}>();
/** The person accepted (its change is in the same transaction) or rejected a region. */
export const decideRegion = StateEffect.define<{ id: number; decision: 'accepted' | 'rejected' }>();
/** A follow-up: the passage as it stands now becomes the new base; undecided regions are dropped. */
export const rebaseProposal = StateEffect.define<{ message?: string }>();
/** Closes the proposal (undecided regions are dropped, nothing is written). */
export const closeProposal = StateEffect.define<null>();

/** The state field; `null` when no proposal is open. */
export const inlineProposalField = StateField.define<InlineProposal | null>({
    create: () => null,
    update(value, tr) {
        let next = value;
        if (next !== null && tr.docChanged) next = { ...next, since: next.since.composeDesc(tr.changes.desc) };
        for (const effect of tr.effects) {
            if (effect.is(openProposal)) {
                const { from, to } = effect.value;
                next = fresh(tr.state, from, to, 'prompt', effect.value.message ?? '');
            } else if (next === null) {
                continue;
            } else if (effect.is(updateProposal)) {
                const { regions, phase, message } = effect.value;
                next = {
                    ...next,
                    ...(regions !== undefined ? { regions: regions.map(baseRegion) } : {}),
                    ...(phase !== undefined ? { phase } : {}),
                    ...(message !== undefined ? { message } : {}),
                };
            } else if (effect.is(decideRegion)) {
                const { id, decision } = effect.value;
                const region = next.regions.find((r) => r.id === id);
                if (region === undefined) continue;
                next = {
                    ...next,
                    regions: next.regions.filter((r) => r.id !== id),
                    ...(decision === 'rejected'
                        ? { turnedDown: [...next.turnedDown, { removed: region.removed, inserted: region.inserted }] }
                        : { acceptedCount: next.acceptedCount + 1 }),
                };
            } else if (effect.is(rebaseProposal)) {
                const { from, to } = passageRange(next);
                next = {
                    ...fresh(tr.state, from, to, 'asking', effect.value.message ?? ''),
                    turnedDown: next.turnedDown,
                    acceptedCount: next.acceptedCount,
                };
            } else if (effect.is(closeProposal)) {
                next = null;
            }
        }
        return next;
    },
});

function fresh(state: EditorState, from: number, to: number, phase: InlinePhase, message: string): InlineProposal {
    return {
        baseFrom: from,
        baseText: state.doc.sliceString(from, to),
        since: ChangeSet.empty(state.doc.length).desc,
        regions: [],
        phase,
        message,
        turnedDown: [],
        acceptedCount: 0,
    };
}

function baseRegion(region: WordRegion): BaseRegion {
    return { id: region.index, from: region.from, to: region.to, removed: region.removed, inserted: region.inserted };
}

/** Where the passage stands now; text typed right at either end belongs to it. */
export function passageRange(proposal: InlineProposal): { from: number; to: number } {
    const from = proposal.since.mapPos(proposal.baseFrom, -1);
    const to = proposal.since.mapPos(proposal.baseFrom + proposal.baseText.length, 1);
    return { from, to: Math.max(from, to) };
}

/** Every undecided region where it stands now, in document order, stale ones marked. */
export function placedRegions(proposal: InlineProposal): PlacedRegion[] {
    const changed: [number, number][] = [];
    proposal.since.iterChangedRanges((fromA, toA) => changed.push([fromA, toA]));
    return proposal.regions.map((region) => {
        const from = proposal.baseFrom + region.from;
        const to = proposal.baseFrom + region.to;
        const docFrom = proposal.since.mapPos(from, 1);
        const docTo = Math.max(docFrom, proposal.since.mapPos(to, -1));
        return { ...region, docFrom, docTo, stale: changed.some(([a, b]) => touches(a, b, from, to)) };
    });
}

/**
 * Whether a change of `[a, b)` (a pure insertion when `a === b`) touches the region `[from, to)`: it overlaps it,
 * or inserts strictly inside it; for a region that only inserts (at `from`), a change at or across that point.
 * Typing right before or right after a region leaves it as it was.
 */
export function touches(a: number, b: number, from: number, to: number): boolean {
    if (from === to) return a <= from && b >= from;
    if (a === b) return a > from && a < to;
    return a < to && b > from;
}

/** The region to act on from the keyboard: the one the cursor is in, else the next after it, else the last. */
export function currentRegion(state: EditorState): PlacedRegion | null {
    const proposal = state.field(inlineProposalField, false) ?? null;
    if (proposal === null) return null;
    const placed = placedRegions(proposal);
    const head = state.selection.main.head;
    return (
        placed.find((r) => head >= r.docFrom && head <= r.docTo) ??
        placed.find((r) => r.docFrom >= head) ??
        placed.at(-1) ??
        null
    );
}
