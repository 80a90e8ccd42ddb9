/**
 * One composition root for the plugin and every CLI command: what the plugin does with the settings, the built
 * `dist/cli.js` does too. Each case runs the real command as a child process on a temp vault against the local
 * Messages-API server and asserts on what the server received:
 *
 * 1. `ask` sizes the context budget from `settings.context.budgetShare`, like the plugin's chat;
 * 2. jobs receive `settings.context`: the chosen instructions note is sent with a job;
 * 3. `ask` loads skills from `.claude/skills/`, like `run` and the plugin;
 * 4. `enqueue --command NAME` attaches the command note's `@#tag` context (excluded notes left out), and an
 *    `@[[Note]]` in a CLI brief is attached, like the plugin's enqueue dialog does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import nodePath from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
    startMessagesApiServer,
    textTurn,
    type MessagesApiServer,
    type RecordedRequest,
} from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';
import { buildCli, makeCliHome, runCli, type CliHome, type CliRun } from './cli-harness';

const SETTINGS_FILE = '.obsidian/plugins/vault-agent/data.json';
const JOBS = 'Agent/Jobs';

/**
 * About 15k tokens: more than one note may take of the smallest budget share (half of 5% of a 200k window), well
 * within what it may take of the default 25%.
 */
const BIG_NOTE = `# Big\n\n${'Plain words about the project, one line of many to fill the note.\n'.repeat(900)}`;

/** How the note is sent: whole, or cut to fit (its citable document says `truncated: N lines cut`). */
function bigNoteSent(request: RecordedRequest): 'whole' | 'cut' | 'absent' {
    const body = request.body as { messages?: { content?: unknown }[] };
    const blocks = (body.messages ?? []).flatMap((message) =>
        Array.isArray(message.content) ? (message.content as unknown[]) : [],
    );
    const document = blocks.find(
        (block): block is { title?: string; context?: string } =>
            typeof block === 'object' && block !== null && (block as { title?: unknown }).title === 'Big.md',
    );
    if (document === undefined) return 'absent';
    return (document.context ?? '').includes('truncated') ? 'cut' : 'whole';
}

let server: MessagesApiServer;
let home: CliHome;
const vaults: TempVault[] = [];

function settings(extra: Record<string, unknown> = {}): string {
    return JSON.stringify({
        version: 2,
        privacy: { excludedTags: ['private'], excludedFolders: [] },
        delegate: { jobsFolder: JOBS, outputFolder: 'Agent/Outputs', concurrency: 1 },
        ...extra,
    });
}

async function vault(files: Record<string, string>): Promise<TempVault> {
    const made = await makeTempVault(files);
    vaults.push(made);
    return made;
}

function cli(root: string, args: string[]): Promise<CliRun> {
    return runCli([args[0] ?? '', '--vault', root, ...args.slice(1)], {
        env: { ANTHROPIC_API_KEY: server.apiKey, ANTHROPIC_BASE_URL: server.baseURL },
        home: home.dir,
        timeoutMs: 30_000,
    });
}

/** Everything the model was sent in one request: system prompt and messages. */
function sent(request: RecordedRequest): string {
    return JSON.stringify(request.body);
}

/** The system prompt of a request, as text. */
function systemOf(request: RecordedRequest): string {
    return JSON.stringify((request.body as { system?: unknown }).system ?? '');
}

/** The one job note in the vault's jobs folder. */
function onlyJobNote(root: string): string {
    const files = readdirSync(nodePath.join(root, JOBS)).filter((name) => name.endsWith('.md'));
    expect(files).toHaveLength(1);
    return readFileSync(nodePath.join(root, JOBS, files[0] ?? ''), 'utf8');
}

beforeAll(async () => {
    await buildCli();
    server = await startMessagesApiServer();
    home = await makeCliHome();
}, 60_000);

beforeEach(() => {
    server.requests.length = 0;
    server.setResponder(() => textTurn('Done.'));
});

afterAll(async () => {
    await server.close();
    await home.cleanup();
    for (const made of vaults) await made.cleanup();
});

describe('vault-agent ask builds its services like the plugin', () => {
    it('sizes the context budget from settings.context.budgetShare', async () => {
        const files = { 'Big.md': BIG_NOTE, 'Plan.md': '# Plan\nShip it.\n' };
        const roomy = await vault({ ...files, [SETTINGS_FILE]: settings() });
        const tight = await vault({ ...files, [SETTINGS_FILE]: settings({ context: { budgetShare: 0.05 } }) });

        const wide = await cli(roomy.root, ['ask', 'Summarise @[[Big]]']);
        expect(wide.code, wide.stderr).toBe(0);
        expect(bigNoteSent(server.messageRequests()[0] as RecordedRequest)).toBe('whole');

        server.requests.length = 0;
        const narrow = await cli(tight.root, ['ask', 'Summarise @[[Big]]']);
        expect(narrow.code, narrow.stderr).toBe(0);
        expect(server.messageRequests().length).toBeGreaterThan(0);
        // A twentieth of the window cannot hold the whole note: it is cut to fit.
        expect(bigNoteSent(server.messageRequests()[0] as RecordedRequest)).toBe('cut');
    }, 60_000);

    it('loads skills from .claude/skills/ like run and the plugin', async () => {
        const made = await vault({
            [SETTINGS_FILE]: settings(),
            'Plan.md': '# Plan\n',
            '.claude/skills/tidy-notes/SKILL.md':
                '---\nname: tidy-notes\ndescription: Tidies meeting notes CLAUDE-SKILL-3b9d.\n---\nSort the bullets.\n',
        });
        const run = await cli(made.root, ['ask', 'What can you do?']);
        expect(run.code, run.stderr).toBe(0);
        const system = systemOf(server.messageRequests().at(-1) as RecordedRequest);
        expect(system).toContain('tidy-notes');
        expect(system).toContain('CLAUDE-SKILL-3b9d');
    }, 60_000);
});

describe('jobs receive settings.context', () => {
    it('sends the instructions note chosen in settings with a job', async () => {
        const made = await vault({
            [SETTINGS_FILE]: settings({ context: { instructionsNote: 'Guides/House rules.md' } }),
            'Guides/House rules.md': '# House rules\nAlways answer in haiku HOUSE-RULES-51aa.\n',
            'AGENTS.md': '# Agents\nThe default instructions AGENTS-DEFAULT-0c2f.\n',
        });
        const queued = await cli(made.root, ['enqueue', 'Write a status report']);
        expect(queued.code, queued.stderr).toBe(0);
        const ran = await cli(made.root, ['run']);
        expect(ran.code, ran.stderr).toBe(0);
        expect(server.messageRequests().length).toBeGreaterThan(0);
        const system = systemOf(server.messageRequests()[0] as RecordedRequest);
        expect(system).toContain('HOUSE-RULES-51aa');
        expect(system).not.toContain('AGENTS-DEFAULT-0c2f');
    }, 60_000);
});

describe('vault-agent enqueue attaches context like the enqueue dialog', () => {
    it('attaches a command note’s @#tag: every note with the tag, excluded ones left out', async () => {
        const made = await vault({
            [SETTINGS_FILE]: settings(),
            'Agent/Commands/Followup.md':
                '---\ndescription: Follow up with customers\n---\nDraft a follow-up for @#customer about $ARGUMENTS.\n',
            'Customers/Acme.md': '---\ntags: [customer]\n---\nAcme buys anvils ACME-9d21.\n',
            'Customers/Globex.md': 'Globex #customer wants a demo GLOBEX-44e0.\n',
            'Customers/Secret.md': '---\ntags: [customer, private]\n---\nA private deal SECRET-CANARY-7a77.\n',
            'Other.md': 'Not a customer OTHER-1f5b.\n',
        });
        const queued = await cli(made.root, ['enqueue', '--command', 'followup', 'the price list']);
        expect(queued.code, queued.stderr).toBe(0);
        expect(onlyJobNote(made.root)).toContain('#customer');
        const ran = await cli(made.root, ['run']);
        expect(ran.code, ran.stderr).toBe(0);
        const first = sent(server.messageRequests()[0] as RecordedRequest);
        expect(first).toContain('ACME-9d21');
        expect(first).toContain('GLOBEX-44e0');
        expect(first).not.toContain('OTHER-1f5b');
        for (const request of server.messageRequests()) expect(sent(request)).not.toContain('SECRET-CANARY-7a77');
        expect(`${queued.stdout}${queued.stderr}${ran.stdout}${ran.stderr}`).not.toContain('SECRET-CANARY-7a77');
    }, 60_000);

    it('attaches an @[[Note]] written in the brief', async () => {
        const made = await vault({
            [SETTINGS_FILE]: settings(),
            'Projects/Plan.md': '# Plan\nShip the vault agent PLAN-BODY-62c8.\n',
        });
        const queued = await cli(made.root, ['enqueue', 'Summarise @[[Plan]] in three lines']);
        expect(queued.code, queued.stderr).toBe(0);
        expect(onlyJobNote(made.root)).toContain('[[Plan]]');
        const ran = await cli(made.root, ['run']);
        expect(ran.code, ran.stderr).toBe(0);
        expect(sent(server.messageRequests()[0] as RecordedRequest)).toContain('PLAN-BODY-62c8');
    }, 60_000);
});
