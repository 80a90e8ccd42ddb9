import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExclusionGate } from '../../src/context/exclusions';
import {
    SettingsStore,
    SettingsUpdateError,
    type SettingsPersistence,
    type SettingsState,
} from '../../src/kernel/settings-store';
import type { NoteMetadata, VaultPort } from '../../src/kernel/vault-port';

const KEY = 'sk-ant-api03-canary-51e0b2';

let dir: string;
let file: string;

beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vault-agent-settings-'));
    file = join(dir, 'data.json');
});

afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
});

/**
 * The store's side of Obsidian's `loadData`/`saveData` as the plugin wires it: `undefined` for a missing file (the
 * plugin tells that apart from a file holding `null`), a throw for invalid JSON.
 */
function filePersistence(path: string): SettingsPersistence & { saves: number } {
    return {
        saves: 0,
        async load() {
            let text: string;
            try {
                text = await readFile(path, 'utf8');
            } catch (error) {
                if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
                throw error;
            }
            return JSON.parse(text) as unknown;
        },
        async save(data) {
            this.saves++;
            await writeFile(path, JSON.stringify(data, null, 2));
        },
    };
}

async function loadedStore(
    contents?: string,
): Promise<{ store: SettingsStore; persistence: ReturnType<typeof filePersistence> }> {
    if (contents !== undefined) await writeFile(file, contents);
    const persistence = filePersistence(file);
    const store = new SettingsStore({ persistence });
    await store.load();
    return { store, persistence };
}

/** A privacy section, as every real settings file has. */
const PRIVACY = { excludedTags: ['private'], excludedFolders: [] };

function lockedError(state: SettingsState): string {
    if (state.status !== 'locked') throw new Error('expected the store to be locked');
    return state.error;
}

/** A vault in which every note is indexed and untagged: only the lock can exclude anything. */
function plainVault(): VaultPort {
    const plain: NoteMetadata = {
        frontmatter: null,
        tags: [],
        aliases: [],
        links: [],
        embeds: [],
        headings: [],
        blocks: [],
    };
    return { configDir: '.config', metadata: () => plain } as unknown as VaultPort;
}

describe('SettingsStore: loading (docs/RELIABILITY.md row 14)', () => {
    it('is locked before anything was loaded', () => {
        const store = new SettingsStore({ persistence: filePersistence(file) });
        expect(store.settings).toBeNull();
        expect(store.state.status).toBe('locked');
    });

    it('starts from the defaults, #private excluded, when there is no settings file', async () => {
        const { store } = await loadedStore();
        expect(store.state.status).toBe('ready');
        expect(store.settings?.privacy.excludedTags).toEqual(['private']);
    });

    it('locks on a truncated settings file, and a gate built from it excludes everything', async () => {
        const { store } = await loadedStore('{"privacy": {"excludedTags": ["priv');
        expect(store.settings).toBeNull();
        expect(lockedError(store.state)).toMatch(/could not be read.*not valid JSON/);
        const gate = new ExclusionGate({ vault: plainVault(), privacy: store.settings?.privacy ?? null });
        expect(gate.check('Notes/Groceries.md')).toEqual({ excluded: true, reason: { kind: 'locked' } });
    });

    it('locks on exclusions of the wrong type', async () => {
        const { store } = await loadedStore(JSON.stringify({ privacy: { excludedTags: 'private' } }));
        expect(store.settings).toBeNull();
        expect(lockedError(store.state)).toMatch(/excluded tags/);
    });

    // Before decision 0001 changed, these got the default exclusions and the person's excluded folders were dropped.
    it.each([
        ['an old synced copy without a privacy section', JSON.stringify({ chat: { defaultMode: 'ask' } })],
        ['{}', '{}'],
        ['null', 'null'],
        ['privacy: {}', JSON.stringify({ privacy: {} })],
    ])('locks on %s: nothing is known about what is private', async (_label, text) => {
        const { store } = await loadedStore(text);
        expect(store.settings).toBeNull();
        expect(lockedError(store.state)).toMatch(/nothing will be sent/);
    });

    it('reads an unknown default mode as read-only', async () => {
        const { store } = await loadedStore(JSON.stringify({ privacy: PRIVACY, chat: { defaultMode: 'god-mode' } }));
        expect(store.settings?.chat.defaultMode).toBe('read-only');
    });

    it('locks again when a later load (a synced change) is broken', async () => {
        const { store } = await loadedStore(JSON.stringify({ privacy: PRIVACY, chat: { defaultMode: 'ask' } }));
        const seen: string[] = [];
        store.onChange((state) => seen.push(state.status));
        await writeFile(file, '{"chat": ');
        await store.load();
        expect(store.settings).toBeNull();
        expect(seen).toEqual(['locked']);
    });
});

describe('SettingsStore: the API key never reaches data.json (docs/RELIABILITY.md row 23)', () => {
    it('drops a key found in the file and rewrites the file without it', async () => {
        const { store } = await loadedStore(JSON.stringify({ privacy: PRIVACY, apiKey: KEY, model: { api_key: KEY } }));
        expect(JSON.stringify(store.state)).not.toContain(KEY);
        expect(store.state.status === 'ready' && store.state.notes.join(' ')).toMatch(/secret storage/);
        expect(await readFile(file, 'utf8')).not.toContain(KEY);
    });

    it('never quotes a key from a broken settings file in its error', async () => {
        const { store } = await loadedStore(`{"apiKey": "${KEY}", "privacy": }`);
        const error = lockedError(store.state);
        expect(error).not.toContain(KEY);
        expect(error).not.toContain(KEY.slice(8));
    });

    it('refuses a change that would store a key, and writes nothing', async () => {
        const { store, persistence } = await loadedStore();
        const before = store.settings;
        await expect(
            store.update((draft) => {
                draft.model.baseUrl = `https://proxy.example.invalid/?key=${KEY}`;
            }),
        ).rejects.toMatchObject({ code: 'invalid' });
        await expect(
            store.update((draft) => {
                Object.assign(draft.model, { apiKey: KEY });
            }),
        ).rejects.toBeInstanceOf(SettingsUpdateError);
        expect(persistence.saves).toBe(0);
        expect(store.settings).toBe(before);
    });
});

describe('SettingsStore: updates', () => {
    it('validates, saves and notifies', async () => {
        const { store } = await loadedStore();
        const seen: SettingsState[] = [];
        const stop = store.onChange((state) => seen.push(state));
        await store.update((draft) => {
            draft.privacy.excludedFolders.push('/Journal/');
            draft.chat.defaultMode = 'auto-edits';
        });
        stop();
        expect(store.settings?.privacy.excludedFolders).toEqual(['Journal/']);
        expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
            privacy: { excludedFolders: ['Journal/'] },
            chat: { defaultMode: 'auto-edits' },
        });
        expect(seen).toHaveLength(1);
    });

    it('refuses to change settings while locked, leaving the broken file for the person to fix', async () => {
        const { store, persistence } = await loadedStore('{"privacy"');
        await expect(store.update((draft) => draft.privacy.excludedTags.push('x'))).rejects.toMatchObject({
            code: 'locked',
        });
        expect(persistence.saves).toBe(0);
        expect(await readFile(file, 'utf8')).toBe('{"privacy"');
    });

    it('refuses a change that breaks the exclusions and keeps the settings it had', async () => {
        const { store, persistence } = await loadedStore();
        await expect(
            store.update((draft) => {
                (draft.privacy as { excludedTags: unknown }).excludedTags = 'private';
            }),
        ).rejects.toMatchObject({ code: 'invalid' });
        expect(store.settings?.privacy.excludedTags).toEqual(['private']);
        expect(persistence.saves).toBe(0);
    });

    it('keeps the previous settings when saving fails', async () => {
        const persistence: SettingsPersistence = {
            load: () => Promise.resolve(undefined),
            save: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' })),
        };
        const store = new SettingsStore({ persistence });
        await store.load();
        await expect(store.update((draft) => (draft.delegate.concurrency = 5))).rejects.toMatchObject({ code: 'save' });
        expect(store.settings?.delegate.concurrency).toBe(3);
    });

    it('applies changes made at the same time one after another, losing none', async () => {
        const { store } = await loadedStore();
        await Promise.all([
            store.update((draft) => draft.privacy.excludedTags.push('health')),
            store.update((draft) => draft.privacy.excludedTags.push('money')),
        ]);
        expect(store.settings?.privacy.excludedTags).toEqual(['private', 'health', 'money']);
        expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
            privacy: { excludedTags: ['private', 'health', 'money'] },
        });
    });
});
