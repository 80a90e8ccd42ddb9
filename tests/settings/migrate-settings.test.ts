import { describe, expect, it } from 'vitest';
import { containsSecret, migrateSettings, stripSecrets } from '../../src/kernel/migrate-settings';
import { DEFAULT_SETTINGS, SETTINGS_VERSION, type Settings } from '../../src/kernel/settings';

const KEY = 'sk-ant-api03-canary-7f3a9c';

function ok(raw: unknown): { settings: Settings; notes: string[] } {
    const result = migrateSettings(raw);
    if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
    return result;
}

/** The privacy section every real settings file has; tests about other fields start from it. */
const PRIVACY = { excludedTags: ['private'], excludedFolders: [] };

/** `ok` for a file that has a privacy section besides `raw`. */
function okWith(raw: Record<string, unknown>): { settings: Settings; notes: string[] } {
    return ok({ privacy: PRIVACY, ...raw });
}

function failure(raw: unknown): string {
    const result = migrateSettings(raw);
    if (result.ok) throw new Error('expected the settings to be refused');
    return result.error;
}

describe('migrateSettings: missing and old settings (docs/RELIABILITY.md row 14, decision 0001)', () => {
    it('gives the defaults, with #private excluded, only when there is no settings file at all', () => {
        const { settings, notes } = ok(undefined);
        expect(settings).toEqual(DEFAULT_SETTINGS);
        expect(settings.privacy.excludedTags).toEqual(['private']);
        expect(notes).toEqual([]);
    });

    it('returns a copy that cannot change the defaults', () => {
        ok(undefined).settings.privacy.excludedTags.push('changed');
        expect(DEFAULT_SETTINGS.privacy.excludedTags).toEqual(['private']);
    });

    // These four read as "the defaults" before decision 0001 changed: the person's excluded folders were dropped.
    it('refuses a settings file that holds null', () => {
        expect(failure(null)).toMatch(/holds no settings.*nothing will be sent/);
    });

    it.each([
        ['{}', {}],
        [
            'an old synced copy without a privacy section',
            { model: { defaultModel: 'o' }, chat: { defaultMode: 'ask' } },
        ],
    ])('refuses %s: it cannot be known which notes are private', (_label, raw) => {
        expect(failure(raw)).toMatch(/no exclusions \(privacy\) section.*nothing will be sent/);
    });

    it.each([
        ['privacy: {}', {}, /no excluded tags list/],
        ['only the folder list', { excludedFolders: ['Journal/'] }, /no excluded tags list/],
        ['only the tag list', { excludedTags: ['private'] }, /no excluded folders list/],
    ])('refuses a privacy section with %s', (_label, privacy, why) => {
        expect(failure({ privacy })).toMatch(why);
    });

    it('keeps an explicitly empty tag list: that is the person’s choice, not an accident', () => {
        expect(ok({ privacy: { excludedTags: [], excludedFolders: [] } }).settings.privacy.excludedTags).toEqual([]);
    });
});

describe('migrateSettings: invalid exclusions fail closed', () => {
    it.each([
        ['a string of tags', { excludedTags: 'private', excludedFolders: [] }],
        ['a list with a number', { excludedTags: ['private', 3], excludedFolders: [] }],
        ['null tags', { excludedTags: null, excludedFolders: [] }],
        ['an object of folders', { excludedTags: ['private'], excludedFolders: { 0: 'Journal' } }],
    ])('refuses %s instead of reading it as no exclusions', (_label, privacy) => {
        expect(failure({ privacy })).toMatch(/nothing will be sent/);
    });

    it.each([null, 'private', ['private'], 42])('refuses a privacy section that is %j', (privacy) => {
        expect(failure({ privacy })).toMatch(/nothing will be sent/);
    });

    it.each([[], 'settings', 42, true])('refuses a settings value that is not an object: %j', (raw) => {
        expect(failure(raw)).toMatch(/does not hold settings/);
    });
});

describe('migrateSettings: normalising and repairing fields', () => {
    it('normalises tags and folders', () => {
        const { settings } = okWith({
            privacy: {
                excludedTags: ['#Private', ' health ', '##Work/Secret', '', '#', 'private'],
                excludedFolders: [' /Journal/', '', 'Clients/*/Private/**'],
            },
        });
        expect(settings.privacy.excludedTags).toEqual(['private', 'health', 'work/secret']);
        expect(settings.privacy.excludedFolders).toEqual(['Journal/', 'Clients/*/Private/**']);
    });

    it('reads an unknown chat mode as read-only and says so', () => {
        const { settings, notes } = okWith({ chat: { defaultMode: 'yolo' } });
        expect(settings.chat.defaultMode).toBe('read-only');
        expect(notes.join(' ')).toMatch(/defaultMode/);
    });

    it('falls back to the default for each field of the wrong type, with a note per field', () => {
        const { settings, notes } = okWith({
            model: { maxOutputTokens: '8192', baseUrl: 'ftp://example.invalid', defaultModel: 7 },
            chat: { attachFocusedNote: 'yes' },
            delegate: { concurrency: 0, jobsFolder: '/Queue/', outputFolder: '' },
        });
        expect(settings.model).toEqual(DEFAULT_SETTINGS.model);
        expect(settings.chat.attachFocusedNote).toBe(true);
        expect(settings.delegate).toEqual({ ...DEFAULT_SETTINGS.delegate, jobsFolder: 'Queue' });
        expect(notes.filter((n) => / was not valid /.test(n))).toHaveLength(6);
    });

    it('reads a group of the wrong type as defaults', () => {
        const { settings, notes } = okWith({ model: 'claude', delegate: [1, 2] });
        expect(settings.model).toEqual(DEFAULT_SETTINGS.model);
        expect(settings.delegate).toEqual(DEFAULT_SETTINGS.delegate);
        expect(notes).toHaveLength(2);
    });

    it('keeps valid values of a version 1 file as stored, adding the version 2 defaults', () => {
        const stored = {
            version: 1,
            model: { defaultModel: 'm', baseUrl: 'http://127.0.0.1:8080', apiKeySecretName: 'k', maxOutputTokens: 100 },
            privacy: { excludedTags: ['private', 'health'], excludedFolders: ['Journal/'] },
            chat: { defaultMode: 'auto-edits', attachFocusedNote: false },
            delegate: { jobsFolder: 'Jobs', outputFolder: 'Out', concurrency: 5 },
        };
        const upgraded = {
            ...stored,
            version: SETTINGS_VERSION,
            model: { ...stored.model, pdfDocuments: true },
            delegate: { ...stored.delegate, maxAttempts: 3, defaultBudget: { turns: 30, usd: 0.5 } },
            context: DEFAULT_SETTINGS.context,
            guidance: DEFAULT_SETTINGS.guidance,
            mcp: DEFAULT_SETTINGS.mcp,
            spend: DEFAULT_SETTINGS.spend,
            delivery: DEFAULT_SETTINGS.delivery,
            mcpJobs: DEFAULT_SETTINGS.mcpJobs,
            web: DEFAULT_SETTINGS.web,
        };
        expect(migrateSettings(stored)).toEqual({ ok: true, settings: upgraded, notes: [] });
    });
});

describe('migrateSettings: API keys never survive (docs/RELIABILITY.md row 23)', () => {
    it.each([
        { apiKey: KEY },
        { api_key: KEY },
        { model: { apiKey: KEY } },
        { model: { 'x-api-key': 'not-an-anthropic-looking-key' } },
        { model: { apiKeySecretName: KEY } },
        { model: { baseUrl: `https://proxy.example.invalid/?k=${KEY}` } },
        { legacy: [{ token: KEY }] },
    ] as Record<string, unknown>[])('drops the key from %j and says where it belongs', (raw) => {
        const { settings, notes } = okWith(raw);
        const out = JSON.stringify(settings);
        expect(out).not.toContain(KEY);
        expect(out).not.toContain('not-an-anthropic-looking-key');
        expect(settings.model).toEqual(DEFAULT_SETTINGS.model);
        expect(notes.join(' ')).toMatch(/secret storage/);
        expect(notes.join(' ')).not.toContain(KEY);
    });

    it('does not mistake the name of the secret for a secret', () => {
        expect(containsSecret(DEFAULT_SETTINGS)).toBe(false);
        const { settings, notes } = ok({
            ...DEFAULT_SETTINGS,
            model: { ...DEFAULT_SETTINGS.model, apiKeySecretName: 'my-key' },
        });
        expect(settings.model.apiKeySecretName).toBe('my-key');
        expect(notes).toEqual([]);
    });

    it('strips every key-like entry from a value about to be stored, at any depth', () => {
        const stripped = stripSecrets({ a: { apiKey: KEY, keep: 1 }, list: [KEY, 'x'], deep: { b: { c: `x${KEY}` } } });
        expect(stripped).toEqual({ a: { keep: 1 }, list: ['x'], deep: { b: {} } });
        expect(containsSecret(stripped)).toBe(false);
    });
});
