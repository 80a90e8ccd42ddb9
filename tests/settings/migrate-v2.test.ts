import { describe, expect, it } from 'vitest';
import { containsSecret, MCP_KEY_DROPPED_NOTE, migrateSettings, stripSecrets } from '../../src/kernel/migrate-settings';
import { DEFAULT_SETTINGS, SETTINGS_VERSION, type Settings } from '../../src/kernel/settings';
import { DEFAULT_MODEL } from '../../src/kernel/default-model';

const KEY = 'sk-ant-api03-canary-v2-51d0';

function ok(raw: unknown): { settings: Settings; notes: string[] } {
    const result = migrateSettings(raw);
    if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
    return result;
}

const V1 = {
    version: 1,
    model: { defaultModel: DEFAULT_MODEL, baseUrl: '', apiKeySecretName: 'k', maxOutputTokens: 4096 },
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    chat: { defaultMode: 'ask', attachFocusedNote: true },
    delegate: { jobsFolder: 'Jobs', outputFolder: 'Out', concurrency: 2 },
};

describe('migrateSettings: version 1 to version 2', () => {
    it('adds every new section with its defaults and keeps what version 1 stored, without notes', () => {
        const { settings, notes } = ok(V1);
        expect(SETTINGS_VERSION).toBeGreaterThanOrEqual(2);
        expect(settings.version).toBe(SETTINGS_VERSION);
        expect(settings.context).toEqual({
            instructionsNote: '',
            budgetShare: 0.25,
            embedDepth: 3,
            mentionListLimit: 20,
        });
        expect(settings.guidance).toEqual({ skillsFolder: 'Agent/Skills', commandsFolder: 'Agent/Commands' });
        expect(settings.mcp).toEqual({ servers: [], connectTimeoutMs: 30_000, callTimeoutMs: 60_000 });
        expect(settings.spend).toEqual({ dailyCapUsd: 0, compactAtShare: 0.8 });
        expect(settings.delegate).toEqual({
            jobsFolder: 'Jobs',
            outputFolder: 'Out',
            concurrency: 2,
            maxAttempts: 3,
            defaultBudget: { turns: 30, usd: 0.5 },
        });
        expect(settings.privacy).toEqual(V1.privacy);
        expect(notes).toEqual([]);
    });

    it('reads a file without a version (the first release wrote none) as version 1', () => {
        const { version: _version, ...unversioned } = V1;
        expect(ok(unversioned).settings).toEqual(ok(V1).settings);
    });

    it('gives a fresh install the version 2 defaults, and a migrated copy cannot change them', () => {
        const { settings } = ok(undefined);
        expect(settings).toEqual(DEFAULT_SETTINGS);
        settings.mcp.servers.push({
            name: 'x',
            transport: 'http',
            url: 'https://example.invalid/mcp',
            headers: {},
            enabled: true,
            toolPolicies: {},
            readOnlyTools: [],
            readsVault: false,
        });
        settings.delegate.defaultBudget.turns = 1;
        expect(DEFAULT_SETTINGS.mcp.servers).toEqual([]);
        expect(DEFAULT_SETTINGS.delegate.defaultBudget.turns).toBe(30);
    });

    it('reads its own output back unchanged, with no notes (what the store requires to save a change)', () => {
        const { settings } = ok({ ...V1, spend: { dailyCapUsd: 12.5, compactAtShare: 0.7 } });
        expect(migrateSettings(stripSecrets(settings))).toEqual({ ok: true, settings, notes: [] });
    });
});

describe('migrateSettings: a spend limit written by hand is read as the person meant it', () => {
    it.each([
        ['5', 5],
        ['$5', 5],
        [' 5.50 USD ', 5.5],
        ['2,5', 2.5],
        ['US$ 12', 12],
    ])('spend.dailyCapUsd = %j is a cap of %j, without a note', (value, expected) => {
        const { settings, notes } = ok({ ...V1, spend: { dailyCapUsd: value } });
        expect(settings.spend.dailyCapUsd).toBe(expected);
        expect(notes).toEqual([]);
    });

    it('holds a cap above the most allowed at that most, never drops it to no cap, and says so', () => {
        const { settings, notes } = ok({ ...V1, spend: { dailyCapUsd: 25_000 } });
        expect(settings.spend.dailyCapUsd).toBe(10_000);
        expect(notes).toEqual([expect.stringMatching(/spend\.dailyCapUsd is above the most allowed, 10000/u)]);
    });

    it('reads a job budget written as "$2" as two dollars', () => {
        const { settings } = ok({ ...V1, delegate: { defaultBudget: { turns: 10, usd: '$2' } } });
        expect(settings.delegate.defaultBudget.usd).toBe(2);
    });
});

describe('migrateSettings: the new fields take their default when invalid, with a note each', () => {
    it.each([
        ['context', 'instructionsNote', '../outside.md', ''],
        ['context', 'instructionsNote', 42, ''],
        ['context', 'budgetShare', 0, 0.25],
        ['context', 'budgetShare', 1.5, 0.25],
        ['context', 'budgetShare', '25%', 0.25],
        ['context', 'embedDepth', -1, 3],
        ['context', 'embedDepth', 2.5, 3],
        ['context', 'mentionListLimit', 0, 20],
        ['guidance', 'skillsFolder', '', 'Agent/Skills'],
        ['guidance', 'skillsFolder', '../Skills', 'Agent/Skills'],
        ['guidance', 'commandsFolder', ['Commands'], 'Agent/Commands'],
        ['spend', 'dailyCapUsd', -5, 0],
        ['spend', 'dailyCapUsd', 'lots', 0],
        ['spend', 'compactAtShare', 1, 0.8],
        ['spend', 'compactAtShare', 0.1, 0.8],
        ['delegate', 'maxAttempts', 0, 3],
        ['delegate', 'maxAttempts', 1.5, 3],
    ])('%s.%s = %j becomes %j', (group, name, value, expected) => {
        const { settings, notes } = ok({ ...V1, [group]: { [name]: value } });
        expect((settings[group as keyof Settings] as unknown as Record<string, unknown>)[name]).toEqual(expected);
        expect(notes).toEqual([expect.stringMatching(new RegExp(`${group}\\.${name} was not valid`))]);
    });

    it.each([
        [
            { turns: 0, usd: 0.5 },
            { turns: 30, usd: 0.5 },
        ],
        [
            { turns: 10, usd: 0 },
            { turns: 10, usd: 0.5 },
        ],
        [
            { turns: 10, usd: -1 },
            { turns: 10, usd: 0.5 },
        ],
        [
            { turns: '10', usd: 2 },
            { turns: 30, usd: 2 },
        ],
    ])('a job budget of %j is read as %j: every limit must be above zero', (defaultBudget, expected) => {
        const { settings, notes } = ok({ ...V1, delegate: { ...V1.delegate, defaultBudget } });
        expect(settings.delegate.defaultBudget).toEqual(expected);
        expect(notes.join(' ')).toMatch(/delegate\.defaultBudget\.\w+ was not valid/);
    });

    it('keeps valid values, normalising paths', () => {
        const { settings, notes } = ok({
            ...V1,
            context: { instructionsNote: ' /Meta/Rules.md ', budgetShare: 0.4, embedDepth: 0, mentionListLimit: 50 },
            guidance: { skillsFolder: '/Team/Skills/', commandsFolder: 'Team/Commands' },
            spend: { dailyCapUsd: 3, compactAtShare: 0.9 },
            delegate: { ...V1.delegate, maxAttempts: 5, defaultBudget: { turns: 12, usd: 1.25 } },
        });
        expect(settings.context).toEqual({
            instructionsNote: 'Meta/Rules.md',
            budgetShare: 0.4,
            embedDepth: 0,
            mentionListLimit: 50,
        });
        expect(settings.guidance).toEqual({ skillsFolder: 'Team/Skills', commandsFolder: 'Team/Commands' });
        expect(settings.spend).toEqual({ dailyCapUsd: 3, compactAtShare: 0.9 });
        expect(settings.delegate.defaultBudget).toEqual({ turns: 12, usd: 1.25 });
        expect(notes).toEqual([]);
    });

    it('reads a new section of the wrong type as its defaults', () => {
        const { settings, notes } = ok({ ...V1, context: 'big', spend: [1], guidance: null });
        expect(settings.context).toEqual(DEFAULT_SETTINGS.context);
        expect(settings.spend).toEqual(DEFAULT_SETTINGS.spend);
        expect(settings.guidance).toEqual(DEFAULT_SETTINGS.guidance);
        expect(notes).toHaveLength(3);
    });
});

describe('migrateSettings v2: privacy still fails closed (docs/RELIABILITY.md row 14)', () => {
    it.each([
        ['unreadable', 'yes'],
        ['tags not a list', { excludedTags: 'private', excludedFolders: [] }],
        ['folders with a number', { excludedTags: ['private'], excludedFolders: [3] }],
    ])('refuses a version 2 file whose exclusions are %s, however valid the rest', (_label, privacy) => {
        const result = migrateSettings({ ...ok(undefined).settings, privacy });
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toMatch(/nothing will be sent/);
    });

    // Before decision 0001 changed, such a copy got the default exclusions, dropping the folders it had excluded.
    it('refuses an old synced copy without exclusions rather than give it the defaults', () => {
        const { privacy: _privacy, ...withoutPrivacy } = V1;
        const result = migrateSettings(withoutPrivacy);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error).toMatch(/no exclusions \(privacy\) section.*nothing will be sent/);
    });
});

describe('migrateSettings v2: MCP servers', () => {
    const server = {
        name: 'files',
        transport: 'stdio',
        command: 'npx',
        args: ['-y', 'some-server'],
        env: { API_KEY: 'plain-token-value', LOG_LEVEL: 'info', OTHER: KEY },
        enabled: true,
    };

    it('drops key-like environment variables and headers, keeps the rest, and says so (docs/RELIABILITY.md row 23)', () => {
        const http = {
            name: 'remote',
            transport: 'http',
            url: 'https://mcp.example.invalid/mcp',
            headers: { 'x-api-key': 'header-token', Accept: 'application/json' },
        };
        const { settings, notes } = ok({ ...V1, mcp: { servers: [server, http] } });
        const out = JSON.stringify(settings);
        expect(out).not.toContain('plain-token-value');
        expect(out).not.toContain('header-token');
        expect(out).not.toContain(KEY);
        expect(containsSecret(settings)).toBe(false);
        const [files, remote] = settings.mcp.servers;
        expect(files).toMatchObject({ name: 'files', env: { LOG_LEVEL: 'info' } });
        expect(remote).toMatchObject({ name: 'remote', headers: { Accept: 'application/json' } });
        expect(notes).toContain(MCP_KEY_DROPPED_NOTE);
        expect(notes.join(' ')).not.toContain('plain-token-value');
    });

    it('appends the MCP parser’s notes and leaves out a server it cannot understand', () => {
        const { settings, notes } = ok({
            ...V1,
            mcp: { servers: [{ name: 'broken', transport: 'stdio' }, server], connectTimeoutMs: 5 },
        });
        expect(settings.mcp.servers.map((s) => s.name)).toEqual(['files']);
        expect(settings.mcp.connectTimeoutMs).toBe(30_000);
        expect(notes.join(' ')).toMatch(/MCP server 1 was left out: "broken" has no command/);
        expect(notes.join(' ')).toMatch(/connect timeout/);
    });

    it('reads an MCP section that is not an object as no servers, with a note', () => {
        const { settings, notes } = ok({ ...V1, mcp: 'on' });
        expect(settings.mcp.servers).toEqual([]);
        expect(notes.join(' ')).toMatch(/MCP settings were not readable/);
    });
});
