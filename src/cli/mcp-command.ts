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
import type { ApprovalGate } from '../agent/changes/approval';
import { ChangeController } from '../agent/changes/change-controller';
import type { CheckpointPersistence } from '../agent/changes/change-ports';
import { CheckpointStore } from '../agent/changes/checkpoints';
import { exclusionGate } from '../compose/core-services';
import type { ExclusionGate } from '../context/exclusions';
import { proposalsFolderFor } from '../kernel/review-folder';
import type { PrivacySettings } from '../kernel/settings';
import { ProposalStore } from '../review/proposal-store';
import { FsVault } from '../vault/fs-vault-node';
import { VaultWatcher } from '../vault/fs-vault-watch-node';
import { VaultError } from '../kernel/vault-port';
import { AppJsonExcludedFiles, appJsonPath } from './obsidian-app-json';
import { loadVaultSettings, VaultSettingsError } from './load-vault-settings';
import { createVaultMcpServer, type VaultMcpCallContext } from './mcp-server';
import { LineStdioTransport } from './mcp-stdio-transport';
import { VERSION } from '../kernel/version';

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
}

/**
 * Nobody sits between an MCP client and the vault to approve a change. The delegate-mode controller never asks for
 * a create inside its scope and refuses everything else without asking, so this answer is a backstop only.
 */
const NOBODY_TO_ASK: ApprovalGate = {
    request: () => Promise.resolve({ kind: 'deny', reason: 'no person can approve changes made over MCP' }),
};

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

/** Serves the vault until the client closes stdin. Rejects with `McpCommandError` when it cannot start. */
export async function runMcpServer(options: RunMcpServerOptions): Promise<void> {
    const { vaultRoot, configDir } = options;
    const allowDefaults = options.defaultSettings === true;
    const vault = await FsVault.open(vaultRoot, { configDir }).catch((error: unknown) => {
        const why = error instanceof VaultError ? error.message : 'it could not be opened';
        throw new McpCommandError(`Cannot serve ${vaultRoot}: ${why}`);
    });
    const initial = await loadVaultSettings({ vaultRoot, configDir, allowDefaults }).catch((error: unknown) => {
        if (error instanceof VaultSettingsError) throw new McpCommandError(`Not started. ${error.message}`);
        throw error;
    });
    for (const note of initial.notes) options.stderr?.write(`vault-agent mcp: ${note}\n`);
    const outputFolder = initial.settings.delegate.outputFolder;
    const jobsFolder = initial.settings.delegate.jobsFolder;
    const checkpoints = new CheckpointStore({ vault, persistence: new ProcessCheckpoints() });
    const obsidianExcluded = new AppJsonExcludedFiles(appJsonPath(vault.root, configDir));

    const watcher = new VaultWatcher(vault, {
        onFullScan: (reason, stats) => {
            if (options.debugScans === true) {
                options.stderr?.write(
                    `vault-agent mcp: full scan #${vault.scanCount} (${reason}): ${stats.files} files in ${Math.round(stats.ms)} ms\n`,
                );
            }
        },
        onError: (message) => options.stderr?.write(`vault-agent mcp: ${message}.\n`),
    });
    if (options.debugScans === true) options.stderr?.write(`vault-agent mcp: full scan #${vault.scanCount} (start)\n`);
    watcher.start();

    // The review inbox, read and written like the plugin's (judged by the gate of the call's settings).
    let gateNow: ExclusionGate | null = null;
    const proposals = new ProposalStore({
        vault,
        gate: () => gateNow ?? exclusionGate(vault, null),
        folder: () => (gateNow === null ? null : proposalsFolderFor(jobsFolder)),
    });
    const prepare = async (client: { name: string }): Promise<VaultMcpCallContext> => {
        await watcher.fresh();
        let privacy: PrivacySettings | null;
        try {
            const reread = await loadVaultSettings({ vaultRoot, configDir, allowDefaults, searchElsewhere: false });
            privacy = reread.settings.privacy;
        } catch {
            // The settings broke while serving: the gate locks (every note excluded) rather than serving unguarded.
            privacy = null;
        }
        // Obsidian's Excluded files as app.json says now: an edit counts from the next call.
        const judged = exclusionGate(vault, privacy, obsidianExcluded.for(privacy));
        gateNow = privacy === null ? null : judged;
        // A client never reads the proposals folder: it may hold text of a note made private since.
        const gate = judged.withHiddenFolders([proposalsFolderFor(jobsFolder)]);
        const controller = (mode: 'delegate' | 'propose'): ChangeController =>
            new ChangeController({
                vault,
                gate,
                approvals: NOBODY_TO_ASK,
                mode,
                checkpoints,
                scope: { outputFolder },
                jobsFolder,
                ...(mode === 'propose'
                    ? {
                          proposals: proposals.sinkFor({
                              kind: 'mcp',
                              id: client.name,
                              title: `MCP client ${client.name}`,
                          }),
                      }
                    : {}),
            });
        const changes = privacy === null ? null : controller('delegate');
        return { vault, gate, changes, proposals: privacy === null ? null : controller('propose'), outputFolder };
    };

    const server = createVaultMcpServer({ prepare, outputFolder, version: options.version ?? VERSION });
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
        await watcher.close();
    }
}
