/**
 * Proposal files are notes in the vault: a synced device, another plugin, a script or a careless hand can write one.
 * Whatever a file says, `vault-agent review` (the built `dist/cli.js`, in a real pseudo-terminal where it asks) shows
 * exactly what applying writes, never the display lines the file carries, reports a file whose numbers disagree with
 * its text instead of failing on it, and undoes only the change its own review applied.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliHome, perTest, runCli } from '../cli/cli-harness';
import { makeReviewHarness, PROPOSALS, reviewInTerminal, type ReviewHarness } from './review-harness';

const SETTINGS = JSON.stringify({ version: 2, privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] } });
const PLAN = ['# Plan', 'teh plan', 'keep this', 'and this', 'and that', ''].join('\n');
const TYPO_FIXED = PLAN.replace('teh plan', 'the plan');

const made = perTest();

beforeAll(async () => {
    await buildCli();
}, 60_000);

/** A vault with `Plan.md` and one proposal fixing its typo, as a `propose` job makes it; the proposal's id. */
async function proposedTypoFix(): Promise<{ h: ReviewHarness; home: CliHome; id: string }> {
    const h = await makeReviewHarness(
        { 'Plan.md': PLAN, '.obsidian/plugins/vault-agent/data.json': SETTINGS },
        made.vault,
    );
    const home = await made.home();
    await h.propose({ kind: 'edit', path: 'Plan.md', base: PLAN, proposed: TYPO_FIXED });
    const [entry] = await h.store.pending();
    return { h, home, id: entry?.id ?? '' };
}

interface StoredHunkFields {
    index: number;
    oldStart: number;
    oldLines: number;
    newLines: number;
    lines: string[];
    oldText: string;
    newText: string;
}

/** Rewrites the JSON of proposal `id` in its file, as a hand or another program would. */
function editOnDisk(
    harness: ReviewHarness,
    id: string,
    edit: (proposal: { hunks: StoredHunkFields[]; [key: string]: unknown }) => void,
    copyTo?: string,
): string {
    const folder = nodePath.join(harness.temp.root, PROPOSALS);
    const name = readdirSync(folder).find((file) => file.startsWith(id));
    const file = nodePath.join(folder, name ?? `${id}.md`);
    const target = copyTo === undefined ? file : nodePath.join(folder, copyTo);
    const text = readFileSync(file, 'utf8');
    const open = text.indexOf('~~~~~json\n') + '~~~~~json\n'.length;
    const close = text.indexOf('\n~~~~~\n', open);
    const proposal = JSON.parse(text.slice(open, close)) as { hunks: StoredHunkFields[] };
    edit(proposal);
    const written = `${text.slice(0, open)}${JSON.stringify(proposal, null, 1)}${text.slice(close)}`;
    writeFileSync(target, written);
    return written;
}

describe('a proposal file written by someone else', () => {
    it('is shown as what applying writes, not as the display lines it carries', async () => {
        const { h, home, id } = await proposedTypoFix();
        // The file still shows the typo fix; its new side drops three lines and adds a link.
        const taken = '# Plan\nthe plan [notes](https://x.example/?q=plan)\n';
        editOnDisk(h, id, (proposal) => {
            const [hunk] = proposal.hunks;
            if (hunk === undefined) throw new Error('no hunk');
            hunk.newText = taken;
            hunk.newLines = 2;
        });
        const shown = await runCli(['review', '--vault', h.temp.root, '--show', id], { home: home.dir });
        expect(shown.code).toBe(0);
        expect(shown.stdout).toContain('-keep this');
        expect(shown.stdout).toContain('-and that');
        expect(shown.stdout).toContain('+the plan [notes](https://x.example/?q=plan)');
        expect(shown.stdout).not.toContain(' keep this');

        // Asked in a terminal, the person sees the same before saying yes, and what is written is what was shown.
        const run = await reviewInTerminal(h.temp.root, home.dir, ['y\r']);
        expect(run.code).toBe(0);
        expect(run.screen).toContain('-keep this');
        expect(run.screen).not.toContain(' keep this');
        expect(h.temp.readRaw('Plan.md').toString()).toBe(taken);
    }, 90_000);

    it('is reported, left as it is, and not applied when its numbers disagree with its text', async () => {
        const { h, home, id } = await proposedTypoFix();
        const written = editOnDisk(h, id, (proposal) => {
            const [hunk] = proposal.hunks;
            if (hunk !== undefined) hunk.oldLines = 2;
        });
        const shown = await runCli(['review', '--vault', h.temp.root, '--show', id], { home: home.dir });
        expect(shown.stderr).toContain('is not a readable proposal (its "hunks" cannot be read)');
        expect(shown.stderr).not.toContain('unexpected failure');
        expect(shown.code).not.toBe(0);
        const listed = await runCli(['review', '--vault', h.temp.root], { home: home.dir });
        expect(listed.code).toBe(0);
        expect(listed.stdout).toContain('No proposals are waiting for review.');
        expect(listed.stderr).toContain('is not a readable proposal');
        const run = await reviewInTerminal(h.temp.root, home.dir, ['y\r']);
        expect(run.code).toBe(0);
        expect(h.temp.readRaw('Plan.md').toString()).toBe(PLAN);
        const [file] = readdirSync(nodePath.join(h.temp.root, PROPOSALS));
        expect(readFileSync(nodePath.join(h.temp.root, PROPOSALS, file ?? ''), 'utf8')).toBe(written);
    }, 90_000);

    it('is reported when two of its changes carry one number (one answer would decide both)', async () => {
        const long = `${PLAN}\n\n\n\n\n\n\nend\n`;
        const h = await makeReviewHarness(
            { 'Long.md': long, '.obsidian/plugins/vault-agent/data.json': SETTINGS },
            made.vault,
        );
        const home = await made.home();
        await h.propose({
            kind: 'edit',
            path: 'Long.md',
            base: long,
            proposed: long.replace('teh', 'the').replace('end', 'the end'),
        });
        const [entry] = await h.store.pending();
        const id = entry?.id ?? '';
        expect(entry?.hunks).toBe(2);
        editOnDisk(h, id, (proposal) => {
            for (const hunk of proposal.hunks) hunk.index = 0;
        });
        const listed = await runCli(['review', '--vault', h.temp.root], { home: home.dir });
        expect(listed.stderr).toContain('is not a readable proposal (its "hunks" cannot be read)');
        expect(listed.stdout).toContain('No proposals are waiting for review.');
    }, 60_000);

    it('cannot be applied, and does not stop the review, when its change is not at the lines it names', async () => {
        const { h, home, id } = await proposedTypoFix();
        editOnDisk(h, id, (proposal) => {
            const [hunk] = proposal.hunks;
            if (hunk !== undefined) hunk.oldStart = 2;
        });
        const shown = await runCli(['review', '--vault', h.temp.root, '--show', id], { home: home.dir });
        expect(shown.stderr).not.toContain('unexpected failure');
        expect(shown.stdout).toContain(`${id} cannot be applied: none of its changes fits the note now`);
        const run = await reviewInTerminal(h.temp.root, home.dir, ['n\r']);
        expect(run.code).toBe(0);
        expect(run.screen).toContain('Reject it?');
        expect(h.temp.readRaw('Plan.md').toString()).toBe(PLAN);
    }, 90_000);

    it('is reported, and the review goes on with the others, when it names a path out of the vault or another id', async () => {
        const { h, home, id } = await proposedTypoFix();
        const hostile: [string, (proposal: Record<string, unknown>) => void][] = [
            ['absolute.md', (proposal) => (proposal['path'] = '/tmp/outside.md')],
            ['up.md', (proposal) => (proposal['path'] = '../outside.md')],
            ['nul.md', (proposal) => (proposal['path'] = 'Plan\u0000.md')],
            ['drive.md', (proposal) => (proposal['path'] = 'C:\\Users\\x.md')],
            ['p-copy.md', (proposal) => (proposal['path'] = 'Plan.md')],
        ];
        for (const [name, edit] of hostile) {
            editOnDisk(
                h,
                id,
                (proposal) => {
                    // Each its own proposal (its id its file's name), but the copy, which keeps the original's id.
                    if (name !== 'p-copy.md') proposal['id'] = name.replace(/\.md$/u, '');
                    edit(proposal);
                },
                name,
            );
        }
        const listed = await runCli(['review', '--vault', h.temp.root], { home: home.dir });
        expect(listed.code).toBe(0);
        expect(listed.stderr).not.toContain('unexpected failure');
        expect(listed.stdout).toContain('1 proposal(s) waiting for review');
        for (const [name] of hostile)
            expect(listed.stderr).toContain(`${PROPOSALS}/${name}" is not a readable proposal`);
        expect(listed.stderr).toContain(`(its id "${id}" is not its file's name)`);
        const run = await reviewInTerminal(h.temp.root, home.dir, ['y\r']);
        expect(run.code).toBe(0);
        expect(h.temp.readRaw('Plan.md').toString()).toBe(TYPO_FIXED);
    }, 90_000);

    it('never undoes a change another review applied, whatever turn it names', async () => {
        const { h, home, id } = await proposedTypoFix();
        await h.propose({ kind: 'create', path: 'Other.md', base: null, proposed: 'other\n' });
        const other = (await h.store.pending()).find((entry) => entry.id !== id)?.id ?? '';
        // The typo fix is accepted (newest first: the create is skipped).
        const run = await reviewInTerminal(h.temp.root, home.dir, ['s\r', 'y\r']);
        expect(run.code).toBe(0);
        expect(h.temp.readRaw('Plan.md').toString()).toBe(TYPO_FIXED);
        // The other proposal's file now claims to have been applied as the typo fix's review.
        editOnDisk(h, other, (proposal) => {
            proposal['status'] = 'applied';
            proposal['applied'] = { turnId: `review-${id}`, at: Date.now() };
        });
        const undo = await runCli(['review', '--vault', h.temp.root, '--undo', other], { home: home.dir });
        expect(undo.stderr).toContain(`"${other}" is not an applied proposal.`);
        expect(undo.code).not.toBe(0);
        expect(h.temp.readRaw('Plan.md').toString()).toBe(TYPO_FIXED);
        const own = await runCli(['review', '--vault', h.temp.root, '--undo', id], { home: home.dir });
        expect(own.code).toBe(0);
        expect(h.temp.readRaw('Plan.md').toString()).toBe(PLAN);
    }, 90_000);
});
