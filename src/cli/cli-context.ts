/**
 * What every `vault-agent` subcommand starts from: the vault folder opened with FsVault, the plugin's own settings
 * read from it (fail closed), the key from the environment, the endpoint from the flag or the environment, and the
 * per-user state folder. Each failure becomes a `CliError` whose message a person can act on.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { CheckpointPersistence } from '../agent/changes/change-ports';
import type { RetryPolicy } from '../agent/loop/loop-options';
import { waitLimitsFromEnv } from '../agent/loop/wait-limits';
import type { ConsentStore } from '../agent/mcp/mcp-consent';
import { createModelClient, type ModelClient } from '../agent/model-client';
import { nodeFetch } from '../agent/model-fetch-node';
import { unpdfTextReader } from './pdf-text-node';
import { ApiKeyMissing, ModelError } from '../agent/model-errors';
import { deviceSpendFile, JsonFileSpendLedger, userStateDir } from '../agent/spend/spend-ledger-node';
import { CoreServices, type HostAdapters } from '../compose/core-services';
import { nodeHttpPost } from './http-post-node';
import type { ExclusionGate } from '../context/exclusions';
import { FsHiddenFolderReader } from '../context/hidden-folder-node';
import type { Notifier, SecretStore } from '../kernel/ports';
import type { ModelSettings, Settings } from '../kernel/settings';
import type { LocalProcess } from '../delegate/lease';
import { FsVault, type FsVaultOptions } from '../vault/fs-vault-node';
import { IndexSnapshotFile } from '../vault/index-snapshot-node';
import { withFileLock } from '../vault/file-lock-node';
import { settleUnsettled } from '../vault/quiet-read-node';
import { isProcessRunning } from '../vault/temp-files-node';
import { VaultError, type VaultPort } from '../kernel/vault-port';
import { loadVaultSettings, VaultSettingsError } from './load-vault-settings';
import { AppJsonExcludedFiles, appJsonPath } from './obsidian-app-json';

/** Exit code of a command that ran and found work failed (a job failed, a turn ended in an error). */
export const EXIT_FAILED = 1;
/** Exit code of a command that could not start: bad usage, missing vault, unusable settings, no key. */
export const EXIT_SETUP = 2;

/** A command could not do what was asked; `message` is the line for the person, `exitCode` the process's. */
export class CliError extends Error {
    override readonly name = 'CliError';

    constructor(
        message: string,
        /** The process exit code. */
        readonly exitCode: number = EXIT_SETUP,
    ) {
        super(message);
    }
}

/** The process's streams and environment, passed in so commands never reach for globals. */
export interface CliIo {
    /** Answers (paths, JSON, streamed text) go here and nowhere else. */
    stdout: Writable & { isTTY?: boolean };
    /** Progress, notes and errors. */
    stderr: Writable & { isTTY?: boolean };
    /** The person's answers to y/n prompts. */
    stdin: Readable & { isTTY?: boolean };
    /** The environment (`ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL`, `XDG_CONFIG_HOME`, `HOME`). */
    env: Record<string, string | undefined>;
}

/** Options every vault subcommand takes. */
export interface VaultOptions {
    /** `--vault`. */
    vaultRoot: string;
    /** `--config-dir`. */
    configDir: string;
    /** `--verbose`: say which endpoint, settings file and state folder are used. */
    verbose: boolean;
    /** `--default-settings`: a vault without a settings file runs with the default exclusions (else it is refused). */
    defaultSettings?: boolean;
}

/** A vault opened for a command. */
export interface CliVault {
    /** The vault on disk. */
    vault: FsVault;
    /** The plugin's settings from this vault. */
    settings: Settings;
    /** The exclusion gate as it is now (rebuilt when an edited app.json reads differently). */
    gate: () => ExclusionGate;
    /** The same rules over another view of the vault (the skill catalog's). */
    gateOf: (vault: VaultPort) => ExclusionGate;
    /** The core services of this vault, built by the composition root from the CLI's adapters. */
    core: CoreServices;
}

/** Opens the vault and its settings; refuses when either is unusable (docs/RELIABILITY.md row 14). */
export async function openCliVault(options: VaultOptions, io: CliIo): Promise<CliVault> {
    const { vaultRoot, configDir } = options;
    const vault = await FsVault.open(vaultRoot, { configDir, snapshot: indexSnapshot(io.env) }).catch(
        (error: unknown) => {
            if (error instanceof VaultError && error.code === 'not-found') {
                throw new CliError(`The vault folder "${vaultRoot}" does not exist or is not a folder.`);
            }
            throw new CliError(`The vault "${vaultRoot}" could not be opened: ${describe(error)}`);
        },
    );
    const loaded = await loadVaultSettings({
        vaultRoot: vault.root,
        configDir,
        allowDefaults: options.defaultSettings === true,
    }).catch((error: unknown) => {
        if (error instanceof VaultSettingsError) throw new CliError(`Nothing was done. ${error.message}`);
        throw error;
    });
    for (const note of loaded.notes) io.stderr.write(`vault-agent: ${note}\n`);
    if (options.verbose) io.stderr.write(`vault-agent: settings from ${loaded.file}\n`);
    const core = new CoreServices(cliAdapters(vault, configDir, io), loaded.settings);
    // The next command starts from the index of this one; nothing the exclusions hide now goes into it.
    // One gate for the whole save: asking the core for it reads Obsidian's excluded files again each time.
    const gate = core.gate();
    vault.saveSnapshot((path) => !gate.isExcluded(path));
    // Saving read every note. Those read while another program was writing them are read again once whole, or held
    // back (excluded) if they keep changing: a private note rewritten in place is never named from its first half
    // (decision 0036). A note read whole, as nearly all are, costs nothing here.
    await settleUnsettled(vault);
    return { vault, settings: loaded.settings, gate: () => core.gate(), gateOf: (of) => core.gateFor(of), core };
}

/**
 * The CLI's host adapters: FsVault, undo records and MCP consent in the per-vault state files, the spend ledger in
 * the per-user one (so the daily cap counts every CLI run of this user), notices on stderr, `.claude/skills/` read
 * from disk, and stdio MCP servers allowed.
 */
export function cliAdapters(vault: FsVault, configDir: string, io: CliIo): HostAdapters {
    return {
        vault,
        notifier: stderrNotifier(io),
        checkpoints: new JsonFileCheckpoints(vaultStateFile(io.env, vault.root, 'checkpoints')),
        spendLedger: new JsonFileSpendLedger({ file: spendFile(io.env) }),
        mcpConsent: new JsonFileConsentStore(vaultStateFile(io.env, vault.root, 'mcp-consent')),
        allowStdio: true,
        vaultRoot: vault.root,
        hiddenFolders: new FsHiddenFolderReader({ root: vault.root, configDir }),
        obsidianExcluded: new AppJsonExcludedFiles(appJsonPath(vault.root, configDir)),
        http: nodeHttpPost,
        vaultName: nodePath.basename(vault.root),
        pdfText: unpdfTextReader,
    };
}

/** Where a vault's note index is kept between runs: the vault's file in this user's state folder. */
export function indexSnapshot(env: CliIo['env']): NonNullable<FsVaultOptions['snapshot']> {
    return (owner) => new IndexSnapshotFile(vaultStateFile(env, owner.root, 'index'), owner);
}

/** This user's spend ledger, shared by every CLI command and vault. */
export function spendFile(env: CliIo['env']): string {
    return deviceSpendFile(env);
}

/**
 * The retry policy of CLI runs: the production caps on every wait, unless `VAULT_AGENT_MAX_RETRY_AFTER_S`,
 * `VAULT_AGENT_RETRY_BUDGET_S`, `VAULT_AGENT_STALL_S`, `VAULT_AGENT_RESPONSE_DEADLINE_S` or
 * `VAULT_AGENT_SILENCE_NOTICE_S` set one (seconds). A variable that is not a positive number is refused.
 */
export function cliRetryPolicy(env: CliIo['env']): RetryPolicy {
    const { limits, invalid } = waitLimitsFromEnv(env);
    if (invalid.length > 0) throw new CliError(`${invalid.join(', ')} must be a positive number of seconds.`);
    return { waits: limits };
}

/** The key for the CLI: `ANTHROPIC_API_KEY`, whatever secret name the settings use on devices. */
export function environmentSecrets(env: CliIo['env']): SecretStore {
    return { get: () => Promise.resolve(env.ANTHROPIC_API_KEY?.trim() || null) };
}

/** Where the endpoint came from, for `--verbose`. */
export interface Endpoint {
    /** The base URL ('' = Anthropic's own). */
    baseUrl: string;
    /** Which setting chose it. */
    source: '--base-url' | 'ANTHROPIC_BASE_URL' | 'the vault settings' | 'the default';
}

/** The endpoint: `--base-url`, else `ANTHROPIC_BASE_URL`, else the vault's settings, else Anthropic's own. */
export function chooseEndpoint(flag: string | undefined, env: CliIo['env'], settings: ModelSettings): Endpoint {
    if (flag !== undefined && flag.trim() !== '') return { baseUrl: flag.trim(), source: '--base-url' };
    const fromEnv = env.ANTHROPIC_BASE_URL?.trim() ?? '';
    if (fromEnv !== '') return { baseUrl: fromEnv, source: 'ANTHROPIC_BASE_URL' };
    if (settings.baseUrl.trim() !== '') return { baseUrl: settings.baseUrl.trim(), source: 'the vault settings' };
    return { baseUrl: '', source: 'the default' };
}

/** Builds the model client now, so a missing key or a bad URL stops the command before any work. */
export async function openModelClient(options: {
    settings: ModelSettings;
    baseUrlFlag: string | undefined;
    io: CliIo;
    verbose: boolean;
}): Promise<{ client: ModelClient; settings: ModelSettings }> {
    const endpoint = chooseEndpoint(options.baseUrlFlag, options.io.env, options.settings);
    const settings: ModelSettings = { ...options.settings, baseUrl: endpoint.baseUrl };
    if (options.verbose) {
        const where = endpoint.baseUrl === '' ? 'Anthropic’s API' : endpoint.baseUrl;
        options.io.stderr.write(`vault-agent: endpoint ${where} (from ${endpoint.source})\n`);
    }
    try {
        // Node's own HTTP client, for Anthropic's API as for any other endpoint: each request and its streamed answer
        // cost the event loop less than through the platform `fetch`, which eight jobs at once feel (decision 0030).
        const client = await createModelClient({
            secrets: environmentSecrets(options.io.env),
            settings,
            fetchImpl: nodeFetch,
        });
        return { client, settings };
    } catch (error) {
        if (error instanceof ApiKeyMissing) {
            throw new CliError('ANTHROPIC_API_KEY is not set. Export your Anthropic API key in that variable.');
        }
        if (error instanceof ModelError) throw new CliError(error.userMessage);
        throw error;
    }
}

/** The file in the state folder that belongs to one vault (vaults are told apart by their real path). */
export function vaultStateFile(env: CliIo['env'], vaultRoot: string, kind: string): string {
    let hash = 0x811c9dc5;
    for (const char of vaultRoot) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    const name = `${nodePath.basename(vaultRoot).replace(/[^\w.-]+/g, '_')}-${hash.toString(16)}`;
    return nodePath.join(userStateDir(env), 'vaults', name, `${kind}.json`);
}

/**
 * The heartbeat files of queue runners on this machine for one vault: `vault-agent run --watch`'s in the per-vault
 * state folder, and the plugin's in its own folder of the vault's config folder.
 */
export function runnerFiles(env: CliIo['env'], vaultRoot: string, configDir: string): string[] {
    let root = vaultRoot;
    try {
        root = realpathSync(vaultRoot);
    } catch {
        // A vault that cannot be resolved has no runner to find; the paths below then lead nowhere.
    }
    return [
        vaultStateFile(env, root, 'runner'),
        nodePath.join(root, configDir, 'plugins', 'vault-agent', 'runner.json'),
    ];
}

/** This process as a queue runner: never the plugin's id, and two CLI runs on one machine differ too. */
export function cliDeviceId(): string {
    return `cli-${os.hostname()}-${process.pid}`;
}

/**
 * This process for leases (`LocalProcess`): the machine is its host name plus an id made once per install and kept in
 * the state folder, since two machines may share a host name. `undefined` when that id cannot be read or written:
 * then leases carry no process, and a dead runner's jobs wait for their lease to expire, as across machines.
 */
export async function cliLocalProcess(env: CliIo['env']): Promise<LocalProcess | undefined> {
    const file = nodePath.join(userStateDir(env), 'install-id');
    let id = await fs.readFile(file, 'utf8').then(
        (text) => text.trim(),
        () => '',
    );
    if (!/^[0-9a-f]{16}$/u.test(id)) {
        const fresh = randomBytes(8).toString('hex');
        try {
            await fs.mkdir(nodePath.dirname(file), { recursive: true });
            // `wx`: when two first runs race, one id wins and both read it back.
            await fs.writeFile(file, `${fresh}\n`, { flag: 'wx' }).catch(() => undefined);
            id = (await fs.readFile(file, 'utf8')).trim();
        } catch {
            return undefined;
        }
        if (!/^[0-9a-f]{16}$/u.test(id)) return undefined;
    }
    return { host: `${os.hostname()}-${id}`, pid: process.pid, isRunning: isProcessRunning };
}

/** Notices for the person go to stderr, one line each. */
export function stderrNotifier(io: CliIo): Notifier {
    return {
        notify: (message, kind) => io.stderr.write(`vault-agent${kind === 'error' ? ' error' : ''}: ${message}\n`),
    };
}

/**
 * Checkpoints (undo records) of CLI runs, kept in one JSON file per vault in the state folder. Several commands may
 * run on one vault at once (`run --watch` and `review`, say): each saves the whole list, so each first loads what the
 * others saved since (`changedElsewhere`), under the file's lock (`exclusive`, decision 0038), and no one's records
 * are lost.
 */
export class JsonFileCheckpoints implements CheckpointPersistence {
    /** The file as this process last loaded or saved it (`null`: absent, or not looked at yet). */
    private seen: string | null = null;

    constructor(private readonly file: string) {}

    /** The saved value, or `null` when there is none yet. */
    async load(): Promise<unknown> {
        const before = fileVersion(this.file);
        const value = await readJsonFile(this.file);
        this.seen = before;
        return value;
    }

    /** Replaces the saved value atomically (temp file, then rename). */
    async save(data: unknown): Promise<void> {
        this.seen = await writeJsonFile(this.file, data);
    }

    changedElsewhere(): Promise<boolean> {
        return Promise.resolve(fileVersion(this.file) !== this.seen);
    }

    exclusive<T>(task: () => Promise<T>): Promise<T> {
        return withFileLock(this.file, task);
    }
}

/**
 * What tells one version of a file written whole by rename from another: a new file each time (identity), its size
 * and modification time (a rename keeps those, not the change time); `null` when it is not there.
 */
function fileVersion(file: string): string | null {
    // A plain call: a job records its result through here, and a trip through the thread pool waits its turn behind
    // the other jobs' work (decision 0030).
    try {
        const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
        return stats === undefined ? null : `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
    } catch {
        // Not readable now: counts as changed, so the next load says what is wrong.
        return null;
    }
}

/**
 * MCP consent on this device for the CLI: one JSON object per vault in the state folder, never in the vault (which
 * syncs). `vault-agent mcp-allow` writes it after showing the exact command line.
 */
export class JsonFileConsentStore implements ConsentStore {
    constructor(private readonly file: string) {}

    async get(key: string): Promise<string | null> {
        const value = (await this.entries())[key];
        return typeof value === 'string' ? value : null;
    }

    async set(key: string, value: string): Promise<void> {
        await withFileLock(this.file, async () => {
            await writeJsonFile(this.file, { ...(await this.entries()), [key]: value });
        });
    }

    private async entries(): Promise<Record<string, unknown>> {
        const stored = await readJsonFile(this.file);
        return typeof stored === 'object' && stored !== null && !Array.isArray(stored)
            ? (stored as Record<string, unknown>)
            : {};
    }
}

/** A JSON file's value; `null` when it is missing or damaged. */
async function readJsonFile(file: string): Promise<unknown> {
    try {
        return JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    } catch (error) {
        // A missing or damaged file means "nothing recorded yet", never a reason to stop working.
        if ((error as { code?: unknown }).code === 'ENOENT' || error instanceof SyntaxError) return null;
        throw error;
    }
}

/** Replaces a JSON file atomically (temp file, then rename); resolves with the version written (`fileVersion`). */
async function writeJsonFile(file: string, data: unknown): Promise<string | null> {
    await fs.mkdir(nodePath.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify(data), 'utf8');
    // Taken before the rename, which keeps it: a version another process renames in after is not mistaken for ours.
    const written = fileVersion(temp);
    await fs.rename(temp, file);
    return written;
}

/** One sentence about an unexpected failure, without stack or file contents. */
export function describe(error: unknown): string {
    if (error instanceof ModelError) return error.userMessage;
    if (error instanceof Error) return error.message;
    return String(error);
}
