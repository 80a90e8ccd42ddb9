/**
 * Symbolic links inside the Obsidian plugin on desktop (issue 14, item 1, the plugin side; docs/RELIABILITY.md row 31).
 * The whole plugin is loaded over a REAL temp folder with real symlinks, the stub's desktop adapter following them as
 * Obsidian's does (a linked file is listed at the link's path with the target's text; a linked folder's notes are
 * listed under the link; links out of the vault are followed too). The chat talks to the local Messages-API server
 * through the real SDK. A note reached through a link into an excluded folder, or a file outside the vault, is never
 * sent, nor offered by the mention suggester; nothing is written through a link.
 *
 * What the stub cannot show: Obsidian's own indexing of links (its file watcher, its metadata cache for linked
 * notes, how it treats two paths to one file). The listing is made once from the disk, as the app does at start;
 * later changes on disk reach the stub only through the calls the test makes, so the test that re-points a link
 * shows what the plugin notices by itself (a cheap lstat on every check), with no vault event to help.
 */
import {
    existsSync,
    linkSync,
    mkdirSync,
    mkdtempSync,
    readFileSync,
    rmSync,
    symlinkSync,
    unlinkSync,
    writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stub from '../support/obsidian-stub';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import { VaultError } from '../../src/kernel/vault-port';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { loadPluginOnDisk, settingsFor } from './plugin-on-disk';

vi.mock('obsidian', async (importOriginal) => {
    const original = await importOriginal<typeof stub>();
    const { hostModule } = await import('./plugin-host');
    return hostModule(original, { isDesktop: true, isMobile: false });
});

const CANARY = `CANARY${Math.random().toString(36).slice(2)}LINKED`;
const OUTSIDE_CANARY = `OUTSIDE${Math.random().toString(36).slice(2)}CANARY`;
/** A word only the excluded notes and the outside file hold, to search for. */
const NEEDLE = 'zebrafinch';
const approveAll: ApprovalGate = { request: async (p) => ({ kind: 'approve', binding: p.binding }) };

/** Every linked path the model tries, by the name it is listed under. */
const LINKED_PATHS = [
    'Shortcut.md',
    'Linked/Diary.md',
    'Linked/Deep/Older.md',
    'Outside.md',
    'Far/Away.md',
    'Cfg/Config note.md',
    'Hard copy.md',
];

let api: MessagesApiServer;
let root: string;
let outside: string;
let loaded: { plugin: stub.Plugin; services: PluginServices } | null = null;

function at(path: string): string {
    return nodePath.join(root, ...path.split('/'));
}

function write(path: string, text: string): void {
    mkdirSync(nodePath.dirname(at(path)), { recursive: true });
    writeFileSync(at(path), text);
}

function link(target: string, path: string): void {
    symlinkSync(target, at(path));
}

beforeEach(async () => {
    api = await startMessagesApiServer();
    root = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-plugin-links-'));
    outside = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-outside-'));
    write('Secrets/Diary.md', `# Diary\n${NEEDLE} ${CANARY} in the excluded folder\n`);
    write('Secrets/Deep/Older.md', `${NEEDLE} ${CANARY} deeper\n`);
    write('Notes/Plan.md', '# Plan\n\nShip in May.\n');
    write('Agent/Outputs/Readme.md', 'Outputs go here.\n');
    write('.obsidian/Config note.md', `${NEEDLE} ${CANARY} in the config folder\n`);
    write('Embedder.md', 'Embeds: ![[Shortcut]] ![[Linked/Diary]] ![[Outside]] ![[Cfg/Config note]]\n');
    writeFileSync(nodePath.join(outside, 'Away.md'), `${NEEDLE} ${OUTSIDE_CANARY} outside the vault\n`);
    link('Secrets/Diary.md', 'Shortcut.md');
    link('Secrets', 'Linked');
    link(nodePath.join(outside, 'Away.md'), 'Outside.md');
    link(outside, 'Far');
    link('../../Secrets', 'Agent/Outputs/s');
    link('Notes/Plan.md', 'Plan link.md');
    link('Notes', 'Notes link');
    link('.obsidian', 'Cfg');
    // Another name of the diary (a hard link): no name leads anywhere, each is the file itself.
    linkSync(at('Secrets/Diary.md'), at('Hard copy.md'));
});

afterEach(async () => {
    loaded?.plugin.unload();
    await loaded?.services.queue.stop();
    loaded = null;
    await api.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
});

/** Loads the plugin, on desktop, over the folder on disk, then fires layout-ready and waits for the tags and the suggester. */
async function loadPlugin() {
    const settings = settingsFor(api);
    settings.privacy.excludedFolders = ['Secrets/'];
    const started = await loadPluginOnDisk({ root, server: api, settings });
    loaded = started;
    // Every note's tags are read from its text first (row 140); until then the gate excludes it.
    await started.services.vault.tagsSettled();
    await started.services.suggester?.rebuild();
    return started;
}

function sent(): string {
    return api.allRequestText();
}

async function rejection(promise: Promise<unknown>): Promise<VaultError> {
    const error = await promise.then(
        () => null,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
}

describe('symbolic links in the plugin on desktop (row 31)', () => {
    it('the stub follows links as Obsidian does: a linked note is listed at the link with the target text', async () => {
        const { app } = await loadPlugin();
        const listed = app.vault.getFiles().map((f) => f.path);
        expect(listed).toEqual(expect.arrayContaining([...LINKED_PATHS, 'Plan link.md', 'Agent/Outputs/s/Diary.md']));
        const shortcut = app.vault.getFileByPath('Shortcut.md');
        expect(shortcut && (await app.vault.read(shortcut))).toContain(CANARY);
    });

    it('never sends a note reached through a file or folder link into an excluded folder, nor a file outside', async () => {
        const { services } = await loadPlugin();
        api.enqueue(
            toolUseTurn([
                ...LINKED_PATHS.map((path) => ({ name: 'read_note', input: { path } })),
                { name: 'search_notes', input: { query: NEEDLE } },
                { name: 'list_notes', input: { recursive: true } },
            ]),
            textTurn('Done.'),
        );
        const chat = services.createChat(approveAll);
        await chat.send(
            'Summarise @[[Shortcut]], @[[Linked/Diary]], @[[Outside]], @[[Far/Away]], @[[Cfg/Config note]], ' +
                '@[[Embedder]], @[[Hard copy]], @[[Plan link]] and @[[Plan]]',
        );
        expect(api.messageRequests()).toHaveLength(2);
        expect(sent()).toContain('Ship in May.');
        expect(sent()).toContain('Embeds:');
        expect(sent()).not.toContain(CANARY);
        expect(sent()).not.toContain(OUTSIDE_CANARY);
        const results = toolResultsOf(api.messageRequests()[1]!);
        expect(results).toHaveLength(LINKED_PATHS.length + 2);
        for (const result of results.slice(0, LINKED_PATHS.length)) expect(result.isError).toBe(true);
        const listing = results.at(-1)?.text ?? '';
        for (const path of LINKED_PATHS) expect(listing).not.toContain(path);
        expect(listing).toContain('Plan link.md');
        const gate = services.currentGate();
        for (const path of LINKED_PATHS) expect(gate.isExcluded(path), path).toBe(true);
        expect(gate.isExcluded('Plan link.md')).toBe(false);
        expect(services.vault.realPathOf('Linked/Deep/Older.md')).toBe('Secrets/Deep/Older.md');
        expect(services.vault.realPathOf('Plan link.md')).toBe('Notes/Plan.md');
        expect(services.vault.realPathOf('Outside.md')).toBeNull();
        const user = chat.record.entries[0];
        expect(user?.kind === 'user' ? user.context.join('\n') : '').toMatch(/Not sent/);
    });

    it('the mention suggester never offers a note behind a link into an excluded folder or out of the vault', async () => {
        const { services } = await loadPlugin();
        const suggester = services.suggester;
        expect(suggester).not.toBeNull();
        const queries = [
            'Diary',
            'Shortcut',
            'Older',
            'Outside',
            'Away',
            'Linked',
            'Far',
            'Config',
            'Cfg',
            'Plan',
            'Hard',
        ];
        const offered = queries.flatMap((query) =>
            (suggester?.suggest(query, 50) ?? []).map((s) => `${s.kind}:${s.label}:${s.detail}`),
        );
        expect(offered.join('\n')).not.toMatch(/Diary|Shortcut|Older|Outside|Away|Linked|Far\/|Config|Cfg|Hard/);
        expect(offered.join('\n')).toMatch(/Plan link/);
    });

    it('notices a link re-pointed on disk outside Obsidian, with no vault event', async () => {
        const { services } = await loadPlugin();
        const gate = services.currentGate();
        expect(gate.isExcluded('Plan link.md')).toBe(false);
        unlinkSync(at('Plan link.md'));
        symlinkSync('Secrets/Deep/Older.md', at('Plan link.md'));
        // Seen at once by the gate (the suggester and every check use it), not only after a request revalidates.
        expect(gate.isExcluded('Plan link.md')).toBe(true);
        await services.suggester?.rebuild();
        expect(services.suggester?.suggest('Plan link', 50).map((s) => s.label)).not.toContain('Plan link');

        api.enqueue(toolUseTurn([{ name: 'read_note', input: { path: 'Plan link.md' } }]), textTurn('Done.'));
        await services.createChat(approveAll).send('Read @[[Plan link]]');
        expect(sent()).not.toContain(CANARY);
        expect(gate.isExcluded('Plan link.md')).toBe(true);
    });

    it('refuses a write through a symlinked folder or onto a linked note, and nothing lands behind the link', async () => {
        const { services } = await loadPlugin();
        api.enqueue(
            toolUseTurn([
                { name: 'create_note', input: { path: 'Agent/Outputs/s/Planted.md', content: `planted ${NEEDLE}` } },
                { name: 'create_note', input: { path: 'Linked/Deep/Planted.md', content: `planted ${NEEDLE}` } },
                // A link to a folder nobody excluded: the gate lets it pass, the vault must refuse it.
                { name: 'create_note', input: { path: 'Notes link/Through.md', content: 'through a link' } },
                { name: 'create_note', input: { path: 'Notes/Fine.md', content: 'A plain new note.' } },
            ]),
            textTurn('Done.'),
        );
        await services.createChat(approveAll).send('Write the notes.');
        const results = toolResultsOf(api.messageRequests()[1]!);
        expect(results).toHaveLength(4);
        // Into the excluded folder the gate refuses first (without naming why); elsewhere the vault refuses the link.
        expect(results[0]?.text).toMatch(/not a location the agent can write to/);
        expect(results[1]?.text).toMatch(/not a location the agent can write to/);
        expect(results[2]?.text).toMatch(/failed\. "Notes link\/Through\.md" leads through a symbolic link/);
        expect(results[3]?.text).toMatch(/Created "Notes\/Fine\.md"/);
        expect(existsSync(at('Notes/Through.md'))).toBe(false);
        expect(existsSync(at('Secrets/Planted.md'))).toBe(false);
        expect(existsSync(at('Secrets/Deep/Planted.md'))).toBe(false);
        expect(readFileSync(at('Notes/Fine.md'), 'utf8')).toBe('A plain new note.');

        // The port itself, for every kind of write (the change controller's last line).
        const vault = services.vault;
        expect((await rejection(vault.create('Linked/New.md', 'x'))).code).toBe('invalid-path');
        expect((await rejection(vault.process('Shortcut.md', (t) => `${t}more`))).code).toBe('invalid-path');
        expect((await rejection(vault.process('Linked/Diary.md', (t) => `${t}more`))).code).toBe('invalid-path');
        expect((await rejection(vault.rename('Notes/Plan.md', 'Linked/Plan.md'))).code).toBe('invalid-path');
        expect((await rejection(vault.rename('Linked/Diary.md', 'Notes/Diary.md'))).code).toBe('invalid-path');
        expect((await rejection(vault.trash('Linked/Diary.md'))).code).toBe('invalid-path');
        expect(() => vault.refuseLinkedWrite('Far/Away.md')).toThrow(/symbolic link/);
        expect(readFileSync(at('Secrets/Diary.md'), 'utf8')).toBe(
            `# Diary\n${NEEDLE} ${CANARY} in the excluded folder\n`,
        );
        expect(existsSync(at('Secrets/New.md'))).toBe(false);
        expect(existsSync(at('Secrets/Plan.md'))).toBe(false);
        expect(existsSync(at('Notes/Plan.md'))).toBe(true);

        // A dangling link is an entry too: creating "there" would write through it.
        link('Secrets/Later.md', 'Notes/Later.md');
        expect((await rejection(vault.create('Notes/Later.md', 'x'))).code).toBe('invalid-path');
        expect(existsSync(at('Secrets/Later.md'))).toBe(false);
    });
});
