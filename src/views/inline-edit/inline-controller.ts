/**
 * Drives inline proposals in CodeMirror 6 editors: opens the prompt at the selection (or the paragraph under the
 * cursor), asks through an `InlineEdit` (its own read-only chat), shows the rewrite as it streams (a preview diff at
 * most every `PREVIEW_EVERY_MS`, under a small time budget, so typing never waits), and turns the person's decisions
 * into writes through the change controller: an accepted region is one editor transaction, its own undo step.
 */
import { Transaction, type Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { changedPieces, pieceRegions, previewRegions, type WordRegion } from '../../agent/changes/inline-hunks';
import type { InlineEdit, InlineEditorPort } from '../../chat/inline-edit';
import type { InlineHandlers } from './inline-handlers';
import {
    closeProposal,
    decideRegion,
    inlineProposalField,
    openProposal,
    placedRegions,
    rebaseProposal,
    updateProposal,
    type InlineProposal,
    type PlacedRegion,
} from './inline-state';
import { inlineEditExtension } from './inline-view';

/** The streaming preview is redrawn at most this often. */
export const PREVIEW_EVERY_MS = 80;
/** Budget of one changed stretch's word diff; past it that stretch shows as replaced whole. */
const FINAL_DIFF_MS = 30;
/** The final diff yields to the editor after this much work. */
const SLICE_MS = 8;

/** Lets the browser run everything else waiting (input, drawing) before going on. */
function nextTask(): Promise<void> {
    return new Promise((resolve) => window.setTimeout(resolve, 0));
}

/** What the controller needs from its host. */
export interface InlineControllerOptions {
    /** The vault path of the note in `view`, or `null` when the editor shows no note. */
    pathOf(view: EditorView): string | null;
    /** A fresh inline edit (its own chat) for the note at `path`. */
    newEdit(path: string): InlineEdit;
    /** The custom commands to offer in the prompt. */
    commands?(): readonly { name: string; description: string }[];
    /** Shows the chat of `chatId` in the sidebar. */
    openChat?(chatId: string): void;
}

/** One editor's proposal in progress. */
interface Session {
    path: string;
    edit: InlineEdit | null;
    /** Bumped by every request and close, so an answer that arrives late is dropped. */
    generation: number;
    running: boolean;
    preview: { partial: string; timer: number | null };
}

/** The inline-edit controller for every editor of the host. */
export class InlineEditController implements InlineHandlers {
    private readonly options: InlineControllerOptions;
    private readonly sessions = new WeakMap<EditorView, Session>();

    constructor(options: InlineControllerOptions) {
        this.options = options;
    }

    /** The editor extension to register (state, decorations, panel, keys). */
    extension(): Extension {
        return inlineEditExtension(this);
    }

    /**
     * Opens the prompt on the selection, or on the paragraph under the cursor. Resolves `false` (and opens nothing)
     * when the editor shows no note or the cursor is on a blank line.
     */
    start(view: EditorView): boolean {
        const path = this.options.pathOf(view);
        if (path === null) return false;
        const range = passageAt(view);
        if (range === null) return false;
        this.drop(view);
        this.sessions.set(view, {
            path,
            edit: null,
            generation: 0,
            running: false,
            preview: { partial: '', timer: null },
        });
        view.dispatch({ effects: openProposal.of(range) });
        return true;
    }

    /** Whether a proposal (or its prompt) is open in `view`. */
    isOpen(view: EditorView): boolean {
        return proposalOf(view) !== null;
    }

    ask(view: EditorView, instruction: string): void {
        void this.request(view, instruction);
    }

    commands(): readonly { name: string; description: string }[] {
        return this.options.commands?.() ?? [];
    }

    openChat(view: EditorView): void {
        const edit = this.sessions.get(view)?.edit;
        if (edit !== undefined && edit !== null) this.options.openChat?.(edit.chat.record.id);
    }

    accept(view: EditorView, id: number): void {
        void this.write(view, [id]);
    }

    acceptAll(view: EditorView): void {
        const proposal = proposalOf(view);
        if (proposal === null) return;
        void this.write(
            view,
            placedRegions(proposal)
                .filter((r) => !r.stale)
                .map((r) => r.id),
        );
    }

    reject(view: EditorView, id: number): void {
        const proposal = proposalOf(view);
        const region = proposal === null ? undefined : placedRegions(proposal).find((r) => r.id === id);
        if (region === undefined) return;
        view.dispatch({ effects: decideRegion.of({ id, decision: 'rejected' }) });
        void this.sessions
            .get(view)
            ?.edit?.record(`${region.stale ? 'Dismissed' : 'Rejected'} in the editor: ${describe([region])}.`);
    }

    rejectAll(view: EditorView): void {
        const proposal = proposalOf(view);
        if (proposal === null) return;
        const placed = placedRegions(proposal);
        if (placed.length === 0) return;
        view.dispatch({ effects: placed.map((r) => decideRegion.of({ id: r.id, decision: 'rejected' })) });
        void this.sessions.get(view)?.edit?.record(`Rejected in the editor: ${describe(placed)}.`);
    }

    close(view: EditorView): void {
        const session = this.sessions.get(view);
        const proposal = proposalOf(view);
        if (session?.running === true) {
            session.edit?.stop();
            session.generation++;
            session.running = false;
            this.clearPreview(session);
            view.dispatch({ effects: updateProposal.of({ phase: 'failed', regions: [], message: 'Stopped.' }) });
            return;
        }
        const left = proposal === null ? 0 : proposal.regions.length;
        if (left > 0)
            void session?.edit?.record(
                `Closed the proposal with ${left} change(s) undecided; nothing more was written.`,
            );
        this.drop(view);
        if (proposal !== null) view.dispatch({ effects: closeProposal.of(null) });
    }

    private drop(view: EditorView): void {
        const session = this.sessions.get(view);
        if (session === undefined) return;
        if (session.running) session.edit?.stop();
        session.generation++;
        this.clearPreview(session);
        this.sessions.delete(view);
    }

    private async request(view: EditorView, instruction: string): Promise<void> {
        const session = this.sessions.get(view);
        let proposal = proposalOf(view);
        if (session === undefined || proposal === null || session.running) return;
        const followUp = session.edit !== null;
        // A follow-up rewrites the passage as it stands now: accepted regions and the person's own edits are in it.
        view.dispatch({
            effects: followUp
                ? rebaseProposal.of({ message: '' })
                : updateProposal.of({ phase: 'asking', regions: [], message: '' }),
        });
        proposal = proposalOf(view);
        if (proposal === null) return;
        const edit = session.edit ?? (session.edit = this.options.newEdit(session.path));
        const generation = ++session.generation;
        const base = proposal.baseText;
        const turnedDown = proposal.turnedDown;
        session.running = true;
        const answer = await edit.ask(
            { path: session.path, passage: base, instruction, followUp, turnedDown },
            (partial) => this.schedulePreview(view, session, generation, base, partial),
        );
        // The chat's end of turn (history, saving) ran in this task: the diff and the redraw get tasks of their own.
        await nextTask();
        if (session.generation !== generation) return;
        this.clearPreview(session);
        if (!answer.ok) {
            session.running = false;
            view.dispatch({ effects: updateProposal.of({ phase: 'failed', regions: [], message: answer.message }) });
            return;
        }
        const found: WordRegion[] = [];
        let slice = performance.now();
        for (const piece of changedPieces(base, answer.text)) {
            found.push(...pieceRegions(piece, found.length, FINAL_DIFF_MS));
            if (performance.now() - slice > SLICE_MS) {
                await nextTask();
                if (session.generation !== generation) return;
                slice = performance.now();
            }
        }
        session.running = false;
        const regions = withoutTurnedDown(found, turnedDown);
        view.dispatch({
            effects: updateProposal.of({
                phase: 'ready',
                regions,
                message: regions.length === 0 ? 'The agent proposes no change to this passage.' : '',
            }),
        });
    }

    private schedulePreview(
        view: EditorView,
        session: Session,
        generation: number,
        base: string,
        partial: string,
    ): void {
        session.preview.partial = partial;
        if (session.preview.timer !== null) return;
        session.preview.timer = window.setTimeout(() => {
            session.preview.timer = null;
            if (session.generation !== generation || !session.running) return;
            const regions = previewRegions(base, session.preview.partial);
            view.dispatch({ effects: updateProposal.of({ phase: 'streaming', regions }) });
        }, PREVIEW_EVERY_MS);
    }

    private clearPreview(session: Session): void {
        if (session.preview.timer !== null) window.clearTimeout(session.preview.timer);
        session.preview.timer = null;
    }

    /** Writes the regions `ids` (in one change, one undo step) through the change controller. */
    private async write(view: EditorView, ids: number[]): Promise<void> {
        const session = this.sessions.get(view);
        const proposal = proposalOf(view);
        if (session?.edit === null || session === undefined || proposal === null || proposal.phase !== 'ready') return;
        const chosen = placedRegions(proposal).filter((r) => ids.includes(r.id) && !r.stale);
        if (chosen.length === 0) return;
        const base = view.state.doc.toString();
        let next = base;
        for (const region of [...chosen].sort((a, b) => b.docFrom - a.docFrom)) {
            next = next.slice(0, region.docFrom) + region.inserted + next.slice(region.docTo);
        }
        const port: InlineEditorPort = {
            text: () => view.state.doc.toString(),
            apply: async (path, from, to) => {
                if (path !== session.path) return false;
                if (view.state.doc.toString() !== from || to !== next) {
                    throw new Error('The note changed while the change was being written; nothing was written.');
                }
                view.dispatch({
                    changes: chosen.map((r) => ({ from: r.docFrom, to: r.docTo, insert: r.inserted })),
                    effects: chosen.map((r) => decideRegion.of({ id: r.id, decision: 'accepted' })),
                    annotations: [Transaction.userEvent.of('input.agent'), Transaction.addToHistory.of(true)],
                });
                return true;
            },
        };
        const outcome = await session.edit.accept(session.path, base, next, describe(chosen), port);
        if (!outcome.applied) view.dispatch({ effects: updateProposal.of({ message: outcome.message }) });
    }
}

function proposalOf(view: EditorView): InlineProposal | null {
    return view.state.field(inlineProposalField, false) ?? null;
}

/** The selection, or the paragraph under the cursor (lines up to the blank ones around it); `null` on a blank line. */
export function passageAt(view: EditorView): { from: number; to: number } | null {
    const { state } = view;
    const main = state.selection.main;
    if (!main.empty) return { from: main.from, to: main.to };
    const doc = state.doc;
    let first = doc.lineAt(main.head);
    if (first.text.trim() === '') return null;
    let last = first;
    while (first.number > 1 && doc.line(first.number - 1).text.trim() !== '') first = doc.line(first.number - 1);
    while (last.number < doc.lines && doc.line(last.number + 1).text.trim() !== '') last = doc.line(last.number + 1);
    return { from: first.from, to: last.to };
}

/** A follow-up's regions without the changes the person already rejected. */
function withoutTurnedDown(regions: WordRegion[], turnedDown: InlineProposal['turnedDown']): WordRegion[] {
    return regions
        .filter((r) => !turnedDown.some((t) => t.removed === r.removed && t.inserted === r.inserted))
        .map((r, index) => ({ ...r, index }));
}

/** The regions in words for the transcript: `"old" → "new"`, each shortened. */
function describe(regions: readonly PlacedRegion[]): string {
    const short = (text: string): string => {
        const flat = text.replace(/\s+/g, ' ').trim();
        return flat.length > 60 ? `${flat.slice(0, 59)}…` : flat;
    };
    const parts = regions.slice(0, 5).map((r) => `"${short(r.removed)}" → "${short(r.inserted)}"`);
    if (regions.length > 5) parts.push(`and ${regions.length - 5} more`);
    return parts.join(', ');
}
