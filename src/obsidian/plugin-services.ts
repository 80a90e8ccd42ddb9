/**
 * The composition root on Obsidian: every service of the plugin, built once from `app` and the plugin's own calls.
 * Settings drive the rest: the exclusion gate is rebuilt on every settings change (and is "exclude everything" while
 * settings are locked), the catalogs, the MCP hub and the daily cap follow, and no model client is built while locked
 * (the chat says why, the queue pauses — docs/RELIABILITY.md row 14). Nothing here scans the vault before `start`,
 * which the plugin calls when the layout is ready.
 */
import type { App, EventRef } from 'obsidian';
import { obsidianPdfTextReader } from './pdf-text';
import type { ApprovalGate } from '../agent/changes/approval';
import { createModelClient, type ModelClient, type ModelList } from '../agent/model-client';
import type { SessionServices } from '../agent/session-factory';
import { KeyValueSpendLedger } from '../agent/spend/spend-ledger';
import { DeviceSpendLedger, desktopLedgerOpener } from './device-spend-ledger';
import { ChatService } from '../chat/chat-service';
import { AdapterChatStore } from '../chat/chat-store';
import { CoreServices } from '../compose/core-services';
import type { ExclusionGate } from '../context/exclusions';
import { MentionSuggester } from '../context/suggest';
import type { RelatedNote } from '../search/related';
import { notesByContent, visibleRelated } from '../search/chat-lookups';
import type { JobQueue } from '../delegate/job-queue';
import { RunnerHeartbeat } from '../delegate/runner-beat';
import { systemClock } from '../kernel/ports';
import { DEFAULT_SETTINGS, type Settings } from '../kernel/settings';
import { SettingsStore, type SettingsState } from '../kernel/settings-store';
import { ModalToolCallGate } from '../views/tool-call-modal';
import { EditorWriter } from './editor-writer';
import { obsidianHttpPost } from './http-post';
import { FocusTracker } from './focus-tracker';
import { hiddenFolderReader } from './hidden-folder-reader';
import { deviceIdOf, LOCAL_KEYS, LocalConsentStore, localKeyValue } from './local-storage';
import { AdapterExcludedFiles } from './app-json-excluded';
import { ObsidianNotifier } from './notifier';
import { ObsidianVault } from './obsidian-vault';
import { IndexedDbScreenMemory } from './screen-memory';
import { SCREEN_READING } from '../vault/exclusion-screen';
import { ObsidianSecretStore } from './secret-store';

/** What the services need from the plugin. */
export interface PluginHost {
    /** The running app. */
    app: App;
    /** The plugin's folder (`manifest.dir`), where chats and checkpoints are kept. */
    pluginDir: string;
    /** `Plugin.loadData`. */
    loadData(): Promise<unknown>;
    /** `Plugin.saveData`. */
    saveData(data: unknown): Promise<void>;
    /** Whether the plugin's `data.json` exists: `loadData` answers `null` both for no file and for a file of `null`. */
    settingsFileExists(): Promise<boolean>;
    /** `Plugin.registerEvent`, so every subscription ends with the plugin. */
    registerEvent(ref: EventRef): void;
    /** `Platform.isDesktop`: Node-only parts (stdio MCP servers, the Node file reader) load only then. */
    isDesktop: boolean;
    /** The plugin's version (`manifest.version`): what it kept on this device is trusted by the same version only. */
    version: string;
}

/** Thrown when something would be sent while the settings are locked. */
export class SettingsLockedError extends Error {
    override readonly name: string = 'SettingsLockedError';

    constructor(reason: string) {
        super(`Vault Agent is paused: its settings could not be read. ${reason} Nothing is sent until they are fixed.`);
    }
}

/** Every service of one plugin instance: Obsidian's adapters handed to the one composition root (`CoreServices`). */
export class PluginServices {
    /** Notices. */
    readonly notifier = new ObsidianNotifier();
    /** This device's secrets. */
    readonly secrets: ObsidianSecretStore;
    /** The vault behind `VaultPort`. */
    readonly vault: ObsidianVault;
    /** The settings and the locked state. */
    readonly store: SettingsStore;
    /** The core services, built by the composition root from Obsidian's adapters. */
    readonly core: CoreServices;
    /** Stored chats. */
    readonly chats: AdapterChatStore;
    /** The last Markdown view the person used. */
    readonly focus: FocusTracker;
    /** The open notes' editors, so the agent edits them without losing keystrokes. */
    readonly editors: EditorWriter;
    /** Asks before MCP tool calls in the chat. */
    readonly toolCallGate: ModalToolCallGate;
    /** The delegate queue (started with `start`). */
    readonly queue: JobQueue;
    /** Mention suggestions; `null` until the layout is ready. */
    suggester: MentionSuggester | null = null;
    /** Obsidian's own Excluded files, from the config folder's app.json. */
    readonly obsidianExcluded: AdapterExcludedFiles;
    private started = false;
    private readonly host: PluginHost;
    /** Tells `vault-agent mcp` on this machine that a queue runs here (the plugin's folder, never a note). */
    private readonly heartbeat: RunnerHeartbeat;
    /** The exclusion readings kept on this device (decision 0035); `null` where IndexedDB is missing. */
    private readonly readings: IndexedDbScreenMemory | null;

    constructor(host: PluginHost) {
        this.host = host;
        const { app } = host;
        this.secrets = new ObsidianSecretStore({ app });
        this.readings = tagReadingsOf(app, host.version);
        this.vault = new ObsidianVault({
            app,
            isDesktop: host.isDesktop,
            ...(this.readings !== null ? { readings: this.readings } : {}),
        });
        this.store = new SettingsStore({
            persistence: {
                load: async () => {
                    const raw = await host.loadData();
                    // Only a missing file is a fresh install; a file that reads as nothing is refused (decision 0001).
                    if (raw === null || raw === undefined) return (await host.settingsFileExists()) ? null : undefined;
                    return raw;
                },
                save: (d) => host.saveData(d),
            },
        });
        const adapter = app.vault.adapter;
        this.obsidianExcluded = new AdapterExcludedFiles(adapter, app.vault.configDir, () =>
            app.vault.getFiles().map((file) => file.path),
        );
        const stateFile = `${host.pluginDir}/checkpoints.json`;
        this.editors = new EditorWriter({ app, refuse: (path) => this.vault.refuseLinkedWrite(path) });
        const basePath = (adapter as { getBasePath?: () => string }).getBasePath;
        this.core = new CoreServices(
            {
                vault: this.vault,
                notifier: this.notifier,
                checkpoints: {
                    load: async () =>
                        (await adapter.exists(stateFile))
                            ? (JSON.parse(await adapter.read(stateFile)) as unknown)
                            : null,
                    save: async (data) => adapter.write(stateFile, JSON.stringify(data)),
                },
                // On desktop, the one ledger of this device, shared with the command line (decision 0038).
                spendLedger: new DeviceSpendLedger(
                    new KeyValueSpendLedger({ storage: localKeyValue(app), key: LOCAL_KEYS.spend }),
                    host.isDesktop ? desktopLedgerOpener() : null,
                ),
                mcpConsent: new LocalConsentStore({ app }),
                allowStdio: host.isDesktop,
                hiddenFolders: hiddenFolderReader({
                    adapter,
                    configDir: app.vault.configDir,
                    isDesktop: host.isDesktop,
                }),
                editors: this.editors,
                obsidianExcluded: this.obsidianExcluded,
                http: obsidianHttpPost,
                vaultName: app.vault.getName(),
                pdfText: obsidianPdfTextReader,
                ...(typeof basePath === 'function' ? { vaultRoot: basePath.call(adapter) } : {}),
            },
            null,
        );
        this.chats = new AdapterChatStore({ adapter, folder: `${host.pluginDir}/chats` });
        this.focus = new FocusTracker({ workspace: app.workspace, registerEvent: (ref) => host.registerEvent(ref) });
        this.toolCallGate = new ModalToolCallGate({ app });
        this.queue = this.core.jobQueue({
            client: () => this.client(),
            settings: () => this.store.settings,
            lockedReason: () => (this.store.state.status === 'locked' ? this.store.state.error : ''),
            deviceId: deviceIdOf(app),
        });
        this.store.onChange((state) => this.onSettings(state));
        const beatFile = `${host.pluginDir}/runner.json`;
        this.heartbeat = new RunnerHeartbeat({
            write: (text) => adapter.write(beatFile, text),
            clear: async () => {
                if (await adapter.exists(beatFile)) await adapter.remove(beatFile);
            },
            clock: systemClock,
            device: deviceIdOf(app),
            kind: 'plugin',
            everyMs: 30_000,
        });
    }

    /** Reads the settings; a locked state is announced once, and everything then fails closed. */
    async load(): Promise<SettingsState> {
        await this.obsidianExcluded.refresh();
        const state = await this.store.load();
        this.announceObsidianProblem();
        if (state.status === 'locked') {
            this.notifier.notify(
                `Vault Agent is paused: its settings could not be read. ${state.error} ` +
                    'Nothing is sent until they are fixed or reset in its settings tab.',
                'error',
            );
        }
        return state;
    }

    /** After the layout is ready: watch the vault, index mentions, connect consented MCP servers, start the queue. */
    start(): void {
        this.started = true;
        this.vault.watch((ref) => this.host.registerEvent(ref));
        this.suggester = new MentionSuggester({
            vault: this.vault,
            gate: () => this.core.gate(),
            content: (query, limit) => notesByContent(this.core.search, this.core.gate(), query, limit),
        });
        // The suggestions and the relevance index are built once every note's tags are known (row 140; the gate excludes
        // a note until then), off the first keystroke's path; later changes reach them by events.
        void this.vault.tagsSettled().then(() => {
            void this.suggester?.rebuild();
            return this.core.search.ready();
        });
        if (this.store.settings !== null) void this.core.hub.connectAll();
        this.queue.start();
        this.heartbeat.start();
    }

    /** On unload: stop the queue (running jobs become `interrupted`), close MCP servers, stop indexing. */
    async stop(): Promise<void> {
        this.started = false;
        this.suggester?.dispose();
        this.suggester = null;
        try {
            await this.heartbeat.stop();
            await this.queue.stop();
        } finally {
            await Promise.all([this.core.hub.close(), this.keepTagReadings()]);
        }
    }

    /** Keeps the tag readings not kept yet, waiting at most a second: a stuck IndexedDB must not hold the unload. */
    private async keepTagReadings(): Promise<void> {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, KEEP_READINGS_MS)));
        await Promise.race([this.vault.keepTagReadings(), limit]);
        clearTimeout(timer);
        this.readings?.close();
    }

    /**
     * The visible notes closest to `path` (links, tags, words), for the chat's chips; none while `path` is hidden or
     * the index is not built yet. The index catches up with the latest changes for the next call.
     */
    related(path: string, limit = 3): RelatedNote[] {
        return visibleRelated(this.core.search, this.vault, this.core.gate(), path, limit);
    }

    /** The exclusion gate of the settings as they are now. */
    currentGate(): ExclusionGate {
        return this.core.gate();
    }

    /** Builds the model client from settings and this device's key; rejects while settings are locked. */
    async client(): Promise<ModelClient> {
        // Every chat turn and job builds a client first: Obsidian's Excluded files as app.json says now.
        await this.refreshObsidianExcluded();
        const settings = this.lockedOrSettings();
        return createModelClient({ secrets: this.secrets, settings: settings.model, isDesktop: this.host.isDesktop });
    }

    /** The endpoint's models for the settings tab, `null` when they cannot be read (no key, locked, offline). */
    async models(): Promise<ModelList | null> {
        try {
            return await this.core.models.list(await this.client());
        } catch {
            return null;
        }
    }

    /** What a chat session is built from; rejects while settings are locked (the chat shows the reason). */
    async sessionServices(approvals: ApprovalGate): Promise<SessionServices> {
        const settings = this.lockedOrSettings();
        const client = await this.client();
        return this.core.sessionServices(settings, { client, approvals, toolCallGate: this.toolCallGate });
    }

    /** A chat whose approvals are the given gate (the chat view's cards). */
    createChat(approvals: ApprovalGate): ChatService {
        return new ChatService({
            store: this.chats,
            focus: this.focus,
            checkpoints: this.core.checkpoints,
            services: () => this.sessionServices(approvals),
            commands: () => this.core.commands,
            enqueue: (spec) => this.queue.enqueue(spec),
            defaults: () => {
                const settings = this.settingsOrDefaults();
                return {
                    mode: settings.chat.defaultMode,
                    model: settings.model.defaultModel,
                    attachFocusedNote: settings.chat.attachFocusedNote,
                };
            },
        });
    }

    /** The settings, or the defaults for what only shapes the UI while locked (never for what is sent). */
    settingsOrDefaults(): Settings {
        return this.store.settings ?? DEFAULT_SETTINGS;
    }

    /** The settings, or a `SettingsLockedError` while they are locked (nothing is written then). */
    lockedOrThrow(): Settings {
        return this.lockedOrSettings();
    }

    private lockedOrSettings(): Settings {
        const state = this.store.state;
        if (state.status === 'locked') throw new SettingsLockedError(state.error);
        return state.settings;
    }

    /** Reads app.json again; when Obsidian's Excluded files changed, the gate and the suggestions follow. */
    async refreshObsidianExcluded(): Promise<void> {
        if (!(await this.obsidianExcluded.refresh())) return;
        this.core.gate();
        this.announceObsidianProblem();
        if (this.suggester !== null) void this.suggester.rebuild();
    }

    /** Says once per change that Obsidian's list cannot be read, so every note is excluded. */
    private announceObsidianProblem(): void {
        const problem = this.obsidianExcluded.for(this.store.settings?.privacy ?? null)?.problem ?? null;
        if (problem === null) return;
        this.notifier.notify(
            `Vault Agent excludes every note: Obsidian's excluded files could not be read (${problem}). Fix the ` +
                'list, or turn off "Obsidian\'s excluded files" in Vault Agent\'s privacy settings.',
            'error',
        );
    }

    private onSettings(state: SettingsState): void {
        const settings = state.status === 'ready' ? state.settings : null;
        const { replacedHub } = this.core.apply(settings);
        if (replacedHub !== null) {
            void replacedHub
                .close()
                .then(() => (settings !== null && this.started ? this.core.hub.connectAll() : null));
        }
        // Suggestions are indexed through the gate: a note made private must leave them now.
        if (this.suggester !== null) void this.suggester.rebuild();
    }
}

/** The longest an unload waits for the tag readings to be kept (they are read again next time otherwise). */
const KEEP_READINGS_MS = 1_000;

/**
 * Where the exclusion reading of each note is kept between sessions: IndexedDB, one database per vault on this device
 * (named by the vault's device id, which `app.loadLocalStorage` keeps per vault), trusted by this version only.
 */
function tagReadingsOf(app: App, version: string): IndexedDbScreenMemory | null {
    const factory = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (factory === undefined) return null;
    return new IndexedDbScreenMemory({
        name: `vault-agent-readings-${deviceIdOf(app)}`,
        version: `${version}/${SCREEN_READING}`,
        factory,
    });
}
