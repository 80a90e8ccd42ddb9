import type { App as ObsidianApp, Plugin as ObsidianPlugin } from 'obsidian';
import { afterEach, describe, expect, it } from 'vitest';
import { MapConsentStore, type LaunchDescription } from '../../src/agent/mcp/mcp-consent';
import { McpHub } from '../../src/agent/mcp/mcp-hub';
import { CommandCatalog } from '../../src/context/commands';
import { ExclusionGate } from '../../src/context/exclusions';
import { SkillCatalog } from '../../src/context/skills';
import { ObsidianSecretStore } from '../../src/obsidian/secret-store';
import type { McpServerConfig } from '../../src/kernel/mcp-settings';
import { DEFAULT_SETTINGS, type Settings } from '../../src/kernel/settings';
import { SettingsStore } from '../../src/kernel/settings-store';
import { VaultAgentSettingTab, type McpHubView } from '../../src/views/settings/settings-tab';
import {
    App,
    FakeElement,
    Plugin,
    settingsIn,
    type ButtonComponent,
    type DropdownComponent,
    type Setting,
    type TextComponent,
    type ToggleComponent,
} from '../support/obsidian-stub';
import { QUIET_MS } from '../../src/vault/quiet-files';
import { makeTempVault, type TempVault } from '../support/temp-vault';

const MANIFEST = { id: 'vault-agent', name: 'Vault Agent', version: '0.1.0' };
const CANARY = 'CANARY-settings-tab-4e1b';

const opened: TempVault[] = [];
afterEach(async () => {
    await Promise.all(opened.splice(0).map((temp) => temp.cleanup()));
});

interface OpenOptions {
    files?: Record<string, string>;
    stored?: Partial<Settings>;
    hub?: (settings: Settings) => McpHubView;
    catalogs?: boolean;
    isDesktop?: boolean;
}

/** A settings tab over a real temp vault and a real store, rendered with the stub. */
async function openTab(options: OpenOptions = {}) {
    const temp = await makeTempVault(options.files ?? {});
    opened.push(temp);
    // A vault at rest: a read of a note changed a moment ago waits until it is quiet (quiet-files.ts).
    await atRest();
    const app = new App();
    const saved: unknown[] = [];
    const store = new SettingsStore({
        persistence: {
            load: () =>
                Promise.resolve(
                    options.stored ? { ...structuredClone(DEFAULT_SETTINGS), ...options.stored } : undefined,
                ),
            save: (data) => {
                saved.push(JSON.parse(JSON.stringify(data)));
                return Promise.resolve();
            },
        },
    });
    await store.load();
    const settings = (): Settings => store.settings ?? DEFAULT_SETTINGS;
    const gate = () => new ExclusionGate({ vault: temp.vault, privacy: settings().privacy });
    const hub = options.hub?.(settings());
    const tab = new VaultAgentSettingTab({
        app: app as unknown as ObsidianApp,
        plugin: new Plugin(app, MANIFEST) as unknown as ObsidianPlugin,
        store,
        secrets: new ObsidianSecretStore({ app: app as unknown as ObsidianApp }),
        vault: temp.vault,
        resetToDefaults: () => Promise.resolve(),
        isDesktop: options.isDesktop ?? true,
        skills:
            options.catalogs === true
                ? () =>
                      new SkillCatalog({
                          vault: temp.vault,
                          exclusions: (vault) => new ExclusionGate({ vault, privacy: settings().privacy }),
                          skillsFolder: settings().guidance.skillsFolder,
                      })
                : undefined,
        commands:
            options.catalogs === true
                ? () =>
                      new CommandCatalog({
                          vault: temp.vault,
                          gate,
                          commandsFolder: settings().guidance.commandsFolder,
                      })
                : undefined,
        mcpHub: hub,
    });
    tab.display();
    await settle();
    const root = tab.containerEl as unknown as FakeElement;
    const rows = (): Setting[] => settingsIn(tab.containerEl);
    const row = (name: string, nth = 0): Setting => {
        const found = rows().filter((s) => s.nameEl.textContent === name)[nth];
        if (!found) throw new Error(`no setting named "${name}"`);
        return found;
    };
    return { temp, store, saved, tab, root, rows, row, text: () => root.textContent };
}

/** Waits until files written just now count as quiet. */
function atRest(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, QUIET_MS + 10));
}

async function settle(): Promise<void> {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

function type(setting: Setting, value: string): void {
    const input = (setting.components[0] as TextComponent).inputEl;
    input.value = value;
    input.dispatch('input');
}

function click(setting: Setting, index = 0): void {
    (setting.components[index] as ButtonComponent).buttonEl.dispatch('click');
}

function buttonNamed(root: FakeElement, text: string): FakeElement {
    const found = root.findAll((el) => el.tagName === 'button' && el.textContent === text)[0];
    if (!found) throw new Error(`no button "${text}"`);
    return found;
}

const errorOf = (setting: Setting) =>
    setting.infoEl.findAll((el) => el.hasClass('vault-agent-setting-error'))[0]?.textContent ?? '';

const headings = (rows: Setting[]) =>
    rows.filter((s) => s.settingEl.hasClass('setting-item-heading')).map((s) => s.nameEl.textContent);

const STDIO: McpServerConfig = {
    name: 'files',
    transport: 'stdio',
    command: 'npx',
    args: ['-y', 'files-server', 'a folder'],
    env: { LOG_LEVEL: 'info' },
    enabled: true,
    toolPolicies: {},
    readOnlyTools: [],
    readsVault: false,
};

describe('the settings tab: sections', () => {
    it('renders every section, in order, with sentence-case headings', async () => {
        const { rows } = await openTab({ catalogs: true });
        expect(headings(rows())).toEqual([
            'Model',
            'Privacy',
            'Context',
            'Skills and commands',
            'Chat',
            'Delegate',
            'Delivery',
            'Spend',
            'Web research',
            'MCP servers',
            'Jobs from MCP clients',
        ]);
    });

    it('saves the delivery and MCP job settings, and refuses what does not parse', async () => {
        const { row, store } = await openTab();
        type(row('Webhook URL'), 'https://hooks.example.invalid/vault');
        type(row('Ntfy topic'), 'my-vault-7f3a');
        type(row('Tries per message'), '2');
        type(row('Budget of each job'), '8, 0.4');
        type(row('Budgets by client'), 'Claude Desktop: 20, 1\nclaude-code: 5, 0.1');
        await settle();
        expect(store.settings).toMatchObject({
            delivery: { webhookUrl: 'https://hooks.example.invalid/vault', ntfyTopic: 'my-vault-7f3a', attempts: 2 },
            mcpJobs: {
                enabled: false,
                budget: { turns: 8, usd: 0.4 },
                clients: { 'Claude Desktop': { turns: 20, usd: 1 }, 'claude-code': { turns: 5, usd: 0.1 } },
            },
        });
        type(row('Webhook URL'), 'ftp://example.invalid');
        type(row('Budgets by client'), 'no budget here');
        await settle();
        expect(errorOf(row('Webhook URL'))).toMatch(/http/);
        expect(errorOf(row('Budgets by client'))).toMatch(/client name: turns, dollars/);
        expect(store.settings?.delivery?.webhookUrl).toBe('https://hooks.example.invalid/vault');
    });

    it('saves each new field through the store, as the value the settings keep', async () => {
        const { row, saved, store } = await openTab();
        type(row('Instructions note'), 'Meta/Rules.md');
        type(row('Context budget'), '40%');
        type(row('Embed depth'), '0');
        type(row('Notes per folder or tag mention'), '50');
        type(row('Skills folder'), 'Team/Skills/');
        type(row('Commands folder'), 'Team/Commands');
        type(row('Attempts per job'), '5');
        type(row('Default turn budget'), '12');
        type(row('Default cost budget (USD)'), '1,25');
        type(row('Daily spending cap (USD)'), '3.5');
        type(row('Compact conversations at'), '90');
        await settle();
        expect(store.settings).toMatchObject({
            context: { instructionsNote: 'Meta/Rules.md', budgetShare: 0.4, embedDepth: 0, mentionListLimit: 50 },
            guidance: { skillsFolder: 'Team/Skills', commandsFolder: 'Team/Commands' },
            delegate: { maxAttempts: 5, defaultBudget: { turns: 12, usd: 1.25 } },
            spend: { dailyCapUsd: 3.5, compactAtShare: 0.9 },
        });
        expect(saved.at(-1)).toEqual(store.settings);
    });

    it('saves the web research fields: domains cleaned one a line, the cap bounded', async () => {
        const { row, store } = await openTab();
        type(row('Blocked domains'), 'Tracker.Example\nhttps://ads.example/x');
        type(row('Searches and fetches per request'), '3');
        await settle();
        expect(store.settings?.web).toMatchObject({
            enabled: false,
            blockedDomains: ['tracker.example', 'ads.example'],
            maxUsesPerTurn: 3,
        });
    });

    it('refuses what does not parse, says why, and saves nothing', async () => {
        const { row, saved } = await openTab();
        const cases: [string, string, RegExp][] = [
            ['Instructions note', '../Rules.md', /inside the vault/],
            ['Instructions note', '.obsidian/rules.md', /protected/],
            ['Context budget', '1', /percentage from 5 to 90/],
            ['Context budget', 'a quarter', /percentage/],
            ['Embed depth', '11', /0 to 10/],
            ['Notes per folder or tag mention', '0', /1 to 200/],
            ['Skills folder', '../Skills', /inside the vault/],
            ['Commands folder', '.git/commands', /protected/],
            ['Attempts per job', '0', /1 to 10/],
            ['Default turn budget', '-3', /whole number/],
            ['Default cost budget (USD)', '0', /0.01 to 1000/],
            ['Daily spending cap (USD)', 'lots', /number from 0/],
            ['Compact conversations at', '100', /50 to 95/],
        ];
        for (const [name, value, message] of cases) {
            type(row(name), value);
            await settle();
            expect(errorOf(row(name)), `${name} = ${value}`).toMatch(message);
        }
        expect(saved).toEqual([]);
    });
});

describe('the settings tab: skills and commands', () => {
    const files = {
        'Agent/Skills/meeting-brief/SKILL.md':
            '---\nname: meeting-brief\ndescription: Prepares a brief before a meeting.\n---\nSteps.\n',
        'Agent/Skills/no-description/SKILL.md': '---\nname: no-description\n---\nSteps.\n',
        'Agent/Skills/secret-skill/SKILL.md': `---\nname: secret-skill\ndescription: ${CANARY}\ntags: [private]\n---\nx\n`,
        'Agent/Commands/Weekly digest.md': '---\ndescription: Digest of the week.\n---\nDigest $ARGUMENTS.\n',
        'Agent/Commands/Broken.md': '---\nmode: [1\n---\nx\n',
    };

    it('lists each skill and command with its description, the problems with what to fix, and the excluded count', async () => {
        const { text, root } = await openTab({ files, catalogs: true });
        const shown = text();
        expect(shown).toContain('meeting-brief');
        expect(shown).toContain('Prepares a brief before a meeting.');
        expect(shown).toContain('/weekly-digest');
        expect(shown).toContain('Digest of the week.');
        expect(shown).toContain('1 skill excluded by privacy settings.');
        expect(shown).not.toContain(CANARY);
        expect(shown).not.toContain('secret-skill');
        const problems = root.findAll((el) => el.hasClass('vault-agent-guidance-problem'));
        const problemText = problems.map((el) => el.textContent).join('\n');
        expect(problemText).toContain('Agent/Skills/no-description/SKILL.md');
        expect(problemText).toContain('Agent/Commands/Broken.md');
        expect(problems.some((el) => el.hasClass('vault-agent-guidance-error'))).toBe(true);
    });

    it('Refresh scans again: a skill added since the tab opened appears', async () => {
        const { text, temp, row } = await openTab({ files, catalogs: true });
        expect(text()).not.toContain('daily-review');
        await temp.write(
            'Agent/Skills/daily-review/SKILL.md',
            '---\nname: daily-review\ndescription: Reviews the day.\n---\nSteps.\n',
        );
        await atRest();
        await temp.vault.scan();
        click(row('Found in the vault'));
        await settle();
        expect(text()).toContain('Reviews the day.');
    });
});

describe('the settings tab: MCP servers', () => {
    it('adds a server only once it validates, then removes it after a confirmation', async () => {
        const { root, row, store, text } = await openTab();
        expect(text()).toContain('No servers yet.');
        click(row('Add server'));
        await settle();
        type(row('Name'), 'files');
        await settle();
        expect(store.settings?.mcp.servers).toEqual([]);
        expect(errorOf(row('Name'))).toMatch(/has no command/);

        type(row('Command'), 'npx\n-y\nfiles-server');
        type(row('Environment'), 'LOG_LEVEL=info');
        await settle();
        expect(store.settings?.mcp.servers).toEqual([{ ...STDIO, args: ['-y', 'files-server'] }]);

        type(row('Environment'), `LOG_LEVEL=info\nAPI_KEY=${CANARY}`);
        await settle();
        expect(errorOf(row('Environment'))).toMatch(/"API_KEY" holds a key/);
        expect(JSON.stringify(store.settings)).not.toContain(CANARY);

        buttonNamed(root, 'Remove…').dispatch('click');
        expect(store.settings?.mcp.servers).toHaveLength(1);
        click(row('Remove "files"?'), 0);
        expect(() => row('Remove "files"?')).toThrow();
        buttonNamed(root, 'Remove…').dispatch('click');
        click(row('Remove "files"?'), 1);
        await settle();
        expect(store.settings?.mcp.servers).toEqual([]);
        expect(text()).toContain('No servers yet.');
    });

    it('offers programs (stdio) only on desktop', async () => {
        const desktop = await openTab();
        click(desktop.row('Add server'));
        const options = (setting: Setting) =>
            (setting.components[0] as DropdownComponent).selectEl.children.map((o) => o.getAttr('value'));
        expect(options(desktop.row('Transport'))).toEqual(['stdio', 'http']);

        const mobile = await openTab({ isDesktop: false });
        click(mobile.row('Add server'));
        expect(options(mobile.row('Transport'))).toEqual(['http']);
        type(mobile.row('URL'), 'https://mcp.example.invalid/mcp');
        await settle();
        expect(mobile.store.settings?.mcp.servers[0]).toMatchObject({ transport: 'http', name: 'server-1' });
    });

    it('shows a consent card with the exact command line; Allow grants consent for exactly what was shown', async () => {
        const granted: LaunchDescription[] = [];
        let real: McpHub | null = null;
        const consent = new MapConsentStore();
        const { root, text } = await openTab({
            stored: { mcp: { servers: [STDIO], connectTimeoutMs: 30_000, callTimeoutMs: 60_000 } },
            hub: (settings) => {
                const hub = new McpHub({
                    settings: settings.mcp,
                    consent,
                    transports: { open: () => Promise.reject(new Error('not launched in this test')) },
                });
                real = hub;
                return {
                    status: () => hub.status(),
                    launchesNeedingConsent: () => hub.launchesNeedingConsent(),
                    grantConsent: (shown) => {
                        granted.push(shown);
                        return hub.grantConsent(shown);
                    },
                };
            },
        });
        const codes = root.findAll((el) => el.tagName === 'code');
        expect(codes.map((el) => el.textContent)).toEqual(["LOG_LEVEL=… npx -y files-server 'a folder'"]);
        expect(text()).toContain('Allow "files" to run this command on this device?');

        buttonNamed(root, 'Allow on this device').dispatch('click');
        await settle();
        expect(granted).toHaveLength(1);
        expect(granted[0]?.commandLine).toBe("LOG_LEVEL=… npx -y files-server 'a folder'");
        expect(await (real as McpHub | null)?.launchesNeedingConsent()).toEqual([]);
        expect(text()).toContain('"files" is allowed on this device.');
    });

    it('sets a policy per tool and vouches for read-only tools, fed from the hub’s status', async () => {
        const hub: McpHubView = {
            status: () => [
                {
                    server: 'files',
                    state: 'connected',
                    message: '2 tools.',
                    launch: { server: 'files', transport: 'stdio', commandLine: 'npx', settingNames: [], hash: 'h' },
                    readsVault: false,
                    toolCount: 2,
                    tools: ['read_file', 'write_file'],
                },
            ],
            launchesNeedingConsent: () => Promise.resolve([]),
            grantConsent: () => Promise.resolve(false),
        };
        const { row, store, text } = await openTab({
            stored: { mcp: { servers: [STDIO], connectTimeoutMs: 30_000, callTimeoutMs: 60_000 } },
            hub: () => hub,
        });
        expect(text()).toContain('2 tools.');
        const write = row('write_file').components[0] as DropdownComponent;
        write.selectEl.value = 'deny';
        write.selectEl.dispatch('change');
        await settle();
        (row('read_file').components[1] as ToggleComponent).toggleEl.dispatch('click');
        await settle();
        expect(store.settings?.mcp.servers[0]).toMatchObject({
            toolPolicies: { write_file: 'deny' },
            readOnlyTools: ['read_file'],
        });
    });
});
