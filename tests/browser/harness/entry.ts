/**
 * The page the browser tests drive: the real chat view (and everything behind it: ChatService, AgentSession, the
 * turn loop, tools, ChangeController, CheckpointStore, ContextBuilder, MentionSuggester, ExclusionGate) mounted on
 * the `obsidian` stub, over the example vault held in memory, with the real SDK talking to the local Messages-API
 * server through the harness server (same origin, so no CORS). Chats persist in `localStorage`, so a reload is a
 * restart. `window.harness` lets tests look inside.
 *
 * MCP servers named in the settings (`settings.mcp.servers`) are connected through the real `McpHub` and the
 * plugin's own transports, with launch consent given on this "device" up front, and the chat asks through the real
 * `ModalToolCallGate`; an HTTP server's URL may be relative to the page (`/mcp-peer/mcp`, see `server.ts`). With no
 * server configured (the example vault), nothing changes.
 */
import {
    App,
    LeafWorkspace,
    MarkdownRenderer,
    MarkdownView,
    Modal,
    TFile,
    WorkspaceLeaf,
    installDomHelpers,
} from '../../support/obsidian-stub';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { MapConsentStore, describeLaunch, grantLaunchConsent } from '../../../src/agent/mcp/mcp-consent';
import { McpHub, type McpServerStatus } from '../../../src/agent/mcp/mcp-hub';
import { createTransportFactory } from '../../../src/agent/mcp/transport-factory';
import { Throttle } from '../../../src/agent/loop/throttle';
import { createModelClient } from '../../../src/agent/model-client';
import { SpendControl } from '../../../src/agent/spend/spend-control';
import { MemorySpendLedger } from '../../../src/agent/spend/spend-ledger';
import { AdapterChatStore, type ChatFileAdapter } from '../../../src/chat/chat-store';
import { ChatService } from '../../../src/chat/chat-service';
import { ContextBuilder } from '../../../src/context/build-context';
import { CommandCatalog } from '../../../src/context/commands';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { FocusSource } from '../../../src/context/focus';
import { MentionSuggester } from '../../../src/context/suggest';
import { notesByContent, visibleRelated } from '../../../src/search/chat-lookups';
import { NoteSearch } from '../../../src/search/note-search';
import { EditorWriter } from '../../../src/obsidian/editor-writer';
import { openPluginSettings } from '../../../src/obsidian/open-settings';
import { ObsidianSecretStore } from '../../../src/obsidian/secret-store';
import { jobDrafter } from '../../../src/delegate/job-draft';
import { createJobNote, excludedJobNote } from '../../../src/delegate/job-spec';
import { systemClock } from '../../../src/kernel/ports';
import { DEFAULT_SETTINGS, type Settings } from '../../../src/kernel/settings';
import { sanitizeNoteName } from '../../../src/kernel/safe-names';
import { ChatView } from '../../../src/views/chat-view';
import { obsidianMarkdown } from '../../../src/views/markdown-block';
import { sanitiseRendered } from '../../../src/views/markdown-safety';
import { installDataviewLike } from '../../support/dataview-like';
import { ModalToolCallGate } from '../../../src/views/tool-call-modal';
import { MemoryVault } from './memory-vault';
import { regexEngine } from '../../../src/agent/tools/regex-engine';
import { AdapterExcludedFiles } from '../../../src/obsidian/app-json-excluded';

interface HarnessConfig {
    files: Record<string, string>;
    settings: Settings;
    apiKey: string;
    configDir: string;
}

/** `localStorage` as Obsidian's `DataAdapter`, so chats survive a reload like files survive a restart. */
const localAdapter: ChatFileAdapter = {
    exists: async (path) => Object.keys(localStorage).some((key) => key === path || key.startsWith(`${path}/`)),
    read: async (path) => {
        const text = localStorage.getItem(path);
        if (text === null) throw new Error(`No such file: ${path}`);
        return text;
    },
    write: async (path, data) => localStorage.setItem(path, data),
    list: async (path) => ({ files: Object.keys(localStorage).filter((k) => k.startsWith(`${path}/`)), folders: [] }),
    mkdir: async () => undefined,
};

/**
 * What Obsidian's own `Modal` does and the stub's does not: Escape closes the topmost open modal (Obsidian registers
 * it on the modal's keymap scope), and a close button (`.modal-close-button`) sits in the corner. Both end in
 * `close()`, so `onClose` is what the product sees, as in Obsidian. The Escape listener runs in the capture phase, so
 * with a modal open it wins over the chat input's own Escape (Stop); the tests press it with focus in the modal.
 */
function installObsidianModalBehaviour(): void {
    const proto = Modal.prototype;
    if ((proto as { harnessKeys?: boolean }).harnessKeys === true) return;
    (proto as { harnessKeys?: boolean }).harnessKeys = true;
    // The stub's own methods, taken off the prototype before they are wrapped.
    const open = Object.getOwnPropertyDescriptor(proto, 'open')?.value as (this: Modal) => void;
    const close = Object.getOwnPropertyDescriptor(proto, 'close')?.value as (this: Modal) => void;
    const stack: Modal[] = [];
    proto.open = function (this: Modal): void {
        stack.push(this);
        if (this.modalEl.querySelector(':scope > .modal-close-button') === null) {
            const button = this.modalEl.createDiv({
                cls: 'modal-close-button',
                attr: { 'aria-label': 'Close' },
                prepend: true,
            });
            button.addEventListener('click', () => this.close());
        }
        open.call(this);
    };
    proto.close = function (this: Modal): void {
        const at = stack.indexOf(this);
        if (at >= 0) stack.splice(at, 1);
        close.call(this);
    };
    document.addEventListener(
        'keydown',
        (event) => {
            const top = stack.at(-1);
            if (event.key !== 'Escape' || top === undefined) return;
            event.preventDefault();
            event.stopPropagation();
            top.close();
        },
        true,
    );
}

/** The MCP servers of the settings, connected; `null` when none is configured. */
async function connectMcp(
    settings: Settings,
    vault: MemoryVault,
    gate: ExclusionGate,
): Promise<{ hub: McpHub; status: McpServerStatus[] } | null> {
    const servers = (settings.mcp?.servers ?? []).map((server) =>
        server.transport === 'http' ? { ...server, url: new URL(server.url, location.origin).href } : server,
    );
    if (servers.length === 0) return null;
    const consent = new MapConsentStore();
    for (const server of servers) await grantLaunchConsent(consent, describeLaunch(server));
    const hub = new McpHub({
        settings: { ...settings.mcp, servers },
        consent,
        transports: createTransportFactory({ allowStdio: false }),
        vault,
        gate,
    });
    return { hub, status: await hub.connectAll() };
}

async function main(): Promise<void> {
    installDomHelpers();
    installObsidianModalBehaviour();
    // Another plugin's processors, registered app-wide as Dataview's are: every render of the page passes them.
    const dataview = installDataviewLike();
    const config = (await (await fetch('/config.json')).json()) as HarnessConfig;
    const settings = config.settings;
    const vault = new MemoryVault(config.configDir, config.files);
    const gate = new ExclusionGate({ vault, privacy: settings.privacy });
    // The relevance index and what the chat asks of it, wired as the plugin wires them (`plugin-services.ts`).
    const search = new NoteSearch({ vault, gate: () => gate });
    await search.ready();
    const suggester = new MentionSuggester({
        vault,
        gate,
        content: (query, limit) => notesByContent(search, gate, query, limit),
    });
    await suggester.rebuild();
    const app = new App({ configDir: config.configDir });
    const mcp = await connectMcp(settings, vault, gate);
    const toolCallGate = mcp === null ? null : new ModalToolCallGate({ app: app as never });
    const workspace = new LeafWorkspace();
    app.workspace = workspace;
    const opened: string[] = [];
    /** Each time the chat asked to open the settings. */
    const settingsOpened: number[] = [];
    const openNote = (path: string): void => {
        opened.push(path);
        const leaf = new WorkspaceLeaf();
        const view = new MarkdownView(leaf);
        view.file = new TFile(app.vault, path);
        view.editor.setValue(vault.snapshot()[path] ?? '');
        leaf.view = view;
        workspace.setActiveLeaf(leaf);
        chatView.refreshContext();
    };
    const focus: FocusSource = {
        focusedNote: () =>
            workspace.activeLeaf?.view instanceof MarkdownView ? (workspace.activeLeaf.view.file?.path ?? null) : null,
        selection: () => null,
        cursorLine: () => null,
    };
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const throttle = new Throttle();
    // The key lives in the app's secret storage under the settings' secret name, read through the plugin's own
    // store, as in Obsidian; an empty `apiKey` is a device where it was never set (the first-run notice shows).
    if (config.apiKey !== '') app.secretStorage.setSecret(settings.model.apiKeySecretName, config.apiKey);
    const secrets = new ObsidianSecretStore({ app: app as never });
    /** Built per turn, as the plugin does, so a key set after the page opened is used by the next message. */
    const clientNow = () =>
        createModelClient({ secrets, settings: { ...settings.model, baseUrl: `${location.origin}/model` } });
    /** What the app's settings window was asked to do (the plugin opens its own tab through it). */
    const settingsCalls: string[] = [];
    Object.assign(app, {
        setting: {
            open: () => settingsCalls.push('open'),
            openTabById: (id: string) => settingsCalls.push(`tab:${id}`),
        },
    });
    const editors = new EditorWriter({ app: app as never });
    const store = new AdapterChatStore({ adapter: localAdapter, folder: 'vault-agent/chats' });
    const context = new ContextBuilder({ vault, gate });
    const spend = new SpendControl({ ledger: new MemorySpendLedger() });
    const commands = new CommandCatalog({ vault, gate });
    // The example vault's data.json names only some delegate fields; the rest come from the defaults, as migration does.
    const delegate = { ...DEFAULT_SETTINGS.delegate, ...settings.delegate };

    const leaf = new WorkspaceLeaf() as WorkspaceLeaf & { app: App };
    leaf.app = app;
    const chatView = new ChatView(leaf as never, {
        createChat: (approvals) =>
            new ChatService({
                store,
                focus,
                checkpoints,
                commands: () => commands,
                // The delegate enqueue path without a running queue: the job note is written as the queue writes it.
                enqueue: (spec) => createJobNote(vault, delegate.jobsFolder, spec, Date.now(), delegate.outputFolder),
                defaults: () => ({
                    mode: settings.chat.defaultMode,
                    model: settings.model.defaultModel,
                    attachFocusedNote: settings.chat.attachFocusedNote,
                }),
                services: async () => ({
                    client: await clientNow(),
                    vault,
                    gate: () => gate,
                    approvals,
                    settings: () => settings,
                    checkpoints,
                    throttle,
                    spend,
                    editors,
                    contextProvider: context,
                    jobs: jobDrafter(
                        vault,
                        () => ({
                            jobsFolder: delegate.jobsFolder,
                            outputFolder: delegate.outputFolder,
                            budget: delegate.defaultBudget,
                        }),
                        systemClock,
                        (text) => excludedJobNote(gate.checkTextTags(text), 'queue'),
                    ),
                    ...(mcp !== null && toolCallGate !== null ? { mcp: mcp.hub, toolCallGate } : {}),
                }),
            }),
        store,
        focus,
        customCommands: async () => (await commands.scan()).commands,
        apiKeySet: async () => ((await secrets.get(settings.model.apiKeySecretName)) ?? '').trim() !== '',
        suggest: (query) => suggester.suggest(query),
        related: (path) =>
            visibleRelated(search, vault, gate, path).map((note) => ({ path: note.path, why: note.reasons[0] ?? '' })),
        whyExcluded: (path) => {
            const verdict = gate.check(path);
            return verdict.excluded ? ExclusionGate.describe(verdict.reason) : null;
        },
        resolveLink: (link) => vault.resolveLink(link, ''),
        openLink: (linktext) => {
            const path = vault.resolveLink(linktext, '') ?? linktext;
            openNote(path);
        },
        openSettings: () => {
            settingsOpened.push(Date.now());
            openPluginSettings(app as never, 'vault-agent');
        },
        saveNote: async (title, markdown) => {
            const base = `Agent/Chats/${sanitizeNoteName(title)}`;
            let path = `${base}.md`;
            for (let n = 2; (await vault.stat(path)) !== null; n++) path = `${base} ${n}.md`;
            await vault.create(path, markdown);
            return path;
        },
    });
    const host = document.getElementById('sidebar');
    if (host === null) throw new Error('The harness page has no #sidebar');
    host.appendChild(chatView.containerEl);
    chatView.load();
    await chatView.onOpen();

    const editorOf = (): MarkdownView | null =>
        workspace.activeLeaf?.view instanceof MarkdownView ? workspace.activeLeaf.view : null;
    Object.assign(window, {
        harness: {
            vault,
            view: chatView,
            opened,
            settingsOpened,
            openNote,
            editorText: () => editorOf()?.editor.getValue() ?? null,
            /** Types at the end of the open note, as a person would while the agent works. */
            typeAtEnd: (text: string) => {
                const editor = editorOf()?.editor;
                if (editor === undefined) return;
                const end = editor.offsetToPos(editor.getValue().length);
                editor.replaceRange(text, end, end);
            },
            undoableTurns: () => checkpoints.undoableTurns(),
            /** Every run of the Dataview-like plugin's processors, whatever rendered it. */
            executed: dataview.executed,
            /** Renders Markdown the way the chat renders an answer, into a new element on the page; returns it. */
            renderAnswer: async (markdown: string): Promise<HTMLElement> => {
                const el = document.body.createDiv({ cls: 'harness-rendered' });
                await obsidianMarkdown(app as never, chatView)(markdown, el, '');
                return el;
            },
            /** Renders Markdown with the stub's `MarkdownRenderer` alone, as another plugin's view would (no chat safety). */
            renderRaw: async (markdown: string): Promise<HTMLElement> => {
                const el = document.body.createDiv({ cls: 'harness-rendered' });
                await MarkdownRenderer.render(app, markdown, el, '', chatView);
                return el;
            },
            /** The chat's rendered-output sweep, for elements of any document (a pop-out window's too). */
            sanitiseRendered,
            /** Obsidian's DOM helpers for another window (Obsidian installs them in every pop-out window). */
            installDomHelpers,
            settingsCalls,
            /** Sets a secret in this device's storage, as the settings tab's secret picker does. */
            setSecret: (name: string, value: string) => app.secretStorage.setSecret(name, value),
            /** Where each configured MCP server stood after connecting (empty without servers). */
            mcpStatus: mcp?.status ?? [],
            /**
             * `search_notes`'s regex engine as the plugin's build has it (the worker; see `server.ts`): the hits of
             * `pattern` in `texts`, or why it was refused.
             */
            regexSearch: async (pattern: string, texts: string[], budgetMs: number) => {
                const prepared = regexEngine.prepare(pattern);
                if (!prepared.ok) return { problem: prepared.problem };
                try {
                    return await prepared.search.searchTexts(texts, Date.now() + budgetMs);
                } finally {
                    prepared.search.close();
                }
            },
            /** Obsidian's Excluded files from `appJson`, as the plugin reads them over this vault's paths. */
            excludedFiles: async (appJson: string, paths: string[]) => {
                const list = new AdapterExcludedFiles(
                    { exists: async () => true, read: async () => appJson },
                    config.configDir,
                    () => [...Object.keys(vault.snapshot()), ...paths],
                );
                await list.refresh();
                const current = list.current;
                return { problem: current.problem, matched: paths.map((path) => current.match(path)) };
            },
            ready: true,
        },
    });
}

main().catch((error: unknown) => {
    const pre = document.createElement('pre');
    pre.className = 'harness-error';
    pre.textContent = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
    document.body.appendChild(pre);
});
