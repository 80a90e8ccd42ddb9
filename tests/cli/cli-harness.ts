/**
 * Runs the BUILT `dist/cli.js` as a child process, the way a person or a cron line does: a clean environment (no
 * inherited ANTHROPIC_* variables), a temp home for the per-user state folder, stdin closed, and stdout and stderr
 * captured separately.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import nodePath from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMessagesApiServer, type MessagesApiServer } from '../support/messages-api-server';
import { makeTempVault, type TempVault } from '../support/temp-vault';

/** The repository root. */
export const REPO = nodePath.resolve(__dirname, '../..');
/** The built command. */
export const CLI = nodePath.join(REPO, 'dist/cli.js');
/** The search workers' program (built with the CLI). */
export const SEARCH_WORKER = nodePath.join(REPO, 'dist/text-scan-worker.js');

const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * Builds `dist/cli.js` and its chunks with the options of `esbuild.config.mjs`'s CLI bundle (ESM, split, shebang, Node
 * builtins external).
 * Only the CLI bundle: the plugin bundle is not what these tests run.
 */
export async function buildCli(): Promise<void> {
    await build({
        absWorkingDir: REPO,
        entryPoints: { cli: 'src/cli/main.ts' },
        bundle: true,
        outdir: nodePath.dirname(CLI),
        splitting: true,
        chunkNames: 'chunks/[name]-[hash]',
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: NODE_BUILTINS,
        banner: {
            js: "#!/usr/bin/env node\nimport { createRequire as __vaCreateRequire } from 'node:module';\nconst require = __vaCreateRequire(import.meta.url);",
        },
        logLevel: 'silent',
        legalComments: 'none',
        // As esbuild.config.mjs does: the version comes from package.json.
        define: { __VAULT_AGENT_VERSION__: JSON.stringify(packageVersion()) },
    });
    // The search workers' program, which `dist/cli.js` starts from next to itself (decision 0024).
    await build({
        absWorkingDir: REPO,
        entryPoints: ['src/vault/text-scan-worker-node.ts'],
        bundle: true,
        outfile: SEARCH_WORKER,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        external: NODE_BUILTINS,
        banner: {
            js: "import { createRequire as __vaCreateRequire } from 'node:module';\nconst require = __vaCreateRequire(import.meta.url);",
        },
        logLevel: 'silent',
        legalComments: 'none',
    });
}

/** The version in package.json, the one place it is written. */
export function packageVersion(): string {
    return (JSON.parse(readFileSync(nodePath.join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
}

/** What one run printed and how it ended. */
export interface CliRun {
    /** Exit code. */
    code: number | null;
    /** Everything written to stdout. */
    stdout: string;
    /** Everything written to stderr. */
    stderr: string;
}

/** A temp HOME / XDG_CONFIG_HOME so the per-user state (spend ledger, undo records) never touches the real one. */
export interface CliHome {
    /** The folder. */
    dir: string;
    /** Removes it. */
    cleanup(): Promise<void>;
}

/** Makes a temp home. */
export async function makeCliHome(): Promise<CliHome> {
    const dir = await mkdtemp(nodePath.join(os.tmpdir(), 'vault-agent-cli-home-'));
    return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** POSIX shell quoting, for a command line run by `script` or `bash -c`. */
export function shellQuote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs `node dist/cli.js …args` with exactly `env` (plus PATH and a temp HOME); resolves when it exits. */
export function runCli(
    args: string[],
    options: {
        env?: Record<string, string>;
        home: string;
        timeoutMs?: number;
        /** The built command to run; `CLI` unless given (a copy of the build, say). */
        cli?: string;
        /** Hears the child once started (to send it a signal). */
        onSpawn?: (child: ChildProcessWithoutNullStreams) => void;
    },
): Promise<CliRun> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
            cwd: REPO,
            env: {
                PATH: process.env.PATH ?? '',
                HOME: options.home,
                XDG_CONFIG_HOME: nodePath.join(options.home, 'config'),
                ...options.env,
            },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.stdin.end();
        options.onSpawn?.(child);
        const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stdout, stderr });
        });
    });
}

/** A running `vault-agent mcp` driven by the official client, and what it said on stderr so far. */
export interface ServedMcp {
    client: Client;
    stderr: () => string;
}

/**
 * Starts the built `vault-agent mcp` on `vaultRoot` through the official client over stdio, with the scan debug output
 * on (`VAULT_AGENT_DEBUG=scan`) and its per-user state in `stateDir`; its stderr is collected.
 */
export async function serveMcp(vaultRoot: string, stateDir: string, clientName: string): Promise<ServedMcp> {
    let stderr = '';
    const transport = new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--vault', vaultRoot],
        env: { ...process.env, VAULT_AGENT_DEBUG: 'scan', XDG_CONFIG_HOME: stateDir },
        stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: clientName, version: '1' });
    await client.connect(transport);
    return { client, stderr: () => stderr };
}

/** What a command run in a pseudo-terminal showed, and how it ended. */
export interface TerminalRun {
    /** Everything the terminal showed (stdout and stderr together, as on a screen). */
    screen: string;
    /** The exit code of `vault-agent` (script -e passes it on). */
    code: number | null;
}

/**
 * Runs `node dist/cli.js …args` in a real pseudo-terminal (`script` from util-linux gives it a pty for stdin, stdout and
 * stderr), with HOME in `home` and `env` besides; each time the screen shows `question` (counted anew), types the next
 * of `answers` (raw bytes: "y\r", "\x03") a moment later, as a person would. Resolves when the command exits.
 */
export function runInTerminal(
    args: string[],
    options: { home: string; question: RegExp; answers: string[]; env?: Record<string, string> },
): Promise<TerminalRun> {
    const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
    return new Promise((resolve, reject) => {
        const child = spawn('script', ['-qfec', command, '/dev/null'], {
            cwd: REPO,
            env: {
                PATH: process.env.PATH ?? '',
                HOME: options.home,
                XDG_CONFIG_HOME: nodePath.join(options.home, 'config'),
                TERM: 'xterm',
                SHELL: '/bin/sh',
                ...options.env,
            },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let screen = '';
        let asked = 0;
        const hear = (chunk: Buffer): void => {
            screen += chunk.toString();
            const seen = screen.split(options.question).length - 1;
            while (asked < seen && asked < options.answers.length) {
                const answer = options.answers[asked++] ?? '';
                setTimeout(() => child.stdin.write(answer), 150);
            }
        };
        child.stdout.on('data', hear);
        child.stderr.on('data', hear);
        const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
        child.on('error', reject);
        child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ screen, code });
        });
    });
}

/** Temp vaults and CLI homes made for one test each. */
export interface PerTest {
    /** A temp vault with `files`, removed after the test. */
    vault: (files: Record<string, string>) => Promise<TempVault>;
    /** A temp home for the CLI, removed after the test. */
    home: () => Promise<CliHome>;
}

/** Makes temp vaults and CLI homes that are removed after each test; call it at a test file's top level. */
export function perTest(): PerTest {
    const made: { cleanup(): Promise<void> }[] = [];
    afterEach(async () => {
        for (const item of made.splice(0)) await item.cleanup();
    });
    return {
        vault: async (files) => {
            const temp = await makeTempVault(files);
            made.push(temp);
            return temp;
        },
        home: async () => {
            const home = await makeCliHome();
            made.push(home);
            return home;
        },
    };
}

/** What a file of CLI tests against the local Messages API shares: one server, one home, its temp vaults. */
export interface ServerSuite {
    /** The local Messages API (started before the file's first test). */
    readonly server: MessagesApiServer;
    /** The CLI's temp home. */
    readonly home: CliHome;
    /** Keeps `temp` to be removed after the file's last test; returns it. */
    keep(temp: TempVault): TempVault;
}

/**
 * Builds the CLI, starts the local Messages API and makes a home before a file's first test, and closes and removes
 * them (and the vaults it was given to keep) after its last; call it at the file's top level.
 */
export function serverSuite(): ServerSuite {
    let server: MessagesApiServer | null = null;
    let home: CliHome | null = null;
    const kept: TempVault[] = [];
    beforeAll(async () => {
        await buildCli();
        server = await startMessagesApiServer();
        home = await makeCliHome();
    }, 60_000);
    afterAll(async () => {
        await server?.close();
        await home?.cleanup();
        for (const temp of kept.splice(0)) await temp.cleanup();
    });
    const started = <T>(value: T | null): T => {
        if (value === null) throw new Error('The suite has not started yet (use it inside a test).');
        return value;
    };
    return {
        get server() {
            return started(server);
        },
        get home() {
            return started(home);
        },
        keep: (temp) => {
            kept.push(temp);
            return temp;
        },
    };
}
