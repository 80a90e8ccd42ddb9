/**
 * Block links for cited passages, over a real vault folder: the block a passage sits in gets an id at the end of its
 * last line through the change controller (approval card, checkpoint, undo), an id already there is reused, and the
 * edit is refused inside code fences, frontmatter and comments, for a passage no longer in the note, and for a note
 * that is (or became) excluded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { blockLinkEdit, linkPassageToBlock } from '../../../src/agent/citations/block-link';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { ExclusionGate } from '../../../src/context/exclusions';
import { makeTempVault, type TempVault } from '../../support/temp-vault';
import { MemoryCheckpointPersistence, ScriptedApprovalGate, snapshot, type ScriptedAnswer } from '../changes/fixtures';

const NOTE =
    '---\ntags: [memory]\nsummary: Sleep stops the decay\n---\n# Forgetting curve\n\n' +
    'Retention drops steeply\nwithin the first day.\n\n' +
    '- Spaced review flattens the curve.\n  It works best at growing gaps.\n  - A nested point stays its own block.\n\n' +
    'Sleep helps consolidation. ^sleep-1\n\n' +
    '```\nSleep stops the decay entirely.\n```\n\n' +
    '%%\nA hidden remark about cramming.\n%%\n\n' +
    '> A quoted line about recall.\n';

let temp: TempVault | undefined;

/** The message of a refusal; a result that is not one fails the test. */
function refusal(result: { ok: boolean; message?: string }): string {
    expect(result.ok).toBe(false);
    return result.message ?? '';
}

afterEach(async () => {
    await temp?.cleanup();
    temp = undefined;
});

async function setup(script: ScriptedAnswer[] = [], files: Record<string, string> = {}) {
    temp = await makeTempVault({ 'Research/Curve.md': NOTE, ...files });
    const vault = temp.vault;
    const gate = new ExclusionGate({ vault, privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] } });
    const approvals = new ScriptedApprovalGate(script);
    const checkpoints = new CheckpointStore({ vault, persistence: new MemoryCheckpointPersistence() });
    const link = (path: string, quote: string) =>
        linkPassageToBlock({ vault, gate, approvals, checkpoints }, { path, quote }, 'turn-block');
    return { temp, approvals, checkpoints, link };
}

describe('block links for cited passages', () => {
    it('adds a block id at the end of the paragraph, with the person’s approval, undoable', async () => {
        const { temp, approvals, checkpoints, link } = await setup();
        const result = await link('Research/Curve.md', 'Retention drops steeply within the first day');
        expect(result.ok).toBe(true);
        const id = result.ok ? result.id : '';
        expect(id).toMatch(/^[A-Za-z0-9-]+$/u);
        expect(approvals.requests).toHaveLength(1);
        expect(approvals.requests[0]?.proposal.kind).toBe('edit');
        const text = temp.readRaw('Research/Curve.md').toString();
        expect(text).toContain(`Retention drops steeply\nwithin the first day. ^${id}\n`);
        expect(text.replace(` ^${id}`, '')).toBe(NOTE);
        const report = await checkpoints.undo('turn-block');
        expect(report.restored).toHaveLength(1);
        expect(temp.readRaw('Research/Curve.md').toString()).toBe(NOTE);
    });

    it('puts the id after a list item’s last line, before its nested items', async () => {
        const { temp, link } = await setup();
        const result = await link('Research/Curve.md', 'Spaced review flattens the curve. It works best');
        const id = result.ok ? result.id : 'none';
        expect(temp.readRaw('Research/Curve.md').toString()).toContain(
            `  It works best at growing gaps. ^${id}\n  - A nested point stays its own block.\n`,
        );
    });

    it('reuses the id the block already has, without asking', async () => {
        const { temp, approvals, link } = await setup();
        const before = await snapshot(temp.root);
        expect(await link('Research/Curve.md', 'Sleep helps consolidation.')).toEqual({
            ok: true,
            id: 'sleep-1',
            message: 'Linked to Research/Curve.md#^sleep-1.',
        });
        expect(approvals.requests).toHaveLength(0);
        expect(await snapshot(temp.root)).toEqual(before);
    });

    it('refuses a passage inside a code fence, the frontmatter or a comment, and changes nothing', async () => {
        const { temp, approvals, link } = await setup();
        const before = await snapshot(temp.root);
        const code = await link('Research/Curve.md', 'Sleep stops the decay entirely.');
        expect(refusal(code)).toContain('a code block');
        const front = await link('Research/Curve.md', 'summary: Sleep stops the decay');
        expect(refusal(front)).toContain('the properties');
        const comment = await link('Research/Curve.md', 'A hidden remark about cramming.');
        expect(refusal(comment)).toContain('a comment');
        const quote = await link('Research/Curve.md', 'A quoted line about recall.');
        expect(refusal(quote)).toContain('a quote or table');
        expect(approvals.requests).toHaveLength(0);
        expect(await snapshot(temp.root)).toEqual(before);
    });

    it('reads comments as the parser does: opened mid-line, across blank lines, closed mid-line', async () => {
        const note =
            'Visible start %% a remark that opens mid-line\nand ends here %% then more text.\n\n' +
            'A paragraph %% whose comment\n\nspans a blank line before it closes %%\n\n' +
            'Plain text with %% an inline comment %% in it.\n\n' +
            '<!-- an HTML comment\nstill hidden --> Shown after it.\n';
        const { temp, approvals, link } = await setup([], { 'Research/Hidden.md': note });
        const before = await snapshot(temp.root);
        // The paragraph's last line closes the comment and goes on: an id at its end would be seen, yet the line
        // starts inside the comment, so the block counts as one (no id is placed where a comment may hide it).
        expect(refusal(await link('Research/Hidden.md', 'and ends here'))).toContain('a comment');
        // The comment opened on the paragraph's only line stays open past it: an id at its end would be hidden.
        expect(refusal(await link('Research/Hidden.md', 'A paragraph'))).toContain('a comment');
        // A line after a blank line, still inside that comment.
        expect(refusal(await link('Research/Hidden.md', 'spans a blank line'))).toContain('a comment');
        expect(refusal(await link('Research/Hidden.md', 'still hidden'))).toContain('a comment');
        expect(approvals.requests).toHaveLength(0);
        expect(await snapshot(temp.root)).toEqual(before);
        // A comment opened and closed on one line hides nothing at its end.
        const inline = blockLinkEdit(note, 'Plain text with', 'seed');
        expect(inline.ok).toBe(true);
        expect(inline.ok ? inline.text : '').toMatch(/in it\. \^[a-f0-9]{6}\n/u);
    });

    it('says so and changes nothing when the passage is no longer in the note', async () => {
        const { temp, approvals, link } = await setup();
        await temp.write('Research/Curve.md', NOTE.replace('Retention drops steeply', 'Memory fades'));
        const before = await snapshot(temp.root);
        const result = await link('Research/Curve.md', 'Retention drops steeply within the first day.');
        expect(refusal(result)).toContain('no longer in the note');
        expect(approvals.requests).toHaveLength(0);
        expect(await snapshot(temp.root)).toEqual(before);
    });

    it('refuses an excluded note, and one that became private while the card waited', async () => {
        const secret = 'Journal/Day.md';
        const { temp, approvals, link } = await setup(
            [
                async (proposal) => {
                    // The person tags the note #private before answering the card.
                    await temp.write('Research/Curve.md', `${NOTE}\n#private\n`);
                    return { kind: 'approve', binding: proposal.binding };
                },
            ],
            { [secret]: 'A private day about the first day.\n' },
        );
        const before = await snapshot(temp.root);
        const hidden = await link(secret, 'A private day');
        expect(refusal(hidden)).toMatch(/^Journal\/Day\.md is excluded \(.+\); nothing was changed\.$/u);
        expect(approvals.requests).toHaveLength(0);
        const became = await link('Research/Curve.md', 'Retention drops steeply within the first day.');
        expect(refusal(became)).toMatch(/^Research\/Curve\.md is excluded \(.+\); nothing was changed\.$/u);
        expect(temp.readRaw('Research/Curve.md').toString()).toBe(`${NOTE}\n#private\n`);
        expect(await snapshot(temp.root)).toEqual({
            ...before,
            'Research/Curve.md': Buffer.from(`${NOTE}\n#private\n`).toString('hex'),
        });
    });

    it('writes nothing when the person rejects the card, or edits the id away', async () => {
        const { temp, link } = await setup([
            { kind: 'deny' },
            (proposal) => ({ kind: 'approve-edited', binding: proposal.binding, content: `${NOTE}edited\n` }),
        ]);
        const rejected = await link('Research/Curve.md', 'Retention drops steeply');
        expect(rejected).toEqual({ ok: false, message: 'Rejected; nothing was changed.' });
        const edited = await link('Research/Curve.md', 'Retention drops steeply');
        expect(edited.ok).toBe(false);
        expect(temp.readRaw('Research/Curve.md').toString()).toBe(NOTE);
    });

    it('keeps new ids unique in the note and CRLF line ends intact', () => {
        const text = 'First para.\r\n\r\nSecond para.\r\n';
        const first = blockLinkEdit(text, 'First para.', 'seed');
        expect(first.ok).toBe(true);
        if (!first.ok) return;
        expect(first.text).toBe(`First para. ^${first.id}\r\n\r\nSecond para.\r\n`);
        const clash = blockLinkEdit(`Other. ^${first.id}\n\nFirst para.\n`, 'First para.', 'seed');
        expect(clash.ok && clash.id !== first.id).toBe(true);
        expect(refusal(blockLinkEdit(text, 'First para. Second para.', 'seed'))).toContain('spans several blocks');
    });
});
