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
import { isProcessRunning } from '../vault/temp-files-node';
import type { McpJobContext } from './mcp-jobs';
import type { FsVault } from '../vault/fs-vault-node';
import { VaultWatcher } from '../vault/fs-vault-watch-node';
import { VaultError } from '../kernel/vault-port';
import { AppJsonExcludedFiles, appJsonPath } from './obsidian-app-json';
import { loadVaultSettings, VaultSettingsError } from './load-vault-settings';
import { createVaultMcpServer, type VaultMcpCallContext } from './mcp-server';
import { unpdfTextReader } from './pdf-text-node';
import { LineStdioTransport } from './mcp-stdio-transport';
import { VERSION } from '../kernel/version';
import { indexSnapshot, type CliIo } from './cli-context';
import { useSearchWorkers } from './search-workers';

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

/** Serves the vault until the client closes stdin. Rejects with `McpCommandError` when it cannot start. */
export async function runMcpServer(options: RunMcpServerOptions): Promise<void> {
    const { vaultRoot, configDir } = options;
    const snapshot = options.env === undefined ? undefined : indexSnapshot(options.env);
    // Every folder is watched before the scan that opens the vault lists it: one scan in all, and the first call
    // is answered from it (see `fs-vault-watch-node.ts`).
    let opened: FsVault | null = null;
    const { vault, watcher } = await VaultWatcher.open(
        vaultRoot,
        { configDir, snapshot },
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
    ).catch((error: unknown) => {
        const why = error instanceof VaultError ? error.message : 'it could not be opened';
        throw new McpCommandError(`Cannot serve ${vaultRoot}: ${why}`);
    });
    // search_notes reads and searches notes in worker threads, the program built next to this one (decision 0024).
    useSearchWorkers(vault, { env: options.env ?? {}, stderr: options.stderr, warm: true });
    opened = vault;
    try {
        await serveVault(options, vault, watcher);
    } finally {
        await watcher.close();
    }
}

/** Serves the opened, watched vault until the client closes stdin. */
async function serveVault(options: RunMcpServerOptions, vault: FsVault, watcher: VaultWatcher): Promise<void> {
    const { vaultRoot, configDir } = options;
    const allowDefaults = options.defaultSettings === true;
    const initial = await loadVaultSettings({ vaultRoot, configDir, allowDefaults }).catch((error: unknown) => {
        if (error instanceof VaultSettingsError) throw new McpCommandError(`Not started. ${error.message}`);
        throw error;
    });
    for (const note of initial.notes) options.stderr?.write(`vault-agent mcp: ${note}\n`);
    const outputFolder = initial.settings.delegate.outputFolder;
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
        initial.settings,
    );
    let applied = JSON.stringify(initial.settings);

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
    // The notes the opening scan listed without reading them are read and parsed in the background, between calls.
    const stopSettling = new AbortController();
    const settled = vault.settle(stopSettling.signal);
    // The note index for the next start, written once the first calls had the CPU and every note is indexed; nothing
    // excluded goes into it.
    // One gate for the whole save: asking the core for it reads Obsidian's excluded files again each time.
    const keep = (): ((path: string) => boolean) => {
        const gate = core.gate();
        return (path) => !gate.isExcluded(path);
    };
    const saveLater = setTimeout(() => {
        void settled.then(() => {
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

    /** The settings as the file says now, applied to the core (the gate follows); `null` when unreadable. */
    const reread = async (): Promise<Settings | null> => {
        await watcher.fresh();
        let settings: Settings | null;
        try {
            settings = (await loadVaultSettings({ vaultRoot, configDir, allowDefaults, searchElsewhere: false }))
                .settings;
        } catch {
            // The settings broke while serving: the gate locks (every note excluded) rather than serving unguarded.
            settings = null;
        }
        const shape = JSON.stringify(settings);
        if (shape !== applied) {
            core.apply(settings);
            applied = shape;
        }
        return settings;
    };

    const prepare = async (client: { name: string }): Promise<VaultMcpCallContext> => {
        await reread();
        // Obsidian's Excluded files as app.json says now: an edit counts from the next call.
        return {
            vault,
            gate: core.clientGate(),
            changes: core.unattendedChanges(outputFolder, 'made over MCP'),
            proposals: core.proposingChanges({ kind: 'mcp', id: client.name, title: `MCP client ${client.name}` }),
            search: core.search,
            outputFolder,
        };
    };

    const jobs = async (): Promise<McpJobContext> => {
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
        };
    };

    const server = createVaultMcpServer({
        prepare,
        outputFolder,
        version: options.version ?? VERSION,
        pdfText: unpdfTextReader,
        jobs,
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
    });
    try {
        await server.connect(transport);
        await closed;
    } finally {
        clearTimeout(saveLater);
        stopSettling.abort();
        process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
        vault.saveSnapshot(keep(), false);
        core.search.dispose();
    }
}
