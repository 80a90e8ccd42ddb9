/**
 * The plugin judges tags for the exclusion gate by its own reading of each note's text, not by Obsidian's cache alone
 * (issue 22, item 5; decision 0004; docs/RELIABILITY.md row 140). Obsidian's cache shows no tag in `🔒#private`,
 * `(#private)`, `a %% #private %% b` or `\u200B#private`, yet each excludes its note: before, such a note was named
 * in listings, search candidates and suggestions (its text was refused only when read).
 *
 * The whole plugin runs over a REAL temp folder; every note has an empty metadata cache entry, as Obsidian's own
 * reading of these texts has no tag. The chat talks to the local Messages-API server through the real SDK.
 *
 * What the stub cannot show: when Obsidian really fires its events and updates `TFile.stat` (the stub does both at
 * once, in the write); the test's change goes through the vault's `modify`, as an edit in Obsidian does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import nodePath from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as stub from '../support/obsidian-stub';
import type { ApprovalGate } from '../../src/agent/changes/approval';
import type { PluginServices } from '../../src/obsidian/plugin-services';
import {
    startMessagesApiServer,
    textTurn,
    toolResultsOf,
    toolUseTurn,
    type MessagesApiServer,
} from '../support/messages-api-server';
import { loadPluginOnDisk, settingsFor } from './plugin-on-disk';
import type { HostApp } from './plugin-host';
import { IDBFactory } from 'fake-indexeddb';

vi.mock('obsidian', async (importOriginal) => {
    const original = await importOriginal<typeof stub>();
    const { hostModule } = await import('./plugin-host');
    return hostModule(original, { isDesktop: true, isMobile: false });
});

const CANARY = `CANARY${Math.random().toString(36).slice(2)}SCREEN`;
/** A word every note holds, to search for. */
const NEEDLE = 'zebrafinch';
const approveAll: ApprovalGate = { request: async (p) => ({ kind: 'approve', binding: p.binding }) };

/** Notes that only our reading of their text excludes: Obsidian's cache shows no tag in any of them. */
const PRIVATE = {
    'Lock.md': `🔒#private bank codes ${NEEDLE} ${CANARY}\n`,
    'Filed/Paren.md': `Filed (#private) ${NEEDLE} ${CANARY}\n`,
    'Comment.md': `Plans %% #private %% ${NEEDLE} ${CANARY}\n`,
    'Zero width.md': `\u200B#private ${NEEDLE} ${CANARY}\n`,
};
const OPEN = 'Filed/Open plan.md';

let api: MessagesApiServer;
let root: string;
let loaded: { plugin: stub.Plugin; services: PluginServices } | null = null;

function write(path: string, text: string): void {
    const at = nodePath.join(root, ...path.split('/'));
    mkdirSync(nodePath.dirname(at), { recursive: true });
    writeFileSync(at, text);
}

beforeEach(async () => {
    api = await startMessagesApiServer();
    root = mkdtempSync(nodePath.join(tmpdir(), 'vault-agent-tag-screen-'));
    for (const [path, text] of Object.entries(PRIVATE)) write(path, text);
    write(OPEN, `# Plan\n\nShip in May, ${NEEDLE}.\n`);
});

afterEach(async () => {
    loaded?.plugin.unload();
    await loaded?.services.queue.stop();
    loaded = null;
    await api.close();
    rmSync(root, { recursive: true, force: true });
});

async function loadPlugin(
    atLayout?: (services: PluginServices) => void,
    device: { local?: Map<string, unknown>; version?: string; beforeLoad?: (app: HostApp) => void } = {},
) {
    const started = await loadPluginOnDisk({
        root,
        server: api,
        settings: settingsFor(api),
        ...(atLayout ? { atLayout } : {}),
        ...device,
    });
    loaded = started;
    return started;
}

function offered(services: PluginServices, query: string): string[] {
    return (services.suggester?.suggest(query, 50) ?? []).map((s) => s.detail);
}

describe('tags read from the text for the exclusion gate in the plugin (row 140)', () => {
    it('a note only our reading excludes is not named to the model: list_notes, search_notes, suggestions', async () => {
        const { services } = await loadPlugin();
        await services.vault.tagsSettled();
        const gate = services.currentGate();
        for (const path of Object.keys(PRIVATE)) expect(gate.isExcluded(path), path).toBe(true);
        expect(gate.isExcluded(OPEN)).toBe(false);
        expect(gate.check('Lock.md')).toMatchObject({ reason: { kind: 'tag', tag: 'private' } });

        api.enqueue(
            toolUseTurn([
                { name: 'list_notes', input: { recursive: true } },
                { name: 'search_notes', input: { query: NEEDLE } },
            ]),
            textTurn('Done.'),
        );
        const chat = services.createChat(approveAll);
        await chat.send('What is filed here?');
        const results = toolResultsOf(api.messageRequests()[1]!);
        const text = results.map((result) => result.text).join('\n');
        for (const path of Object.keys(PRIVATE)) expect(text).not.toContain(path.replace(/\.md$/u, ''));
        expect(text).toContain('Open plan');
        expect(api.allRequestText()).not.toContain(CANARY);

        expect(offered(services, 'Lock')).toEqual([]);
        expect(offered(services, 'Paren')).toEqual([]);
        expect(offered(services, 'Zero')).toEqual([]);
        expect(offered(services, 'Open')).toEqual([OPEN]);
    });

    it('fails closed until a note is read: at start, and from the moment it changes until it is read again', async () => {
        const atStart: unknown[] = [];
        const { app, services } = await loadPlugin((started) => {
            // Synchronously after layout-ready, nothing has been read yet: every note is excluded, as not indexed yet.
            atStart.push(started.currentGate().check(OPEN), started.vault.tagsPending());
        });
        expect(atStart[0]).toEqual({ excluded: true, reason: { kind: 'unindexed' } });
        expect(atStart[1]).toBeGreaterThanOrEqual(Object.keys(PRIVATE).length + 1);
        await services.vault.tagsSettled();
        expect(services.currentGate().isExcluded(OPEN)).toBe(false);

        const file = app.vault.getFileByPath(OPEN);
        if (file === null) throw new Error('no note');
        // The stub writes and fires `modify` within the call: before awaiting it, the new text is not read yet.
        const edit = app.vault.modify(file, `# Plan\n\n🔒#private now, ${NEEDLE}.\n`);
        // The cache still has no tag, and the new text is not read yet: excluded all the same.
        expect(services.currentGate().check(OPEN)).toMatchObject({ reason: { kind: 'unindexed' } });
        await edit;
        await services.vault.tagsSettled();
        expect(services.currentGate().check(OPEN)).toMatchObject({ reason: { kind: 'tag', tag: 'private' } });
        expect(offered(services, 'Open')).toEqual([]);

        // Made visible again: a text read meanwhile is judged by itself; once read, the suggestions and the search
        // take the note back in by themselves.
        const june = `# Plan\n\nShip in June, ${NEEDLE}.\n`;
        const modified = app.vault.modify(file, june);
        expect(services.currentGate().isExcluded(OPEN)).toBe(true);
        expect(services.currentGate().checkText(OPEN, june).excluded).toBe(false);
        await modified;
        await services.vault.tagsSettled();
        expect(services.currentGate().isExcluded(OPEN)).toBe(false);
        expect(offered(services, 'Open')).toEqual([OPEN]);
        await services.core.search.ready();
        expect(services.core.search.has(OPEN)).toBe(true);
    });

    it('a rename keeps the judgement with the text: a private note moved is still excluded under its new name', async () => {
        const { app, services } = await loadPlugin();
        await services.vault.tagsSettled();
        const file = app.vault.getFileByPath('Lock.md');
        if (file === null) throw new Error('no note');
        await app.fileManager.renameFile(file, 'Filed/Moved.md');
        expect(services.currentGate().isExcluded('Filed/Moved.md')).toBe(true);
        await services.vault.tagsSettled();
        expect(services.currentGate().isExcluded('Filed/Moved.md')).toBe(true);
        expect(offered(services, 'Moved')).toEqual([]);
    });
});

describe('a scheduled job the chat offers, whose note would carry an excluded tag', () => {
    it('is shown with a warning on the card that it would never run, and the model is not told', async () => {
        const { services } = await loadPlugin();
        await services.vault.tagsSettled();
        const asked: { path: string; warning: string | undefined }[] = [];
        const decline: ApprovalGate = {
            request: async (proposal, options) => {
                asked.push({ path: proposal.path, warning: options.warning });
                return { kind: 'deny', reason: 'not this one' };
            },
        };
        api.enqueue(
            toolUseTurn([
                {
                    name: 'schedule_job',
                    input: { title: 'Diary digest', brief: 'Sum up my #private diary.', schedule: 'daily 21:00' },
                },
            ]),
            textTurn('Understood.'),
        );
        await services.createChat(decline).send('Every evening, sum up my diary');
        expect(asked).toHaveLength(1);
        expect(asked[0]?.warning).toContain('#private');
        expect(asked[0]?.warning).toContain('never be sent to the model');
        const result = toolResultsOf(api.messageRequests().at(-1)!)[0]?.text ?? '';
        expect(result).toContain('not this one');
        expect(result).not.toContain('privacy');
    });
});

describe('the readings kept on the device between starts (decision 0035, row 141)', () => {
    /**
     * IndexedDB here is `fake-indexeddb`, a JavaScript implementation of the same API (Node has none); the plugin's
     * memory on Chromium's real IndexedDB: `tests/browser/tag-readings.test.ts`.
     */
    afterEach(() => {
        delete (globalThis as { indexedDB?: unknown }).indexedDB;
    });

    /** Loads the plugin on `local`'s device and returns the notes it read for their tags, once it has read them. */
    async function startOn(local: Map<string, unknown>, version = '0.1.0'): Promise<string[]> {
        loaded?.plugin.unload();
        await loaded?.services.queue.stop();
        const reads: string[] = [];
        const { services } = await loadPlugin(undefined, {
            local,
            version,
            beforeLoad: (app) => {
                const cachedRead = app.vault.cachedRead.bind(app.vault);
                app.vault.cachedRead = (file: stub.TFile) => {
                    reads.push(file.path);
                    return cachedRead(file);
                };
            },
        });
        await services.vault.tagsSettled();
        await services.vault.keepTagReadings();
        return reads.sort();
    }

    it('reads at the next start only the notes changed since; the others are judged by what was kept', async () => {
        (globalThis as { indexedDB?: unknown }).indexedDB = new IDBFactory();
        const every = [...Object.keys(PRIVATE), OPEN].sort();
        const device = new Map<string, unknown>();
        expect(await startOn(device)).toEqual(every);

        // Made private while Obsidian was closed (synced from another device): another size and time.
        write(OPEN, `# Plan\n\n🔒#private since yesterday, ${NEEDLE}.\n`);
        expect(await startOn(device)).toEqual([OPEN]);
        const gate = loaded?.services.currentGate();
        expect(gate?.check(OPEN)).toMatchObject({ reason: { kind: 'tag', tag: 'private' } });
        for (const path of Object.keys(PRIVATE)) expect(gate?.isExcluded(path), path).toBe(true);
        expect(offered(loaded!.services, 'Open')).toEqual([]);
        expect(offered(loaded!.services, 'Lock')).toEqual([]);

        // Another device keeps its own, and a new version of the plugin trusts nothing kept by the old one.
        expect(await startOn(new Map())).toEqual(every);
        expect(await startOn(device, '0.2.0')).toEqual(every);
        expect(await startOn(device, '0.2.0')).toEqual([]);
    });
});
