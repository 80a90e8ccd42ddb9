import { afterEach, describe, expect, it } from 'vitest';
import { buildProposal } from '../../../src/agent/changes/proposal';
import type { PermissionModeName } from '../../../src/kernel/permission-mode-name';
import { approveShown, makeHarness, numberedLines, snapshot, type Harness } from './fixtures';

let harness: Harness | undefined;
afterEach(async () => {
    await harness?.temp.cleanup();
    harness = undefined;
});

async function setup(options: Parameters<typeof makeHarness>[0]): Promise<Harness> {
    harness = await makeHarness(options);
    return harness;
}

const turn = { turnId: 'turn-1' };
const edit = (path: string, base: string, proposed: string, reason?: string) =>
    buildProposal({ kind: 'edit', path, base, proposed, reason });

describe('delegate scope (row 16)', () => {
    const files = { 'Notes/a.md': 'a\n', 'Agent/Outputs/old.md': 'old\n' };
    const refusedEverywhere = [
        buildProposal({ kind: 'create', path: 'Notes/new.md', base: null, proposed: 'x' }),
        buildProposal({ kind: 'create', path: 'Agent/OutputsElsewhere/new.md', base: null, proposed: 'x' }),
        buildProposal({ kind: 'create', path: 'Agent/Outputs', base: null, proposed: 'x' }),
        buildProposal({ kind: 'create', path: 'Agent/Outputs/../../Notes/x.md', base: null, proposed: 'x' }),
        buildProposal({ kind: 'edit', path: 'Notes/a.md', base: 'a\n', proposed: 'hijacked\n' }),
        buildProposal({ kind: 'edit', path: 'Agent/Outputs/old.md', base: 'old\n', proposed: 'new\n' }),
        buildProposal({
            kind: 'rename',
            path: 'Notes/a.md',
            newPath: 'Agent/Outputs/a.md',
            base: 'a\n',
            proposed: null,
        }),
        buildProposal({ kind: 'delete', path: 'Notes/a.md', base: 'a\n', proposed: null }),
    ];

    it('refuses every write but a new note inside the output folder, says so, and leaves the vault unchanged', async () => {
        const h = await setup({ files, mode: 'delegate', scope: { outputFolder: 'Agent/Outputs/' } });
        const before = await snapshot(h.temp.root);
        for (const proposal of refusedEverywhere) {
            const outcome = await h.controller.submit(proposal, { turnId: 'job-1' });
            expect(outcome.applied, proposal.path).toBe(false);
            expect(outcome.message).toMatch(/Nothing was (changed|written)|Paths must stay inside/);
        }
        expect(await snapshot(h.temp.root)).toEqual(before);
        expect(h.approvals.requests).toHaveLength(0);
        const ok = await h.controller.submit(
            buildProposal({ kind: 'create', path: 'Agent/Outputs/report.md', base: null, proposed: 'r\n' }),
            { turnId: 'job-1' },
        );
        expect(ok).toMatchObject({ applied: true, message: 'Created "Agent/Outputs/report.md".' });
        expect(h.approvals.requests).toHaveLength(0);
    });

    it('treats an unknown mode as read-only and read-only as refusing everything', async () => {
        for (const mode of ['yolo', 'read-only'] as PermissionModeName[]) {
            const h = await setup({ files, mode });
            const before = await snapshot(h.temp.root);
            for (const proposal of refusedEverywhere) {
                const outcome = await h.controller.submit(proposal, turn);
                expect(outcome.applied).toBe(false);
            }
            const create = buildProposal({ kind: 'create', path: 'Notes/ok.md', base: null, proposed: 'x' });
            expect((await h.controller.submit(create, turn)).message).toContain('read-only');
            expect(await snapshot(h.temp.root)).toEqual(before);
            await h.temp.cleanup();
        }
    });
});

describe('what is never offered for approval', () => {
    it('refuses writes to the config folder, .git and .trash in every mode without asking (row 9)', async () => {
        // A config folder with another name proves it is read from the vault, never assumed.
        const h = await setup({ files: { 'Settings Dir/app.json': '{}' }, mode: 'ask', configDir: 'Settings Dir' });
        const config = h.temp.vault.configDir;
        for (const path of [
            `${config}/app.json`,
            `${config}/plugins/vault-agent/state.json`,
            '.git/config',
            '.trash/x.md',
        ]) {
            const outcome = await h.controller.submit(
                buildProposal({ kind: 'create', path, base: null, proposed: 'x' }),
                turn,
            );
            expect(outcome.applied).toBe(false);
            expect(outcome.message).toContain('protected');
        }
        const rename = buildProposal({
            kind: 'rename',
            path: 'x.md',
            newPath: `${config}/x.md`,
            base: 'x',
            proposed: null,
        });
        expect((await h.controller.submit(rename, turn)).applied).toBe(false);
        expect(h.approvals.requests).toHaveLength(0);
        expect(h.temp.readRaw(`${config}/app.json`).toString()).toBe('{}');
    });

    it('answers "not found" for an excluded note exactly as for a missing one', async () => {
        const h = await setup({
            files: { 'Journal/d.md': 'secret\n', 'Health.md': '---\ntags: [Private/health]\n---\nsecret\n' },
            mode: 'ask',
        });
        const excludedFolder = await h.controller.submit(edit('Journal/d.md', 'secret\n', 'x'), turn);
        const excludedTag = await h.controller.submit(edit('Health.md', 'secret\n', 'x'), turn);
        const missing = await h.controller.submit(edit('Nope.md', 'secret\n', 'x'), turn);
        expect(excludedFolder.message).toBe('"Journal/d.md" was not found; nothing was changed.');
        expect(excludedTag.message).toBe('"Health.md" was not found; nothing was changed.');
        expect(missing.message).toBe('"Nope.md" was not found; nothing was changed.');
        const create = buildProposal({ kind: 'create', path: 'Journal/new.md', base: null, proposed: 'x' });
        expect((await h.controller.submit(create, turn)).applied).toBe(false);
        expect(h.approvals.requests).toHaveLength(0);
        expect(h.temp.exists('Journal/new.md')).toBe(false);
    });

    it('never overwrites an existing note with a create', async () => {
        const h = await setup({ files: { 'a.md': 'mine' }, mode: 'auto-edits' });
        const outcome = await h.controller.submit(
            buildProposal({ kind: 'create', path: 'a.md', base: null, proposed: 'x' }),
            turn,
        );
        expect(outcome.message).toContain('already exists');
        expect(h.temp.readRaw('a.md').toString()).toBe('mine');
    });
});

describe('partial and edited approvals', () => {
    it('applies exactly the hunks the person accepted', async () => {
        const base = numberedLines(40);
        const proposed = base.replace('line 2\n', 'two\n').replace('line 20\n', 'twenty\n').replace('line 38\n', 'x\n');
        const h = await setup({
            files: { 'a.md': base },
            mode: 'ask',
            script: [(p) => ({ kind: 'approve-hunks', binding: p.binding, hunks: [0, 2] })],
        });
        const outcome = await h.controller.submit(edit('a.md', base, proposed), turn);
        expect(outcome.applied).toBe(true);
        expect(outcome.message).toContain('accepted 2 of the 3 changed regions');
        expect(h.temp.readRaw('a.md').toString()).toBe(base.replace('line 2\n', 'two\n').replace('line 38\n', 'x\n'));
    });

    it("applies the person's edited text when they edited the proposal before accepting", async () => {
        const h = await setup({
            files: { 'a.md': 'old\n' },
            mode: 'ask',
            script: [(p) => ({ kind: 'approve-edited', binding: p.binding, content: 'what I wanted\n' })],
        });
        const outcome = await h.controller.submit(edit('a.md', 'old\n', 'new\n'), turn);
        expect(outcome.message).toContain('edited your proposal');
        expect(h.temp.readRaw('a.md').toString()).toBe('what I wanted\n');
        const [checkpoint] = await h.checkpoints.list('turn-1');
        expect(checkpoint).toMatchObject({ before: 'old\n', after: 'what I wanted\n' });
    });

    it('changes an open note through its editor instead of the file', async () => {
        const calls: string[] = [];
        const h = await setup({
            files: { 'open.md': 'old\n' },
            mode: 'auto-edits',
            editors: {
                apply: async (path, base, next) => {
                    calls.push(`${path}:${base}->${next}`);
                    return true;
                },
            },
        });
        const outcome = await h.controller.submit(edit('open.md', 'old\n', 'new\n'), turn);
        expect(outcome.applied).toBe(true);
        expect(calls).toEqual(['open.md:old\n->new\n']);
        expect(h.temp.readRaw('open.md').toString()).toBe('old\n');
        expect(outcome.checkpointId).toBeDefined();
    });
});

describe('stopping and racing', () => {
    it('writes nothing when the turn is stopped while the person is being asked', async () => {
        const stop = new AbortController();
        const h = await setup({
            files: { 'a.md': 'old\n' },
            mode: 'ask',
            script: [
                (p) => {
                    stop.abort();
                    return approveShown(p);
                },
            ],
        });
        const outcome = await h.controller.submit(edit('a.md', 'old\n', 'new\n'), { turnId: 't', signal: stop.signal });
        expect(outcome.message).toBe('The change to "a.md" was cancelled before it was applied; nothing was changed.');
        expect(h.temp.readRaw('a.md').toString()).toBe('old\n');
    });

    it('treats an approval gate that fails as no approval', async () => {
        const h = await setup({ files: { 'a.md': 'old\n' }, mode: 'ask' });
        h.approvals.request = () => Promise.reject(new Error('view closed'));
        const outcome = await h.controller.submit(edit('a.md', 'old\n', 'new\n'), turn);
        expect(outcome.applied).toBe(false);
        expect(h.temp.readRaw('a.md').toString()).toBe('old\n');
    });

    it('loses neither of two edits submitted at once to different parts of one note', async () => {
        const base = numberedLines(30);
        const h = await setup({ files: { 'a.md': base }, mode: 'auto-edits' });
        const [first, second] = await Promise.all([
            h.controller.submit(edit('a.md', base, base.replace('line 2\n', 'two\n')), turn),
            h.controller.submit(edit('a.md', base, base.replace('line 28\n', 'twenty-eight\n')), turn),
        ]);
        expect(first?.applied && second?.applied).toBe(true);
        expect(h.temp.readRaw('a.md').toString()).toBe(
            base.replace('line 2\n', 'two\n').replace('line 28\n', 'twenty-eight\n'),
        );
        // The re-based second edit was shown to the person, since the note had moved on.
        expect(h.approvals.requests.map((r) => r.options.trigger)).toEqual(['changed-on-disk']);
    });
});

describe('a note that becomes private while the diff is shown (row 13)', () => {
    it('is then "not found" and nothing is written', async () => {
        const h = await setup({
            files: { 'a.md': 'old\nmore\n' },
            mode: 'ask',
            script: [
                async (p) => {
                    await h.temp.write('a.md', '---\ntags: [private]\n---\nold\nmore\n');
                    return approveShown(p);
                },
            ],
        });
        const outcome = await h.controller.submit(edit('a.md', 'old\nmore\n', 'new\nmore\n'), turn);
        expect(outcome.message).toBe('"a.md" was not found; nothing was changed.');
        expect(h.approvals.requests).toHaveLength(1);
        expect(h.temp.readRaw('a.md').toString()).toBe('---\ntags: [private]\n---\nold\nmore\n');
    });
});
