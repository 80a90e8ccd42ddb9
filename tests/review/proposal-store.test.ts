import { afterEach, describe, expect, it } from 'vitest';
import { buildProposal } from '../../src/agent/changes/proposal';
import {
    applyProposal,
    decisionFromVerdicts,
    openProposal,
    rejectProposal,
    undoProposal,
} from '../../src/review/proposal-review';
import { snapshot } from '../agent/changes/fixtures';
import { makeReviewHarness, PROPOSALS, TIDY, type ReviewHarness } from './review-harness';

const MEETING = ['# Monday', 'see Project X', '', 'a', 'b', 'c', 'd', 'e', 'f', 'g', '', 'see Project Y', ''].join(
    '\n',
);
const LINKED = MEETING.replace('see Project X', 'see [[Project X]]').replace('see Project Y', 'see [[Project Y]]');

let h: ReviewHarness | null = null;
afterEach(async () => {
    await h?.temp.cleanup();
    h = null;
});

async function harness(files: Record<string, string> = { 'Meetings/Monday.md': MEETING }): Promise<ReviewHarness> {
    h = await makeReviewHarness(files);
    return h;
}

/** Opens the only pending proposal and returns it ready. */
async function openOnly(t: ReviewHarness) {
    const [entry] = await t.store.pending();
    const opened = await openProposal(t.review, entry?.id ?? '');
    if (opened.state !== 'ready') throw new Error(`not ready: ${opened.state}`);
    return opened;
}

describe('the review inbox store', () => {
    it('records a propose-mode edit as a proposal in the proposals folder and leaves the note untouched', async () => {
        const t = await harness();
        const before = await snapshot(t.temp.root);
        const outcome = await t.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
        expect(outcome).toMatchObject({ applied: false, changed: [] });
        expect(outcome.proposed?.merged).toBe(false);
        expect(outcome.message).toContain('Proposed, not applied');
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        const after = await snapshot(t.temp.root);
        const added = Object.keys(after).filter((path) => !(path in before));
        expect(added).toEqual([`${PROPOSALS}/${outcome.proposed?.id}.md`]);
        const inbox = await t.reopen().list();
        expect(inbox.count).toBe(1);
        expect(inbox.groups[0]?.origin).toEqual(TIDY);
        expect(inbox.groups[0]?.notes[0]).toMatchObject({ path: 'Meetings/Monday.md' });
        expect(inbox.groups[0]?.notes[0]?.entries[0]).toMatchObject({ kind: 'edit', hunks: 2, seen: 1 });
    });

    it('applies the accepted hunks through the change controller, checkpoints them, and undoes them', async () => {
        const t = await harness();
        await t.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
        const opened = await openOnly(t);
        expect(opened.stale).toBe(false);
        expect(opened.change.hunks).toHaveLength(2);
        const result = await applyProposal(t.review, opened.proposal.id, {
            kind: 'approve-hunks',
            binding: opened.change.binding,
            hunks: [1],
        });
        expect(result.status).toBe('applied');
        const partly = MEETING.replace('see Project Y', 'see [[Project Y]]');
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(partly);
        expect(await t.store.pending()).toEqual([]);
        expect((await openProposal(t.review, opened.proposal.id)).state).toBe('decided');
        const report = await undoProposal(t.review, opened.proposal.id);
        expect(report?.restored).toHaveLength(1);
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        expect((await t.store.pending()).map((entry) => entry.id)).toEqual([opened.proposal.id]);
    });

    it('applies only a decision that names the version shown, and a rejection never touches the note', async () => {
        const t = await harness();
        await t.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
        const opened = await openOnly(t);
        const wrong = await applyProposal(t.review, opened.proposal.id, { kind: 'approve', binding: 'f'.repeat(64) });
        expect(wrong.status).toBe('moved-on');
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        expect(await rejectProposal(t.review, opened.proposal.id)).toBe(true);
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        expect(await t.store.pending()).toEqual([]);
    });

    it('re-diffs a stale note: applies the hunks that still fit, reports the rest, never overwrites', async () => {
        const t = await harness();
        await t.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
        // The person edits the first line the proposal's first hunk depends on, after it was proposed.
        const mine = MEETING.replace('see Project X', 'see Project X (moved to Tuesday)');
        await t.temp.vault.process('Meetings/Monday.md', () => mine);
        const opened = await openOnly(t);
        expect(opened.stale).toBe(true);
        expect(opened.conflicts.map((hunk) => hunk.index)).toEqual([0]);
        expect(opened.change.hunks).toHaveLength(1);
        expect(opened.storedHunks).toEqual([1]);
        // Decided per hunk, kept in the proposal, then turned into the decision.
        await t.store.decide(opened.proposal.id, 1, 'accept');
        const again = await openOnly(t);
        const result = await applyProposal(t.review, again.proposal.id, decisionFromVerdicts(again));
        expect(result).toMatchObject({ status: 'applied' });
        expect(result.status === 'applied' ? result.conflicts.map((hunk) => hunk.index) : null).toEqual([0]);
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(
            mine.replace('see Project Y', 'see [[Project Y]]'),
        );
    });

    it('applies proposed creates, renames and deletes, and refuses a create whose note now exists', async () => {
        const t = await harness({ 'Old.md': 'old text\n', 'Gone.md': 'bye\n' });
        await t.propose({ kind: 'create', path: 'Notes/New.md', base: null, proposed: 'fresh\n' });
        await t.propose({
            kind: 'rename',
            path: 'Old.md',
            newPath: 'Archive/Old.md',
            base: 'old text\n',
            proposed: null,
        });
        await t.propose({ kind: 'delete', path: 'Gone.md', base: 'bye\n', proposed: null });
        expect(t.temp.exists('Notes/New.md') || t.temp.exists('Archive/Old.md') || !t.temp.exists('Gone.md')).toBe(
            false,
        );
        for (const entry of await t.store.pending()) {
            const opened = await openProposal(t.review, entry.id);
            if (opened.state !== 'ready') throw new Error(opened.state);
            const result = await applyProposal(t.review, entry.id, { kind: 'approve', binding: opened.change.binding });
            expect(result.status, entry.kind).toBe('applied');
        }
        expect(t.temp.readRaw('Notes/New.md').toString()).toBe('fresh\n');
        expect(t.temp.readRaw('Archive/Old.md').toString()).toBe('old text\n');
        expect(t.temp.exists('Old.md') || t.temp.exists('Gone.md')).toBe(false);

        await t.propose({ kind: 'create', path: 'Notes/Taken.md', base: null, proposed: 'agent\n' });
        await t.temp.vault.create('Notes/Taken.md', 'mine\n');
        const [taken] = await t.store.pending();
        expect(await openProposal(t.review, taken?.id ?? '')).toMatchObject({ state: 'conflict' });
        expect(t.temp.readRaw('Notes/Taken.md').toString()).toBe('mine\n');
    });
});

describe('privacy of proposals', () => {
    it('withholds a proposal whose note was made private before review, and says so', async () => {
        const t = await harness();
        const outcome = await t.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
        const id = outcome.proposed?.id ?? '';
        await t.temp.vault.process('Meetings/Monday.md', (text) => `${text}#private\n`);
        const [entry] = await t.store.pending();
        expect(entry?.withheld).toContain('withheld');
        expect(entry).not.toHaveProperty('reason');
        expect(entry?.hunks).toBe(0);
        const read = await t.store.get(id);
        expect(read.state).toBe('withheld');
        expect(JSON.stringify(read)).not.toContain('Project');
        const opened = await openProposal(t.review, id);
        expect(opened.state).toBe('withheld');
        expect(JSON.stringify(opened)).not.toContain('Project');
        const applied = await applyProposal(t.review, id, { kind: 'approve', binding: 'x' });
        expect(applied.status).toBe('not-ready');
        expect(t.temp.readRaw('Meetings/Monday.md').toString()).toBe(`${MEETING}#private\n`);
    });

    it('never keeps text of an excluded note, nor text that would make a note excluded', async () => {
        const t = await harness({ 'Journal/Day.md': 'dear diary\n', 'Open.md': 'open\n' });
        const journal = await t.store.add(
            buildProposal({ kind: 'edit', path: 'Journal/Day.md', base: 'dear diary\n', proposed: 'dear diary!\n' }),
            TIDY,
        );
        expect(journal).toMatchObject({ recorded: false });
        const tagging = await t.propose({ kind: 'edit', path: 'Open.md', base: 'open\n', proposed: 'open #private\n' });
        expect(tagging).toMatchObject({ applied: false, refusal: 'not-proposed' });
        const kept = (await t.temp.vault.list()).filter((file) => file.path.startsWith(`${PROPOSALS}/`));
        expect(kept).toEqual([]);
    });
});

describe('bounds', () => {
    it('caps the pending proposals of one job and merges a duplicate hunk into the one waiting', async () => {
        const files: Record<string, string> = {};
        for (let i = 0; i < 4; i++) files[`N${i}.md`] = `note ${i}\n`;
        const t = await harness(files);
        const edit = (i: number) => ({
            kind: 'edit' as const,
            path: `N${i}.md`,
            base: `note ${i}\n`,
            proposed: `Note ${i}\n`,
        });
        const first = await t.propose(edit(0), TIDY, 2);
        const duplicate = await t.propose(edit(0), TIDY, 2);
        expect(duplicate.proposed).toEqual({ id: first.proposed?.id, merged: true });
        expect((await t.propose(edit(1), TIDY, 2)).proposed?.merged).toBe(false);
        const over = await t.propose(edit(2), TIDY, 2);
        expect(over).toMatchObject({ applied: false, refusal: 'not-proposed' });
        expect(over.message).toContain('limit of 2');
        // Another origin has its own cap.
        const other = await t.propose(edit(3), { kind: 'mcp', id: 'claude-code', title: 'MCP client claude-code' }, 2);
        expect(other.proposed?.merged).toBe(false);
        const pending = await t.store.pending();
        expect(pending).toHaveLength(3);
        expect(pending.find((entry) => entry.id === first.proposed?.id)?.seen).toBe(2);
    });
});
