/**
 * The inline proposal's anchoring and staleness, on a real CodeMirror 6 `EditorState` (no DOM needed): regions kept
 * in the passage's offsets and mapped through every change since, stale when a change touched them.
 */
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { wordRegions } from '../../src/agent/changes/inline-hunks';
import {
    closeProposal,
    currentRegion,
    decideRegion,
    inlineProposalField,
    openProposal,
    passageRange,
    placedRegions,
    rebaseProposal,
    touches,
    updateProposal,
} from '../../src/views/inline-edit/inline-state';

const NOTE = '# Title\n\nThe quick brown fox jumps over the lazy dog.\n\nLast line.\n';
const PASSAGE = 'The quick brown fox jumps over the lazy dog.';
const REWRITE = 'The fast brown fox leaps over the lazy dog.';

function opened(): EditorState {
    const at = NOTE.indexOf(PASSAGE);
    let state = EditorState.create({ doc: NOTE, extensions: [inlineProposalField] });
    state = state.update({ effects: openProposal.of({ from: at, to: at + PASSAGE.length }) }).state;
    return state.update({
        effects: updateProposal.of({ regions: wordRegions(PASSAGE, REWRITE), phase: 'ready' }),
    }).state;
}

function view(state: EditorState): { text: string; stale: boolean }[] {
    const proposal = state.field(inlineProposalField);
    if (proposal === null) return [];
    return placedRegions(proposal).map((r) => ({ text: state.sliceDoc(r.docFrom, r.docTo), stale: r.stale }));
}

describe('anchoring and staleness of the inline proposal', () => {
    it('places each region over the words it replaces', () => {
        expect(view(opened())).toEqual([
            { text: 'quick', stale: false },
            { text: 'jumps', stale: false },
        ]);
    });

    it('keeps regions anchored when the person types before, between or after them', () => {
        let state = opened();
        state = state.update({ changes: { from: 0, insert: 'Intro. ' } }).state;
        const fox = state.doc.toString().indexOf(' fox');
        state = state.update({ changes: { from: fox, insert: ' red' } }).state;
        state = state.update({ changes: { from: state.doc.length, insert: 'More.\n' } }).state;
        expect(view(state)).toEqual([
            { text: 'quick', stale: false },
            { text: 'jumps', stale: false },
        ]);
    });

    it('turns a region stale when the person types inside it or deletes across it, and only that region', () => {
        let state = opened();
        const inside = state.doc.toString().indexOf('uick');
        state = state.update({ changes: { from: inside, insert: 'x' } }).state;
        expect(view(state)).toEqual([
            { text: 'qxuick', stale: true },
            { text: 'jumps', stale: false },
        ]);
        const jumps = state.doc.toString().indexOf('fox jumps');
        state = state.update({ changes: { from: jumps, to: jumps + 'fox ju'.length } }).state;
        expect(view(state).map((r) => r.stale)).toEqual([true, true]);
    });

    it('typing right at a region’s edge leaves it as it was', () => {
        expect(touches(5, 5, 5, 10)).toBe(false);
        expect(touches(10, 10, 5, 10)).toBe(false);
        expect(touches(7, 7, 5, 10)).toBe(true);
        expect(touches(2, 6, 5, 10)).toBe(true);
        expect(touches(2, 5, 5, 10)).toBe(false);
        // A region that only inserts, at 5: a change at that point touches it.
        expect(touches(5, 5, 5, 5)).toBe(true);
        expect(touches(6, 6, 5, 5)).toBe(false);
    });

    it('removes a decided region and remembers a rejected one for follow-ups', () => {
        let state = opened();
        const [first, second] = placedRegions(state.field(inlineProposalField)!);
        state = state.update({
            changes: { from: first!.docFrom, to: first!.docTo, insert: first!.inserted },
            effects: decideRegion.of({ id: first!.id, decision: 'accepted' }),
        }).state;
        expect(view(state)).toEqual([{ text: 'jumps', stale: false }]);
        state = state.update({ effects: decideRegion.of({ id: second!.id, decision: 'rejected' }) }).state;
        const proposal = state.field(inlineProposalField)!;
        expect(proposal.regions).toEqual([]);
        expect(proposal.acceptedCount).toBe(1);
        expect(proposal.turnedDown).toEqual([{ removed: 'jumps', inserted: 'leaps' }]);
    });

    it('a follow-up takes the passage as it stands now as its base, keeping what was turned down', () => {
        let state = opened();
        state = state.update({ effects: decideRegion.of({ id: 1, decision: 'rejected' }) }).state;
        state = state.update({ changes: { from: 0, insert: 'Intro. ' } }).state;
        const fox = state.doc.toString().indexOf('brown');
        state = state.update({ changes: { from: fox, insert: 'very ' } }).state;
        state = state.update({ effects: rebaseProposal.of({}) }).state;
        const proposal = state.field(inlineProposalField)!;
        expect(proposal.baseText).toBe('The quick very brown fox jumps over the lazy dog.');
        expect(proposal.phase).toBe('asking');
        expect(proposal.regions).toEqual([]);
        expect(proposal.turnedDown).toEqual([{ removed: 'jumps', inserted: 'leaps' }]);
        const range = passageRange(proposal);
        expect(state.sliceDoc(range.from, range.to)).toBe(proposal.baseText);
    });

    it('acts from the keyboard on the region at the cursor, else the next one', () => {
        let state = opened();
        const jumps = state.doc.toString().indexOf('jumps');
        state = state.update({ selection: { anchor: jumps + 2 } }).state;
        expect(currentRegion(state)?.removed).toBe('jumps');
        state = state.update({ selection: { anchor: 0 } }).state;
        expect(currentRegion(state)?.removed).toBe('quick');
        state = state.update({ effects: closeProposal.of(null) }).state;
        expect(currentRegion(state)).toBeNull();
    });
});
