/**
 * `vault-agent review` the way a person uses it: the built `dist/cli.js` in a real pseudo-terminal (`script` from
 * util-linux), answering each question when it shows. Proposals are made first as a `propose` job makes them (a
 * propose-mode ChangeController over the same folder); what is applied is judged on disk. Without a terminal the
 * command lists and applies nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type CliHome, perTest, runCli } from '../cli/cli-harness';
import { makeReviewHarness, PROPOSALS, reviewInTerminal, type ReviewHarness } from './review-harness';

const SETTINGS = JSON.stringify({
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
});
const MEETING = ['# Monday', 'see Project X', '', 'a', 'b', 'c', 'd', 'e', 'f', 'g', '', 'see Project Y', ''].join(
    '\n',
);
const LINKED = MEETING.replace('see Project X', 'see [[Project X]]').replace('see Project Y', 'see [[Project Y]]');

const made = perTest();

beforeAll(async () => {
    await buildCli();
}, 60_000);

async function seeded(): Promise<{ h: ReviewHarness; home: CliHome }> {
    const h = await makeReviewHarness(
        {
            'Meetings/Monday.md': MEETING,
            'Old.md': 'old\n',
            '.obsidian/plugins/vault-agent/data.json': SETTINGS,
        },
        made.vault,
    );
    const home = await made.home();
    await h.propose({ kind: 'edit', path: 'Meetings/Monday.md', base: MEETING, proposed: LINKED });
    await h.propose({ kind: 'delete', path: 'Old.md', base: 'old\n', proposed: null });
    return { h, home };
}

describe('vault-agent review in a real terminal', () => {
    it('lists the proposals, asks hunk by hunk, applies what was accepted, and undoes it', async () => {
        const { h, home } = await seeded();
        const [newest, older] = await h.store.pending();
        // Newest first: the delete, then the edit's two changes.
        expect(newest?.kind).toBe('delete');
        const run = await reviewInTerminal(h.temp.root, home.dir, ['n\r', 'y\r', 'n\r']);
        expect(run.code).toBe(0);
        expect(run.screen).toContain('2 proposal(s) waiting for review');
        expect(run.screen).toContain('Tidy meeting links (2)');
        expect(run.screen).toContain('+see [[Project X]]');
        expect(run.screen).toContain('Change 2 of 2');
        expect(h.temp.readRaw('Old.md').toString()).toBe('old\n');
        const partly = MEETING.replace('see Project X', 'see [[Project X]]');
        expect(h.temp.readRaw('Meetings/Monday.md').toString()).toBe(partly);
        expect(await h.reopen().pending()).toEqual([]);

        const undo = await runCli(['review', '--vault', h.temp.root, '--undo', older?.id ?? ''], { home: home.dir });
        expect(undo.stderr).toContain('undone');
        expect(undo.code).toBe(0);
        expect(h.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
    }, 90_000);

    it('leaves the rest pending when the person stops with "q", keeping the answers given', async () => {
        const { h, home } = await seeded();
        const run = await reviewInTerminal(h.temp.root, home.dir, ['s\r', 'y\r', 'q\r']);
        expect(run.code).toBe(0);
        expect(h.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        expect(h.temp.readRaw('Old.md').toString()).toBe('old\n');
        const pending = await h.reopen().pending();
        expect(pending).toHaveLength(2);
        expect(pending.find((entry) => entry.kind === 'edit')?.decided).toBe(1);
    }, 90_000);

    it('without a terminal lists the proposals, applies nothing and says why', async () => {
        const { h, home } = await seeded();
        const run = await runCli(['review', '--vault', h.temp.root], { home: home.dir });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('2 proposal(s) waiting for review');
        expect(run.stdout).toContain('edit Meetings/Monday.md (2 changes)');
        expect(run.stderr).toContain('only a person decides on proposals');
        expect(h.temp.readRaw('Meetings/Monday.md').toString()).toBe(MEETING);
        expect(await h.reopen().pending()).toHaveLength(2);
        const shown = await runCli(
            ['review', '--vault', h.temp.root, '--show', (await h.store.pending())[1]?.id ?? ''],
            {
                home: home.dir,
            },
        );
        expect(shown.stdout).toContain('+see [[Project Y]]');
        expect(h.temp.exists(PROPOSALS)).toBe(true);
    }, 90_000);
});
