/**
 * Reviewing one proposal: opening it against the note as it is now, and applying what the person decided through
 * the same ChangeController as the chat (path safety, exclusions, the stale check, the atomic write, the read-back,
 * the checkpoint for undo). A note that changed since the proposal was made is re-based hunk by hunk: what still
 * applies cleanly is shown and can be applied, the rest is reported, and the person's newer text is never
 * overwritten. Only a decision naming the exact version shown (its binding) applies anything.
 */
import type { Decision, ApprovalGate } from '../agent/changes/approval';
import { ChangeController, type ChangeOutcome } from '../agent/changes/change-controller';
import type { OpenNoteEditors } from '../agent/changes/change-ports';
import type { CheckpointStore, UndoReport } from '../agent/changes/checkpoints';
import { applySelectedHunks, locateHunkIn, splitLines, type Hunk } from '../agent/changes/hunks';
import { buildProposal, ProposalError, type ChangeProposal } from '../agent/changes/proposal';
import { sha256Utf16Hex } from '../agent/changes/sha256';
import { readState } from '../agent/changes/undo';
import type { ExclusionGate } from '../context/exclusions';
import type { VaultPort } from '../kernel/vault-port';
import type { StoredProposal } from './proposal-file';
import { withheldText, type InboxEntry } from './proposal-inbox';
import type { ProposalStore } from './proposal-store';

/** What reviewing needs (built once in the composition root). */
export interface ReviewServices {
    /** The proposals. */
    store: ProposalStore;
    /** The vault. */
    vault: VaultPort;
    /** The exclusion gate as it is now. */
    gate: () => ExclusionGate;
    /** Where applied changes are recorded for undo. */
    checkpoints: CheckpointStore;
    /** The jobs folder as the settings name it now (protected from every write, with the proposals folder). */
    jobsFolder: () => string;
    /** The open notes' editors (Obsidian only). */
    editors?: OpenNoteEditors;
}

/** A proposal opened for review. */
export type OpenedProposal =
    | { state: 'missing' }
    /** The note is excluded now: nothing of the proposal is shown. */
    | { state: 'withheld'; entry: InboxEntry; why: string }
    /** Already applied or rejected. */
    | { state: 'decided'; entry: InboxEntry; proposal: StoredProposal }
    /** Nothing of it can be applied any more (the note is gone, the target is taken, no hunk fits): why. */
    | { state: 'conflict'; entry: InboxEntry; proposal: StoredProposal; why: string; conflicts: Hunk[] }
    | {
          state: 'ready';
          entry: InboxEntry;
          proposal: StoredProposal;
          /** The change against the note as it is now: what the approval card shows; a decision names its binding. */
          change: ChangeProposal;
          /** True when the note changed since the proposal was made (the change was re-based). */
          stale: boolean;
          /** For each of `change.hunks`, the stored hunk it is (for per-hunk verdicts kept in the proposal). */
          storedHunks: number[];
          /** Stored hunks that no longer apply to the note as it is now (not part of `change`). */
          conflicts: Hunk[];
      };

/** What applying (or rejecting) came to. */
export type ReviewOutcome =
    | { status: 'applied'; outcome: ChangeOutcome; turnId: string; conflicts: Hunk[] }
    | { status: 'rejected' }
    /** The note moved on since the version the decision names: open it again and decide on what is there now. */
    | { status: 'moved-on' }
    /** The proposal cannot be applied as it stands (missing, withheld, decided, conflicting). */
    | { status: 'not-ready'; opened: OpenedProposal }
    /** The ChangeController did not write it (its outcome says why, in words). */
    | { status: 'not-applied'; outcome: ChangeOutcome };

/** Opens proposal `id` against the note as it is now. */
export async function openProposal(services: ReviewServices, id: string): Promise<OpenedProposal> {
    const read = await services.store.get(id);
    if (read.state !== 'ok') return read;
    const { proposal, entry } = read;
    if (proposal.status !== 'pending') return { state: 'decided', entry, proposal };
    const conflict = (why: string, conflicts: Hunk[] = []): OpenedProposal => ({
        state: 'conflict',
        entry,
        proposal,
        why,
        conflicts,
    });
    const { vault } = services;
    if (proposal.kind === 'create') {
        if ((await vault.stat(proposal.path)) !== null) return conflict(`a note now exists at "${proposal.path}"`);
        const placed = placeHunks('', proposal.hunks, true);
        if (placed.conflicts.length > 0) return conflict('its text does not read as a new note', placed.conflicts);
        const content = applySelectedHunks(
            '',
            placed.hunks,
            placed.hunks.map((hunk) => hunk.index),
        );
        const change = build({ kind: 'create', path: proposal.path, base: null, proposed: content }, proposal);
        if (change === null) return conflict('it is empty');
        return { state: 'ready', entry, proposal, change, stale: false, storedHunks: indices(change), conflicts: [] };
    }
    const current = await readState(vault, proposal.path);
    if (current === null) return conflict(`"${proposal.path}" no longer exists`);
    const verdict = services.gate().checkText(proposal.path, current);
    if (verdict.excluded) {
        return { state: 'withheld', entry: { ...entry, hunks: 0, decided: 0 }, why: withheldText(proposal.path) };
    }
    const stale = sha256Utf16Hex(current) !== proposal.baseHash;
    if (proposal.kind === 'rename' || proposal.kind === 'delete') {
        const target = proposal.newPath;
        if (target !== undefined && (await vault.stat(target)) !== null) {
            return conflict(`a note now exists at "${target}"`);
        }
        const change = build(
            { kind: proposal.kind, path: proposal.path, newPath: target, base: current, proposed: null },
            proposal,
        );
        if (change === null) return conflict('it no longer fits the note');
        return { state: 'ready', entry, proposal, change, stale, storedHunks: [], conflicts: [] };
    }
    const placed = placeHunks(current, proposal.hunks, !stale);
    if (placed.hunks.length === 0) return conflict('none of its changes fits the note now', placed.conflicts);
    const proposed = applySelectedHunks(
        current,
        placed.hunks,
        placed.hunks.map((hunk) => hunk.index),
    );
    const built = build({ kind: 'edit', path: proposal.path, base: current, proposed }, proposal);
    if (built === null) return conflict('the note already reads as proposed', placed.conflicts);
    const change: ChangeProposal = { ...built, hunks: placed.hunks };
    return { state: 'ready', entry, proposal, change, stale, storedHunks: placed.stored, conflicts: placed.conflicts };
}

/** A proposal opened and ready to be decided on. */
export type ReadyProposal = Extract<OpenedProposal, { state: 'ready' }>;

/**
 * Applies a proposal as the person decided (`decision` names the binding of the change shown): through a
 * ChangeController whose only approval is that decision, so nothing else can ever be applied, and which checks the
 * note against the version shown (a note that moved on since is never overwritten). `target` is the proposal the
 * view opened (`openProposal`), or its id to open it now. A denial rejects the proposal.
 */
export async function applyProposal(
    services: ReviewServices,
    target: string | ReadyProposal,
    decision: Decision,
): Promise<ReviewOutcome> {
    const opened = typeof target === 'string' ? await openProposal(services, target) : target;
    if (opened.state !== 'ready') return { status: 'not-ready', opened };
    const id = opened.proposal.id;
    if (decision.kind === 'deny') {
        await services.store.mark(id, 'rejected');
        return { status: 'rejected' };
    }
    if (decision.binding !== opened.change.binding) return { status: 'moved-on' };
    let movedOn = false;
    const decided: ApprovalGate = {
        request: (shown) => {
            if (shown.binding === decision.binding) return Promise.resolve(decision);
            movedOn = true;
            return Promise.resolve({ kind: 'deny', reason: 'The note changed meanwhile.' });
        },
    };
    const turnId = reviewTurnId(id);
    const controller = new ChangeController({
        vault: services.vault,
        gate: services.gate(),
        approvals: decided,
        mode: 'ask',
        checkpoints: services.checkpoints,
        jobsFolder: services.jobsFolder(),
        ...(services.editors !== undefined ? { editors: services.editors } : {}),
    });
    const outcome = await controller.submit(opened.change, { turnId });
    if (outcome.applied) {
        // Marked applied only after the note is written (a crash in between leaves it pending, never lost); the
        // store's readers wait for the mark, so nothing lists it as pending meanwhile.
        services.store.markSoon(id, 'applied', turnId);
        return { status: 'applied', outcome, turnId, conflicts: opened.conflicts };
    }
    return movedOn ? { status: 'moved-on' } : { status: 'not-applied', outcome };
}

/** The checkpoint group applying proposal `id` records its change under. */
function reviewTurnId(id: string): string {
    return `review-${id}`;
}

/** Rejects proposal `id` without touching the note. False when there is no such pending proposal. */
export async function rejectProposal(services: ReviewServices, id: string): Promise<boolean> {
    const read = await services.store.get(id);
    if (read.state === 'missing') return false;
    return (await services.store.mark(id, 'rejected')) !== null;
}

/** Undoes an applied proposal (only while the note is exactly as the change left it); it is pending again after. */
export async function undoProposal(services: ReviewServices, id: string): Promise<UndoReport | null> {
    const read = await services.store.get(id);
    // Only the change this proposal's own review applied: a file naming another turn never undoes that turn.
    if (read.state !== 'ok' || read.proposal.applied?.turnId !== reviewTurnId(id)) return null;
    const report = await services.checkpoints.undo(reviewTurnId(id));
    if (report.restored.length > 0 && report.notRestored.length === 0) await services.store.mark(id, 'pending');
    return report;
}

/**
 * The person's per-hunk verdicts kept in the proposal, as a decision on the opened change: every hunk accepted is an
 * approval, none accepted a denial, some an approval of those hunks. Undecided hunks count as not accepted.
 */
export function decisionFromVerdicts(opened: ReadyProposal): Decision {
    const { change, proposal, storedHunks } = opened;
    if (change.hunks.length === 0) {
        return proposal.verdicts['0'] === 'accept'
            ? { kind: 'approve', binding: change.binding }
            : { kind: 'deny', reason: 'not accepted' };
    }
    const accepted = change.hunks
        .filter((hunk) => proposal.verdicts[String(storedHunks[hunk.index])] === 'accept')
        .map((hunk) => hunk.index);
    if (accepted.length === 0) return { kind: 'deny', reason: 'not accepted' };
    if (accepted.length === change.hunks.length) return { kind: 'approve', binding: change.binding };
    return { kind: 'approve-hunks', binding: change.binding, hunks: accepted };
}

/**
 * The stored hunks placed on `current`: where the note is still the proposal's base, at their own lines (where their
 * old side must stand, whoever wrote the file); otherwise each where its exact old side (context included) occurs
 * exactly once, skipping any that would overlap one placed before. Placed hunks get the positions and indices of the
 * current text.
 */
function placeHunks(
    current: string,
    hunks: readonly Hunk[],
    atBase: boolean,
): { hunks: Hunk[]; stored: number[]; conflicts: Hunk[] } {
    const lines = splitLines(current);
    const spots: { hunk: Hunk; at: number }[] = [];
    const conflicts: Hunk[] = [];
    for (const hunk of hunks) {
        const at = atBase ? atOwnLines(lines, hunk) : locateHunkIn(lines, hunk);
        const overlaps =
            at !== null && spots.some((spot) => at < spot.at + spot.hunk.oldLines && spot.at < at + hunk.oldLines);
        if (at === null || overlaps || (!atBase && hunk.oldLines === 0)) conflicts.push(hunk);
        else spots.push({ hunk, at });
    }
    spots.sort((a, b) => a.at - b.at);
    let shift = 0;
    const placed = spots.map(({ hunk, at }, index) => {
        const oldStart = hunk.oldLines === 0 ? at : at + 1;
        const moved: Hunk = { ...hunk, index, oldStart, newStart: oldStart + shift };
        shift += hunk.newLines - hunk.oldLines;
        return moved;
    });
    return { hunks: placed, stored: spots.map((spot) => spot.hunk.index), conflicts };
}

/** Where `hunk` stands in `lines` (the text it was made from): at its own lines, if its old side is there. */
function atOwnLines(lines: readonly string[], hunk: Hunk): number | null {
    const at = hunk.oldLines === 0 ? hunk.oldStart : hunk.oldStart - 1;
    return at <= lines.length && lines.slice(at, at + hunk.oldLines).join('') === hunk.oldText ? at : null;
}

function build(
    input: Omit<Parameters<typeof buildProposal>[0], 'reason'>,
    proposal: StoredProposal,
): ChangeProposal | null {
    try {
        return buildProposal({ ...input, ...(proposal.reason !== undefined ? { reason: proposal.reason } : {}) });
    } catch (error) {
        if (error instanceof ProposalError) return null;
        throw error;
    }
}

function indices(change: ChangeProposal): number[] {
    return change.hunks.map((hunk) => hunk.index);
}
