/**
 * The README, followed as a newcomer would, from this clone. Its commands are taken from README.md itself, not
 * retyped here, and run for real: `npm run setup` into a copy of the example vault (the build the README asks for),
 * `vault-agent --version` and `vault-agent ask` through a `vault-agent` on PATH linked to `dist/cli.js` the way
 * `npm install -g .` links it, against the local Messages-API server with a made-up key, and the MCP snippets for
 * Claude Desktop and Claude Code started by the official MCP client. What it cannot do: `npm ci` (it would rewrite
 * the installed packages under the running tests; CI runs it on a clean clone) and `npm install -g .` (it would change
 * the machine); the link it makes in a temp folder is the one npm makes.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessagesApiServer, textTurn, type MessagesApiServer } from '../support/messages-api-server';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
/** Made up, as a newcomer with a local endpoint would; the local server is told to expect it. */
const DUMMY_KEY = 'any-text-will-do';
/** What a warning looks like in a Node program's or esbuild's output. */
const WARNING = /warn|deprecat|⚠/i;

/** The fenced blocks of `markdown` in language `lang`, each as its text. */
function codeBlocks(markdown: string, lang: string): string[] {
    const blocks: string[] = [];
    const fence = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm');
    for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) blocks.push(match[1] ?? '');
    return blocks;
}

/** The shell lines of all `sh` blocks, comments removed. */
function shellLines(): string[] {
    return codeBlocks(README, 'sh')
        .flatMap((block) => block.split('\n'))
        .map((line) => line.replace(/\s+#\s.*$/, '').trim())
        .filter((line) => line !== '');
}

/** The one README shell line that starts with `prefix`. */
function readmeLine(prefix: string): string {
    const lines = shellLines().filter((line) => line.startsWith(prefix));
    expect(lines, `README lines starting with "${prefix}"`).not.toEqual([]);
    return lines[0] ?? '';
}

/** Fills the README's placeholders with this clone and the test vault. */
function fill(text: string, vault: string): string {
    return text.replaceAll('/path/to/vault-agent', REPO.replace(/\/$/, '')).replaceAll('/path/to/your/vault', vault);
}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Runs one README line in bash with exactly `env` (no inherited ANTHROPIC_* or npm variables). */
function bash(line: string, env: Record<string, string>, cwd = REPO): Promise<Run> {
    return new Promise((resolve, reject) => {
        const child = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** Connects the official MCP client to a server started as the snippet says; lists tools and reads a note. */
async function tryMcp(command: string, args: string[], env: Record<string, string>) {
    const transport = new StdioClientTransport({ command, args, env, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'readme-test', version: '1' });
    await client.connect(transport);
    try {
        const tools = (await client.listTools()).tools.map((tool) => tool.name);
        const read = await client.callTool({ name: 'read_note', arguments: { path: 'Research/Forgetting curve.md' } });
        const text = (read.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join('\n');
        return { tools, text, isError: read.isError === true, stderr: () => stderr, server: client.getServerVersion() };
    } finally {
        await client.close();
    }
}

describe("the README's first screen", () => {
    const screen = README.split('\n').slice(0, 40).join('\n');

    it('says an Anthropic API key or an Anthropic-compatible endpoint is needed, and that a local one needs some key', () => {
        expect(screen).toMatch(/Anthropic API key/);
        expect(screen).toMatch(/Anthropic-compatible endpoint/);
        expect(screen).toMatch(/local endpoint that checks no key still needs [*_]some[*_] key value/);
    });

    it('says where the key goes: the plugin settings (secret storage) and the environment for the CLI', () => {
        expect(screen).toContain('Settings → Vault Agent → API key');
        expect(screen).toMatch(/secret storage/);
        expect(screen).toContain('ANTHROPIC_API_KEY');
        expect(screen).toContain('ANTHROPIC_BASE_URL');
    });

    it('shows the install from the clone and the two commands, vault-agent ask and vault-agent mcp', () => {
        expect(screen).toContain('npm run setup -- /path/to/your/vault');
        expect(screen).toContain('npm install -g .');
        expect(screen).toContain('node dist/cli.js');
        expect(screen).toMatch(/^vault-agent ask --vault /m);
        expect(screen).toMatch(/^vault-agent mcp --vault /m);
    });

    it('never gives a command that runs an unpublished name from a registry (npx vault-agent)', () => {
        for (const block of [...codeBlocks(README, 'sh'), ...codeBlocks(README, 'json')]) {
            expect(block).not.toMatch(/npx\s+vault-agent/);
        }
    });
});

describe('following the README from a clone', () => {
    let api: MessagesApiServer;
    let scratch: string;
    let vault: string;
    let bin: string;
    let env: Record<string, string>;

    beforeAll(async () => {
        api = await startMessagesApiServer({ apiKey: DUMMY_KEY });
        scratch = mkdtempSync(join(tmpdir(), 'vault-agent-readme-'));
        vault = join(scratch, 'My vault');
        cpSync(join(REPO, 'example-vault'), vault, { recursive: true });
        // What `npm install -g .` (or `npm link`) puts on PATH: a `vault-agent` link to the bin of package.json.
        bin = join(scratch, 'bin');
        const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
        mkdirSync(bin);
        symlinkSync(join(REPO, pkg.bin['vault-agent'] ?? ''), join(bin, 'vault-agent'));
        env = {
            PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
            HOME: scratch,
            XDG_CONFIG_HOME: join(scratch, 'config'),
        };
    }, 60_000);

    afterAll(async () => {
        await api?.close();
        if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    });

    it('npm run setup builds the plugin and the command, installs the plugin, and prints no warning', async () => {
        const setup = readmeLine('npm ci && npm run setup').replace(/^npm ci && /, '');
        const run = await bash(fill(setup, `'${vault}'`), env);
        expect(run.stderr + run.stdout).not.toMatch(WARNING);
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Installed Vault Agent ${VERSION}`);
        expect(readFileSync(join(vault, '.obsidian/plugins/vault-agent/main.js'), 'utf8')).toContain(
            'Third-party notices',
        );
    }, 120_000);

    it('vault-agent --version prints the version of package.json', async () => {
        const run = await bash(readmeLine('vault-agent --version'), env);
        expect(run).toEqual({ code: 0, stdout: `vault-agent ${VERSION}\n`, stderr: '' });
        const fromClone = await bash('node dist/cli.js --version', env);
        expect(fromClone.stdout).toBe(`vault-agent ${VERSION}\n`);
    });

    it('vault-agent ask answers through the endpoint in ANTHROPIC_BASE_URL with a made-up key, with no warning', async () => {
        api.enqueue(textTurn('Spaced repetition reviews a note just before you would forget it.'));
        const line = fill(readmeLine('vault-agent ask'), `'${vault}'`);
        const run = await bash(line, { ...env, ANTHROPIC_API_KEY: DUMMY_KEY, ANTHROPIC_BASE_URL: api.baseURL });
        expect(run.code).toBe(0);
        expect(run.stdout).toContain('Spaced repetition reviews a note just before you would forget it.');
        const sent = JSON.stringify(api.messageRequests().at(-1)?.body);
        expect(sent).toContain('What does my vault say about spaced repetition?');
        expect(run.stderr).not.toMatch(WARNING);
    });

    it('vault-agent ask prints no warning at all, with the maintained default model', async () => {
        api.enqueue(textTurn('A second answer.'));
        const line = fill(readmeLine('vault-agent ask'), `'${vault}'`);
        const run = await bash(line, { ...env, ANTHROPIC_API_KEY: DUMMY_KEY, ANTHROPIC_BASE_URL: api.baseURL });
        expect(run.code).toBe(0);
        expect(run.stderr).not.toMatch(WARNING);
    });

    it("Claude Desktop's snippet starts a server the official MCP client lists and reads from", async () => {
        const [json] = codeBlocks(README, 'json');
        const config = JSON.parse(fill(json ?? '{}', vault)) as {
            mcpServers: Record<string, { command: string; args: string[] }>;
        };
        const server = config.mcpServers.vault;
        expect(server?.command).toBe('node');
        const result = await tryMcp(server?.command ?? '', server?.args ?? [], { ...getDefaultEnvironment(), ...env });
        expect(result.tools).toEqual(
            expect.arrayContaining(['list_notes', 'read_note', 'search_notes', 'create_note']),
        );
        expect(result.isError).toBe(false);
        expect(result.text).toContain('Ebbinghaus');
        expect(result.server?.version).toBe(VERSION);
        expect(result.stderr()).not.toMatch(WARNING);
    });

    it("Claude Code's `claude mcp add` line and the installed command start the same server", async () => {
        const add = readmeLine('claude mcp add vault --');
        const [command, ...args] = add
            .slice(add.indexOf(' -- ') + 4)
            .split(' ')
            .map((word) => fill(word, vault));
        const viaClone = await tryMcp(command ?? '', args, { ...getDefaultEnvironment(), ...env });
        expect(viaClone.text).toContain('Ebbinghaus');

        const installed = /`"command": "vault-agent", "args": (\[[^\]]*\])`/.exec(README);
        expect(installed, 'the README names the installed command for MCP clients').not.toBeNull();
        const installedArgs = JSON.parse(fill(installed?.[1] ?? '[]', vault)) as string[];
        const viaPath = await tryMcp('vault-agent', installedArgs, { ...getDefaultEnvironment(), ...env });
        expect(viaPath.tools).toContain('read_note');
        expect(viaPath.text).toContain('Ebbinghaus');
    });
});
