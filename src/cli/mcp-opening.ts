/**
 * Calls the MCP server answers while the vault opens (decision 0027): `read_note` of a note, from the note's own file
 * (`OpeningVault`), judged by a gate of exactly the rules a call to the opened vault gets, on the settings as the file
 * says now. A call that needs more than the note (its text links to another note, it is a symbolic link, an attachment)
 * or whose settings cannot be read waits for the opened vault, as every other call does. While such calls are being
 * answered, the opening scan pauses (`busy`), so they cost what they cost on an opened vault, for a bounded time in all
 * (`OPENING_PAUSE_BUDGET_MS`); after that, calls wait for the opened vault.
 */
import { clientGateOf, exclusionGate } from '../compose/core-services';
import type { Busy } from '../vault/fs-vault-walk-node';
import { OpeningVault } from '../vault/opening-vault-node';
import { loadVaultSettings } from './load-vault-settings';
import type { OpeningCallContext } from './mcp-server';
import { AppJsonExcludedFiles, appJsonPath } from './obsidian-app-json';

/** The tools answered while the vault opens. */
const OPENING_TOOLS: ReadonlySet<string> = new Set(['read_note']);

/**
 * How long, in all, calls answered while the vault opens may hold the opening scan up (ms): past that, every call waits
 * for the opened vault, so a client that keeps reading cannot delay what waits for the whole vault (listings, searches)
 * by more than this.
 */
export const OPENING_PAUSE_BUDGET_MS = 20;

/** What the calls answered while the vault opens need to know. */
export interface OpeningCallsOptions {
    /** The vault folder as given, and its real path and config folder as `FsVault.locate` found them. */
    vaultRoot: string;
    configDir: string;
    located: { root: string; configDir: string };
    /** `--default-settings`. */
    defaultSettings?: boolean;
    /** The delegate output folder (for the call context). */
    outputFolder: string;
    /** Say on stderr how each such call went (`VAULT_AGENT_DEBUG=scan`). */
    debugScans?: boolean;
    stderr?: { write(text: string): unknown };
}

/** The calls answered while the vault opens, until it is open. */
export class OpeningCalls {
    private isOpen = false;
    private calls = 0;
    private allDone: { promise: Promise<void>; resolve: () => void } | null = null;
    /** How long the opening scan was held up so far (ms), and since when it is now (`null`: it is not). */
    private pausedMs = 0;
    private pausedSince: number | null = null;

    constructor(private readonly options: OpeningCallsOptions) {}

    /** The vault is open: every call goes to it from now on. */
    opened(): void {
        this.isOpen = true;
    }

    /** While calls are answered here: a promise that settles when they are done (the opening scan waits for it). */
    readonly busy: Busy = () => {
        if (this.calls === 0) return null;
        if (this.allDone === null) {
            let resolve: () => void = () => undefined;
            const promise = new Promise<void>((settle) => (resolve = settle));
            this.allDone = { promise, resolve };
        }
        return this.allDone.promise;
    };

    /** A context in which a call to `tool` is tried while the vault opens, or `null`: the call waits for the vault. */
    async context(tool: string): Promise<OpeningCallContext | null> {
        if (this.isOpen || !OPENING_TOOLS.has(tool) || this.pausedMs >= OPENING_PAUSE_BUDGET_MS) return null;
        if (this.calls++ === 0) this.pausedSince = performance.now();
        let done = false;
        const finish = (answered: boolean | null): void => {
            if (done) return;
            done = true;
            if (this.options.debugScans === true && answered !== null) {
                const how = answered ? 'answered while the vault opens' : 'waits for the vault to open';
                this.options.stderr?.write(`vault-agent mcp: ${tool} ${how}\n`);
            }
            if (--this.calls === 0) {
                this.pausedMs += performance.now() - (this.pausedSince ?? performance.now());
                this.pausedSince = null;
                this.allDone?.resolve();
                this.allDone = null;
            }
        };
        const context = await this.build().catch(() => null);
        if (context === null) finish(null);
        return context === null ? null : { ...context, done: finish };
    }

    /** The settings as the file says now and a gate of their rules over single notes; `null` when unreadable. */
    private async build(): Promise<Omit<OpeningCallContext, 'done'> | null> {
        const { vaultRoot, configDir, located } = this.options;
        const allowDefaults = this.options.defaultSettings === true;
        const loaded = await loadVaultSettings({ vaultRoot, configDir, allowDefaults, searchElsewhere: false });
        const settings = loaded.settings;
        const vault = new OpeningVault(located.root, located.configDir);
        // As the opened vault's gate has it: Obsidian's Excluded files as app.json says now, the same folders hidden.
        const obsidian = new AppJsonExcludedFiles(appJsonPath(located.root, configDir)).for(settings.privacy);
        const gate = exclusionGate(vault, settings.privacy, obsidian, settings.delegate.jobsFolder);
        return {
            vault,
            gate: clientGateOf(gate, settings),
            changes: null,
            proposals: null,
            outputFolder: this.options.outputFolder,
            beyondReach: () => vault.outOfReach,
        };
    }
}
