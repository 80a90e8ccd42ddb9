/**
 * Settings fail closed, through the built `dist/cli.js` run as a child process on real temp vaults with real settings
 * files. Settings that say nothing about privacy (`null`, `{}`, an old copy without a privacy section, `privacy: {}`),
 * a settings path that is a FIFO, a device or a 50 MB file, a wrong `--config-dir` and `--vault` pointing at a parent
 * folder are all refused with a message that says why (and names settings found elsewhere), and nothing reaches the
 * local Messages-API server: the note in the person's excluded folder is never sent. A vault with no settings file
 * runs only with `--default-settings`. Row: settings fail closed (CLI).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome, type CliRun } from './cli-harness';

/** In a note excluded only by the person's folder rule: the defaults would let it through. */
const CANARY = `CANARY-${Math.random().toString(36).slice(2)}-SETTINGS`;
/** In a note tagged #private: even the defaults keep it out. */
const TAG_CANARY = `CANARY-${Math.random().toString(36).slice(2)}-TAGGED`;

const SETTINGS_PATH = '.obsidian/plugins/vault-agent/data.json';
const GOOD_SETTINGS = {
    version: 2,
    privacy: { excludedTags: ['private'], excludedFolders: ['Journal/'] },
    delegate: { jobsFolder: 'Agent/Jobs', outputFolder: 'Agent/Outputs', concurrency: 1 },
};
const NOTES: Record<string, string> = {
    'Plan.md': '# Plan\n\nShip the vault agent.\n',
    'Journal/Secret.md': `# Secret\n\n${CANARY}\n`,
    'Tagged.md': `#private ${TAG_CANARY}\n`,
};
const PROMPT = 'What is in @[[Plan]], @[[Journal/Secret]] and @[[Tagged]]?';

let server: MessagesApiServer;
let home: CliHome;
const temps: TempVault[] = [];

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    server.setDefault(textTurn('An answer.'));
    home = await makeCliHome();
}, 60_000);

afterEach(async () => {
    for (const temp of temps.splice(0)) await temp.cleanup();
});

afterAll(async () => {
    expect(server.allRequestText()).not.toContain(CANARY);
    expect(server.allRequestText()).not.toContain(TAG_CANARY);
    await server.close();
    await home.cleanup();
});

async function vault(files: Record<string, string> = {}): Promise<TempVault> {
    const temp = await makeTempVault({ ...NOTES, ...files });
    temps.push(temp);
    return temp;
}

function cli(command: string, root: string, extra: string[] = [], timeoutMs = 20_000): Promise<CliRun> {
    return runCli([command, '--vault', root, ...extra], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
        home: home.dir,
        timeoutMs,
    });
}

/** Runs `ask` and expects a refusal (exit 2) before any request, with the canaries never sent. */
async function expectRefused(root: string, extra: string[] = [], timeoutMs = 20_000): Promise<CliRun> {
    const before = server.requests.length;
    const run = await cli('ask', root, [...extra, PROMPT], timeoutMs);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Nothing was done');
    expect(run.stdout).toBe('');
    expect(server.requests.length).toBe(before);
    expect(server.allRequestText()).not.toContain(CANARY);
    return run;
}

describe('settings that say nothing about privacy are refused', () => {
    it.each([
        ['null', 'null', /holds no settings/],
        ['{}', '{}', /no exclusions \(privacy\) section/],
        [
            'an old copy without a privacy section',
            JSON.stringify({ version: 1, model: { defaultModel: 'claude-sonnet-5-5' }, chat: { defaultMode: 'ask' } }),
            /no exclusions \(privacy\) section/,
        ],
        ['privacy: {}', JSON.stringify({ ...GOOD_SETTINGS, privacy: {} }), /no excluded tags list/],
        [
            'a privacy section without its folder list',
            JSON.stringify({ ...GOOD_SETTINGS, privacy: { excludedTags: ['private'] } }),
            /no excluded folders list/,
        ],
    ])('ask refuses a settings file holding %s and sends nothing', async (_label, text, why) => {
        const temp = await vault({ [SETTINGS_PATH]: text });
        const run = await expectRefused(temp.root);
        expect(run.stderr).toMatch(why);
        expect(run.stderr).toContain(nodePath.join(temp.root, ...SETTINGS_PATH.split('/')));
    });

    it('run, enqueue, status and mcp refuse them too, and --default-settings does not override them', async () => {
        const temp = await vault({ [SETTINGS_PATH]: '{}', 'Agent/Jobs/Job.md': '---\nstatus: queued\n---\nDo it\n' });
        const before = server.requests.length;
        for (const [command, extra] of [
            ['run', []],
            ['enqueue', ['A brief']],
            ['status', []],
            ['mcp', []],
            ['ask', ['--default-settings', PROMPT]],
            ['mcp', ['--default-settings']],
        ] as const) {
            const run = await cli(command, temp.root, [...extra]);
            expect(run.code, `${command} ${extra.join(' ')}`).toBe(2);
            expect(run.stderr).toMatch(/no exclusions \(privacy\) section/);
        }
        expect(server.requests.length).toBe(before);
        expect(temp.exists('Agent/Outputs')).toBe(false);
    });
});

describe('a settings path that is not a sane file is refused at once, never read', () => {
    it('a FIFO', async () => {
        const temp = await vault();
        mkdirSync(nodePath.join(temp.root, '.obsidian/plugins/vault-agent'), { recursive: true });
        execFileSync('mkfifo', [nodePath.join(temp.root, SETTINGS_PATH)]);
        const started = Date.now();
        const run = await expectRefused(temp.root, [], 8_000);
        expect(Date.now() - started).toBeLessThan(8_000);
        expect(run.stderr).toContain('named pipe (FIFO), not a regular file, so it was not read');
    });

    it('a link to a device', async () => {
        const temp = await vault();
        mkdirSync(nodePath.join(temp.root, '.obsidian/plugins/vault-agent'), { recursive: true });
        symlinkSync('/dev/zero', nodePath.join(temp.root, SETTINGS_PATH));
        const run = await expectRefused(temp.root, [], 8_000);
        expect(run.stderr).toContain('is a device, not a regular file');
    });

    it('a folder', async () => {
        const temp = await vault();
        mkdirSync(nodePath.join(temp.root, SETTINGS_PATH), { recursive: true });
        const run = await expectRefused(temp.root);
        expect(run.stderr).toContain('is a folder, not a regular file');
    });

    it('a 50 MB file, even one that is valid JSON with exclusions', async () => {
        const temp = await vault();
        mkdirSync(nodePath.join(temp.root, '.obsidian/plugins/vault-agent'), { recursive: true });
        const pad = 'x'.repeat(50 * 1024 * 1024);
        writeFileSync(
            nodePath.join(temp.root, SETTINGS_PATH),
            `{"version":2,"privacy":{"excludedTags":[],"excludedFolders":[]},"pad":"${pad}"}`,
        );
        const run = await expectRefused(temp.root);
        expect(run.stderr).toContain('larger than any settings file can be (over 5 MB), so it was not read');
    });
});

describe('a vault without settings at the given place', () => {
    it('is refused, naming the settings under another config folder (--config-dir)', async () => {
        const temp = await vault({ [SETTINGS_PATH]: JSON.stringify(GOOD_SETTINGS) });
        const run = await expectRefused(temp.root, ['--config-dir', '.obsidian-mobile']);
        expect(run.stderr).toContain('There are no Vault Agent settings in this vault');
        expect(run.stderr).toContain(
            `${nodePath.join(temp.root, ...SETTINGS_PATH.split('/'))} (use --config-dir .obsidian)`,
        );
        expect(run.stderr).toContain('--default-settings');
    });

    it('is refused when --vault is a parent folder, naming the vault one or two levels down', async () => {
        const parent = await makeTempVault({
            ...prefixed('MyVault/', { ...NOTES, [SETTINGS_PATH]: JSON.stringify(GOOD_SETTINGS) }),
            ...prefixed('Work/Notes/', { ...NOTES, [SETTINGS_PATH]: JSON.stringify(GOOD_SETTINGS) }),
        });
        temps.push(parent);
        const before = server.requests.length;
        const run = await cli('ask', parent.root, [
            'What is in @[[MyVault/Journal/Secret]] and @[[Work/Notes/Journal/Secret]]?',
        ]);
        expect(run.code).toBe(2);
        expect(server.requests.length).toBe(before);
        expect(run.stderr).toContain(`is the vault ${nodePath.join(parent.root, 'MyVault')}?`);
        expect(run.stderr).toContain(`use --vault ${nodePath.join(parent.root, 'Work', 'Notes')}`);
    });

    it('runs with the default exclusions only when --default-settings says so', async () => {
        const temp = await vault();
        const refused = await expectRefused(temp.root);
        expect(refused.stderr).toContain('pass --default-settings');

        const before = server.messageRequests().length;
        const run = await cli('ask', temp.root, ['--default-settings', 'What is in @[[Plan]] and @[[Tagged]]?']);
        expect(run.code).toBe(0);
        expect(run.stderr).toContain('as --default-settings asks, the defaults apply');
        const sent = JSON.stringify(
            server
                .messageRequests()
                .slice(before)
                .map((request) => request.body),
        );
        expect(sent).toContain('Ship the vault agent.');
        expect(sent).not.toContain(TAG_CANARY);
    });
});

/** Runs `ask` on a vault with these exclusions; what it printed, and every request it sent as one text. */
async function askWith(privacy: { excludedTags: string[]; excludedFolders: string[] }): Promise<[CliRun, string]> {
    const temp = await vault({ [SETTINGS_PATH]: JSON.stringify({ ...GOOD_SETTINGS, privacy }) });
    const before = server.requests.length;
    const run = await cli('ask', temp.root, [PROMPT]);
    const sent = server.requests
        .slice(before)
        .map((request) => JSON.stringify(request.body))
        .join('\n');
    return [run, sent];
}

describe('excluded folders and tags written by hand', () => {
    it.each([['./Journal'], ['Journal/..//Journal/.'], ['../Journal']])(
        'keeps the folder %j names out of every request',
        async (rule) => {
            const [run, sent] = await askWith({ excludedTags: ['private'], excludedFolders: [rule] });
            expect(run.code).toBe(0);
            expect(sent).toContain('Ship the vault agent.');
            expect(sent).not.toContain(CANARY);
        },
    );

    it('keeps notes out by each tag of a tag entry written as a list, "work, private"', async () => {
        const [run, sent] = await askWith({ excludedTags: ['work, private'], excludedFolders: ['Journal/'] });
        expect(run.code).toBe(0);
        expect(sent).toContain('Ship the vault agent.');
        expect(sent).not.toContain(TAG_CANARY);
    });

    it('reads "/" as the whole vault: nothing is sent from any note, and the person is told', async () => {
        const [run, sent] = await askWith({ excludedTags: ['private'], excludedFolders: ['/'] });
        expect(sent).not.toContain('Ship the vault agent.');
        expect(run.stderr).toMatch(/excluded folder \//u);
    });
});

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(files).map(([path, text]) => [`${prefix}${path}`, text]));
}
