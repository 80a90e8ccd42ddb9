/**
 * `vault-agent mcp --vault DIR`: serves the vault over stdio to an MCP client. Refuses to start when the vault is
 * missing or its Vault Agent settings exist but cannot be used (an MCP client must never get a vault without its
 * exclusions). While running, the vault's listing and index follow the file system's reports (`VaultWatcher`: no call
 * walks the vault, a full scan runs only at start and when the watcher lost track), every call rereads the settings,
 * and the tools judge each note on the text they return, so a note made private or an exclusion added in Obsidian
 * applies to the very next call; settings that turn unreadable lock the gate. A request that is too big or not
 * JSON-RPC is answered with an error and the server keeps serving (`LineStdioTransport`).
 */
import type { Readable, Writable } from 'node:stream';
import type { CheckpointPersistence } from '../agent/changes/change-ports';
import { readFile } from 'node:fs/promises';
import { MapConsentStore } from '../agent/mcp/mcp-consent';
import { MemorySpendLedger } from '../agent/spend/spend-ledger';
import { CoreServices } from '../compose/core-services';
import { DEFAULT_MCP_JOBS } from '../kernel/delivery-settings';
import type { Settings } from '../kernel/settings';
import type { ExclusionGate } from '../context/exclusions';
import { isProcessRunning } from '../vault/temp-files-node';
import { ClientJobs, type McpJobContext } from './mcp-jobs';
import { FsVault } from '../vault/fs-vault-node';
import type { Busy } from '../vault/fs-vault-walk-node';
import { OpeningCalls } from './mcp-opening';
import { VaultWatcher } from '../vault/fs-vault-watch-node';
import { VaultError } from '../kernel/vault-port';
import { AppJsonExcludedFiles, appJsonPath } from './obsidian-app-json';
import { loadVaultSettings, SettingsRereader, VaultSettingsError } from './load-vault-settings';
import { createVaultMcpServer, type CallsInFlight, type VaultMcpCallContext } from './mcp-server';
import { unpdfTextReader } from './pdf-text-node';
import { LineStdioTransport } from './mcp-stdio-transport';
import { VERSION } from '../kernel/version';
import { indexSnapshot, type CliIo } from './cli-context';
import { searchWorkers } from './search-workers';
import type { TextScanPool } from '../vault/text-scan-node';

/** The server could not start; `message` is the line to print on stderr. */
export class McpCommandError extends Error {
    override readonly name = 'McpCommandError';
}

/** What `vault-agent mcp` runs on. */
export interface RunMcpServerOptions {
    /** The vault folder. */
    vaultRoot: string;
    /** The vault's config folder (`--config-dir`, default `.obsidian`). */
    configDir: string;
    /** `--default-settings`: serve a vault without a settings file with the default exclusions. */
    defaultSettings?: boolean;
    /** Where MCP messages come in (the process's stdin). */
    stdin: Readable;
    /** Where they go out (the process's stdout; nothing else may be written there). */
    stdout: Writable;
    /** Where notes for the person go (settings notes); defaults to nowhere. */
    stderr?: Writable;
    /** Reported to clients. */
    version?: string;
    /** Say on stderr each time the whole vault is scanned, and why (`VAULT_AGENT_DEBUG=scan`). */
    debugScans?: boolean;
    /** The environment, for the state folder that keeps the note index between runs; absent = no index is kept. */
    env?: CliIo['env'];
    /** Heartbeat files of queue runners on this machine (`run --watch`'s, the plugin's), for `job_status`. */
    runnerFiles?: string[];
}

/**
 * Checkpoints of notes created over MCP, for this process only: an MCP client has no undo command, and the plugin's
 * undo history belongs to its own chats and jobs.
 */
class ProcessCheckpoints implements CheckpointPersistence {
    private value: unknown = null;

    load(): Promise<unknown> {
        return Promise.resolve(this.value);
    }

    save(data: unknown): Promise<void> {
        this.value = data;
        return Promise.resolve();
    }
}

/** How long after start the note index is written for the next start, ms. */
const SNAPSHOT_DELAY_MS = 3_000;

/** How long after the vault is open the background reading starts when no call came to be answered first, ms. */
const SETTLE_DELAY_MS = 500;

/**
 * How long the opening scan, and the background reading after it, run before they let a waiting call in (see
 * `FsVaultOptions.sliceMs`), ms: a call that comes meanwhile waits at most this long for its turn.
 */
const OPENING_SLICE_MS = 1;

/**
 * How long after a call was answered the background reading still gives way, ms: a client asks its next question a
 * moment after the last answer, and a slice of reading begun meanwhile would hold it up (decision 0029).
 */
const CLIENT_PAUSE_MS = 10;

/** Whether a client is being answered, or was a moment ago (`CLIENT_PAUSE_MS`). */
function clientActive(inFlight: CallsInFlight): boolean {
    if (inFlight.calls > 0) return true;
    return inFlight.lastEnded !== undefined && performance.now() - inFlight.lastEnded < CLIENT_PAUSE_MS;
}

/** The opened vault serving calls: what each call is prepared with, and how it all ends. */
interface Serving {
    prepare(client: { name: string }): Promise<VaultMcpCallContext>;
    jobs(): Promise<McpJobContext>;
    /** A call was answered: the work that waited for the first answer may start. */
    answered(): void;
    /** Why the vault cannot be served now (its folder is gone, its settings cannot be used), or `null`. */
    unavailable(): string | null;
    /** Stops the background work, writes the index snapshot and stops watching. */
    close(): Promise<void>;
}

/**
 * Serves the vault until the client closes stdin. Rejects with `McpCommandError` when it cannot start: a missing vault
 * or unusable settings are refused before anything is answered. The server answers `initialize` (nothing in it depends
 * on the notes) while the vault opens, so a client's handshake and the opening scan overlap. The opening scan lets calls
 * in as it runs: `read_note` of a note that its own file lets the gate judge is answered from that file at once
 * (`OpeningCalls`); every other call waits for the opened vault. Every call is judged as it always is.
 */
export async function runMcpServer(options: RunMcpServerOptions): Promise<void> {
    const { vaultRoot, configDir } = options;
    const located = await FsVault.locate(vaultRoot, configDir).catch((error: unknown) => {
        throw cannotServe(vaultRoot, error);
    });
    const allowDefaults = options.defaultSettings === true;
    // With the defaults, settings found elsewhere are named once the server runs: the search does not hold up the start.
    const initial = await loadVaultSettings({ vaultRoot, configDir, allowDefaults, searchElsewhere: 'after' }).catch(
        (error: unknown) => {
            if (error instanceof VaultSettingsError) throw new McpCommandError(`Not started. ${error.message}`);
            throw error;
        },
    );
    const say = (notes: string[]): void => {
        for (const note of notes) options.stderr?.write(`vault-agent mcp: ${note}\n`);
    };
    say(initial.notes);
    void initial.moreNotes?.then(say);
    const outputFolder = initial.settings.delegate.outputFolder;

    let opened: (serving: Serving) => void = () => undefined;
    let failed: (error: unknown) => void = () => undefined;
    const serving = new Promise<Serving>((resolve, reject) => {
        opened = resolve;
        failed = reject;
    });
    // A call waiting when the vault cannot be opened ends with the server; nothing else may wait on this.
    serving.catch(() => undefined);
    // Calls being answered: the background reading of the notes gives way to them.
    const inFlight: CallsInFlight = { calls: 0 };
    // search_notes reads and searches notes in worker threads, the program built next to this one (decision 0024).
    const workers = searchWorkers({ env: options.env ?? {}, stderr: options.stderr });
    // `read_note` is answered while the vault opens, from the note's own file (decision 0027).
    const openingCalls = new OpeningCalls({ ...options, located, outputFolder });
    // The opened vault once it is open, for what must be known without waiting for it.
    let servingNow: Serving | null = null;
    serving.then(
        (open) => (servingNow = open),
        () => undefined,
    );
    const server = createVaultMcpServer({
        inFlight,
        opening: (tool) => openingCalls.context(tool),
        prepare: async (client) => (await serving).prepare(client),
        outputFolder,
        version: options.version ?? VERSION,
        pdfText: unpdfTextReader,
        jobs: async () => (await serving).jobs(),
        unavailable: () => servingNow?.unavailable() ?? null,
        answered: () => {
            // The search workers start after the first answer, even one given while the vault opens: the first
            // search, which waits for the opened vault, then finds them ready.
            workers?.warm();
            void serving.then(
                (open) => open.answered(),
                () => undefined,
            );
        },
    });
    // Not the SDK's stdio transport: one oversized or unreadable line must be answered, not end the server.
    const transport = new LineStdioTransport({
        stdin: options.stdin,
        stdout: options.stdout,
        onRefused: (reason) => options.stderr?.write(`vault-agent mcp: ${reason}.\n`),
    });
    const closed = new Promise<void>((resolve) => {
        server.server.onclose = () => resolve();
        const end = (): void => {
            void server.close().finally(resolve);
        };
        options.stdin.once('end', end);
        options.stdin.once('close', end);
        // The client stopped reading (its end of stdout closed, say after a crash, while stdin stays open): nobody can
        // be answered any more, so the server ends as if stdin had closed, rather than serving nobody.
        options.stdout.once('error', end);
        options.stdout.once('close', end);
    });
    await server.connect(transport);
    // An `initialize` already waiting on stdin is answered before the scan runs: two turns of the event loop let it
    // poll for input once whatever phase this runs in (the first may end the very turn that reached here).
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    let open: Serving;
    try {
        open = await openVault(options, initial.settings, { inFlight, busy: openingCalls.busy, workers });
    } catch (error) {
        failed(error);
        await server.close();
        throw error instanceof McpCommandError ? error : cannotServe(vaultRoot, error);
    }
    openingCalls.opened();
    opened(open);
    try {
        await closed;
    } finally {
        await open.close();
    }
}

function cannotServe(vaultRoot: string, error: unknown): McpCommandError {
    const why = error instanceof VaultError ? error.message : 'it could not be opened';
    return new McpCommandError(`Cannot serve ${vaultRoot}: ${why}`);
}

/** Opens and watches the vault, and builds what calls are served with from `settings` (read at start). */
/** What the opened vault is served with besides the options and settings. */
interface ServingParts {
    /** Calls being answered (background work gives way to them). */
    inFlight: CallsInFlight;
    /** Calls answered while the vault opens (the opening scan pauses for them). */
    busy: Busy;
    /** The search workers. */
    workers: TextScanPool | null;
}

async function openVault(options: RunMcpServerOptions, settings: Settings, parts: ServingParts): Promise<Serving> {
    const { vaultRoot, configDir } = options;
    const snapshot = options.env === undefined ? undefined : indexSnapshot(options.env);
    // Every folder is watched before the scan that opens the vault lists it: one scan in all, and the first call
    // is answered from it (see `fs-vault-watch-node.ts`).
    let opened: FsVault | null = null;
    const { vault, watcher } = await VaultWatcher.open(
        vaultRoot,
        { configDir, snapshot, sliceMs: OPENING_SLICE_MS, busy: parts.busy },
        {
            onFullScan: (reason, stats) => {
                if (options.debugScans === true) {
                    options.stderr?.write(
                        `vault-agent mcp: full scan #${opened?.scanCount ?? '?'} (${reason}): ${stats.files} files in ${Math.round(stats.ms)} ms\n`,
                    );
                }
            },
            onError: (message) => options.stderr?.write(`vault-agent mcp: ${message}.\n`),
        },
    );
    opened = vault;
    try {
        return serveVault(options, settings, vault, watcher, parts);
    } catch (error) {
        await watcher.close();
        throw error;
    }
}

/** What calls to the opened, watched vault are served with, until `close`. */
function serveVault(
    options: RunMcpServerOptions,
    initial: Settings,
    vault: FsVault,
    watcher: VaultWatcher,
    { inFlight, workers }: ServingParts,
): Serving {
    const { vaultRoot, configDir } = options;
    const allowDefaults = options.defaultSettings === true;
    const outputFolder = initial.delegate.outputFolder;
    // The search workers start once the first call is answered, not while it waits.
    vault.useTextScan(workers, false);
    // The same core services as every other command, with undo records kept for this process only.
    const core = new CoreServices(
        {
            vault,
            notifier: { notify: (message) => options.stderr?.write(`vault-agent mcp: ${message}\n`) },
            checkpoints: new ProcessCheckpoints(),
            spendLedger: new MemorySpendLedger(),
            mcpConsent: new MapConsentStore(),
            allowStdio: false,
            obsidianExcluded: new AppJsonExcludedFiles(appJsonPath(vault.root, configDir)),
        },
        initial,
    );
    let applied = JSON.stringify(initial);
    // The settings file, parsed again only when it changed; the settings last read from it.
    const settingsFile = new SettingsRereader({ vaultRoot, configDir, allowDefaults });
    let read: Settings | null = initial;

    if (options.debugScans === true) {
        const start = vault.lastScanStats;
        options.stderr?.write(
            `vault-agent mcp: full scan #${vault.scanCount} (start): ${start.files} files in ${Math.round(start.ms)} ms, ` +
                `${start.read} notes to read when first needed, the rest from the index snapshot; ` +
                (watcher.watching
                    ? `watching ${watcher.folderCount} folders\n`
                    : 'not watching (the next call rescans)\n'),
        );
    }
    // The notes the opening scan listed without reading them are read and parsed in the background, between calls,
    // from the first answer on (or a moment after start when no call comes).
    const stopSettling = new AbortController();
    let settled: Promise<void> | null = null;
    const settle = (): Promise<void> => {
        settled ??= vault.settle(stopSettling.signal, () => clientActive(inFlight), OPENING_SLICE_MS);
        return settled;
    };
    const settleLater = setTimeout(() => void settle(), SETTLE_DELAY_MS);
    settleLater.unref();
    // The note index for the next start, written once the first calls had the CPU and every note is indexed; nothing
    // excluded goes into it.
    // One gate for the whole save: asking the core for it reads Obsidian's excluded files again each time.
    const keep = (): ((path: string) => boolean) => {
        const gate = core.gate();
        return (path) => !gate.isExcluded(path);
    };
    const saveLater = setTimeout(() => {
        void settle().then(() => {
            if (!stopSettling.signal.aborted) vault.saveSnapshot(keep());
        });
    }, SNAPSHOT_DELAY_MS);
    saveLater.unref();
    // Clients often end the server with a signal rather than by closing stdin: write the index, then end as asked.
    const onSignal = (signal: 'SIGTERM' | 'SIGINT'): void => {
        vault.saveSnapshot(keep(), false);
        process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
        process.kill(process.pid, signal);
    };
    process.once('SIGTERM', onSignal).once('SIGINT', onSignal);

    /** Whether stderr was told that the vault folder is gone. */
    let saidGone = false;
    /** Why the settings file cannot be used, as of the last call; `null` while it can. */
    let unusable: string | null = null;
    /** The settings as the file says now, applied to the core (the gate follows); `null` when unreadable. */
    const reread = async (): Promise<Settings | null> => {
        await watcher.fresh();
        let settings: Settings | null;
        try {
            settings = (await settingsFile.load()).settings;
            if (unusable !== null) options.stderr?.write('vault-agent mcp: the settings can be used again.\n');
            unusable = null;
        } catch (error) {
            // The settings broke while serving: the gate locks (every note excluded) rather than serving unguarded,
            // and every call says why (`unavailable`).
            settings = null;
            const why = error instanceof Error ? error.message : String(error);
            if (why !== unusable) options.stderr?.write(`vault-agent mcp: ${why} Every call is refused meanwhile.\n`);
            unusable = why;
        }
        if (settings !== read) {
            read = settings;
            const shape = JSON.stringify(settings);
            if (shape !== applied) {
                core.apply(settings);
                applied = shape;
            }
        }
        return settings;
    };
    // What a call is served with, the same from call to call while the gate stands (and the client is the same).
    let served: { gate: ExclusionGate; client: string; context: VaultMcpCallContext } | null = null;
    const clientJobs = new ClientJobs();

    return {
        prepare: async (client) => {
            await reread();
            // Obsidian's Excluded files as app.json says now: an edit counts from the next call.
            const gate = core.clientGate();
            if (served?.gate === gate && served.client === client.name) return served.context;
            const context: VaultMcpCallContext = {
                vault,
                gate,
                changes: core.unattendedChanges(outputFolder, 'made over MCP'),
                proposals: core.proposingChanges({ kind: 'mcp', id: client.name, title: `MCP client ${client.name}` }),
                search: core.search,
                outputFolder,
            };
            served = { gate, client: client.name, context };
            return context;
        },
        jobs: async () => {
            const settings = await reread();
            const beats = await Promise.all(
                (options.runnerFiles ?? []).map((file) => readFile(file, 'utf8').catch(() => null)),
            );
            return {
                vault,
                gate: core.gate(),
                folders: settings === null ? null : settings.delegate,
                jobs: settings === null ? null : (settings.mcpJobs ?? DEFAULT_MCP_JOBS),
                beats,
                isRunning: isProcessRunning,
                now: Date.now(),
                clientJobs,
            };
        },
        answered: () => {
            void settle();
            vault.warmTextScan();
        },
        unavailable: () => {
            const gone = watcher.vaultGone();
            if (gone !== null) {
                if (!saidGone) options.stderr?.write(`vault-agent mcp: ${gone}; every call is refused.\n`);
                saidGone = true;
                return (
                    `The vault cannot be served: ${gone}. Nothing can be read or written; start vault-agent mcp ` +
                    'again on the vault where it is now.'
                );
            }
            if (unusable === null) return null;
            // Served with a gate that excludes every note, calls would answer "no such note" and "0 notes": say why.
            return `Nothing is served while Vault Agent's settings cannot be used. ${unusable}`;
        },
        close: async () => {
            clearTimeout(saveLater);
            clearTimeout(settleLater);
            stopSettling.abort();
            process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
            vault.saveSnapshot(keep(), false);
            core.search.dispose();
            await watcher.close();
        },
    };
}
