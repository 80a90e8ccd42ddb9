/**
 * The plugin's ways in: the ribbon icon, the commands (none with a default hotkey), the editor menu and the file
 * menu, plus what the two views are built from. Views are found with `getLeavesOfType`, never held.
 */
import { Notice, TFile, TFolder, type App, type Editor, type Menu, type Plugin, type TAbstractFile } from 'obsidian';
import { ensureInstructionNote } from '../context/guidance';
import { ExclusionGate } from '../context/exclusions';
import { sanitizeNoteName, uniqueNotePath } from '../kernel/safe-names';
import { ChatView, VIEW_TYPE_CHAT, type ChatViewServices } from '../views/chat-view';
import { createTriggerNote } from '../delegate/trigger-spec';
import { EnqueueModal, type EnqueuePrefill } from '../views/enqueue-modal';
import { INLINE_COMMAND_NAMES, registerInlineEdit } from './inline-edit-commands';
import { openPluginSettings } from './open-settings';
import { VIEW_TYPE_QUEUE, type QueueViewServices } from '../views/queue-view';
import { reviewInbox } from '../views/inbox-port';
import { VIEW_TYPE_INBOX, type InboxViewServices } from '../views/inbox-view';
import type { PluginServices } from './plugin-services';

/** The plugin's id (as in `manifest.json`), which names its settings tab. */

/** The commands, by id; names are sentence case and no command has a default hotkey. */
export const COMMAND_NAMES = {
    'open-chat': 'Open chat',
    'new-chat': 'New chat',
    'add-note-to-chat': 'Add current note to chat',
    'add-selection-to-chat': 'Add selection to chat',
    'ask-about-selection': 'Ask about selection',
    'undo-last-agent-change': 'Undo last agent change',
    'open-agent-instructions': 'Open agent instructions',
    'open-job-queue': 'Open job queue',
    'open-review-inbox': 'Open review inbox',
    'delegate-about-note': 'Delegate a job about the current note',
    'delegate-from-selection': 'Delegate a job from the selection',
    'delegate-about-tag': 'Delegate a job about a tag',
    ...INLINE_COMMAND_NAMES,
} as const;

/** The plugin's UI wiring over its services. */
export class PluginUi {
    private readonly app: App;
    private readonly services: PluginServices;
    private readonly pluginId: string;

    constructor(options: { app: App; services: PluginServices; pluginId?: string }) {
        this.app = options.app;
        this.services = options.services;
        this.pluginId = options.pluginId ?? 'vault-agent';
    }

    /** What the chat view is built from. */
    chatViewServices(): ChatViewServices {
        const s = this.services;
        return {
            createChat: (approvals) => s.createChat(approvals),
            customCommands: async () => (await s.core.commands.scan()).commands,
            apiKeySet: async () =>
                ((await s.secrets.get(s.settingsOrDefaults().model.apiKeySecretName)) ?? '').trim() !== '',
            openSettings: () => openPluginSettings(this.app, this.pluginId),
            store: s.chats,
            focus: s.focus,
            suggest: (query) => s.suggester?.suggest(query) ?? [],
            related: (path) => s.related(path).map((note) => ({ path: note.path, why: note.reasons[0] ?? '' })),
            whyExcluded: (path) => {
                const verdict = s.currentGate().check(path);
                return verdict.excluded ? ExclusionGate.describe(verdict.reason) : null;
            },
            resolveLink: (link) => s.vault.resolveLink(link, s.focus.focusedNote() ?? ''),
            openLink: (linktext) => void this.app.workspace.openLinkText(linktext, s.focus.focusedNote() ?? ''),
            saveNote: async (title, markdown) => {
                const desired = `Agent/Chats/${sanitizeNoteName(title)}.md`;
                const path = await uniqueNotePath(desired, async (p) => (await s.vault.stat(p)) !== null);
                await s.vault.create(path, markdown);
                return path;
            },
        };
    }

    /** What the queue view is built from. */
    queueViewServices(): QueueViewServices {
        const { store, queue } = this.services;
        const { spend } = this.services.core;
        return {
            queue,
            newJob: () => this.openEnqueue(),
            openLink: (linktext, sourcePath) => void this.app.workspace.openLinkText(linktext, sourcePath),
            usage: () => spend.summary(),
            settingsProblem: () => (store.state.status === 'locked' ? store.state.error : null),
            continueInChat: (job) => void this.chat().then((view) => view?.continueFromJob(job)),
        };
    }

    /** What the review inbox (view, notices, status bar) is built from. */
    inboxViewServices(): InboxViewServices {
        const s = this.services;
        return {
            inbox: reviewInbox(() => s.core.review()),
            openNote: (path) => void this.app.workspace.openLinkText(path, '', false),
        };
    }

    /** Opens the enqueue modal, prefilled from where it was opened. */
    openEnqueue(prefill: EnqueuePrefill = {}): void {
        const s = this.services;
        new EnqueueModal(
            this.app,
            {
                enqueue: (spec) => s.queue.enqueue(spec),
                createTrigger: (spec) => {
                    const { delegate } = s.lockedOrThrow();
                    return createTriggerNote(s.vault, delegate.jobsFolder, spec, delegate.outputFolder);
                },
                suggest: (query) => s.suggester?.suggest(query) ?? [],
                templates: s.core.commands,
                onQueued: () => void this.reveal(VIEW_TYPE_QUEUE),
                defaults: () => {
                    const { delegate, model } = s.settingsOrDefaults();
                    const { turns, usd } = delegate.defaultBudget;
                    return {
                        outputFolder: delegate.outputFolder,
                        model: model.defaultModel,
                        turns,
                        usd,
                        configDir: this.app.vault.configDir,
                        jobsFolder: delegate.jobsFolder,
                    };
                },
            },
            prefill,
        ).open();
    }

    /** Shows a view of `type` in the right sidebar, opening one when none is open. */
    async reveal(type: string): Promise<void> {
        const workspace = this.app.workspace;
        let leaf = workspace.getLeavesOfType(type)[0] ?? null;
        if (leaf === null) {
            leaf = workspace.getRightLeaf(false);
            if (leaf === null) return;
            await leaf.setViewState({ type, active: true });
        }
        await workspace.revealLeaf(leaf);
    }

    /** The open chat view (revealed, opened when needed), or `null`. */
    async chat(): Promise<ChatView | null> {
        await this.reveal(VIEW_TYPE_CHAT);
        const view = this.app.workspace.getLeavesOfType(VIEW_TYPE_CHAT)[0]?.view;
        return view instanceof ChatView ? view : null;
    }

    /** Re-reads the focus for every open chat's chips (on `active-leaf-change`). */
    refreshChatContext(): void {
        for (const leaf of this.app.workspace.getLeavesOfType(VIEW_TYPE_CHAT)) {
            if (leaf.view instanceof ChatView) leaf.view.refreshContext();
        }
    }

    /** Adds the ribbon icon, the commands and the menu items; all are removed with the plugin. */
    register(plugin: Plugin): void {
        plugin.addRibbonIcon('message-square', 'Open chat', () => void this.reveal(VIEW_TYPE_CHAT));
        const note = (): TFile | null => {
            const path = this.services.focus.focusedNote();
            const file = path === null ? null : this.app.vault.getAbstractFileByPath(path);
            return file instanceof TFile ? file : null;
        };
        const add = (id: keyof typeof COMMAND_NAMES, run: () => unknown): void => {
            plugin.addCommand({ id, name: COMMAND_NAMES[id], callback: () => void run() });
        };
        const withNote = (id: keyof typeof COMMAND_NAMES, run: (file: TFile) => unknown): void => {
            plugin.addCommand({
                id,
                name: COMMAND_NAMES[id],
                checkCallback: (checking) => {
                    const file = note();
                    if (file === null) return false;
                    if (!checking) void run(file);
                    return true;
                },
            });
        };
        const withSelection = (id: keyof typeof COMMAND_NAMES, run: (text: string) => unknown): void => {
            plugin.addCommand({
                id,
                name: COMMAND_NAMES[id],
                editorCallback: (editor: Editor) => void run(editor.getSelection()),
            });
        };
        add('open-chat', () => this.reveal(VIEW_TYPE_CHAT));
        add('new-chat', async () => (await this.chat())?.service.newChat());
        withNote('add-note-to-chat', async (file) => (await this.chat())?.insertIntoInput(`@[[${file.basename}]] `));
        withSelection('add-selection-to-chat', (text) => this.addSelection(text, false));
        withSelection('ask-about-selection', (text) => this.addSelection(text, true));
        add('undo-last-agent-change', () => this.undoLast());
        add('open-agent-instructions', () => this.openInstructions());
        add('open-job-queue', () => this.reveal(VIEW_TYPE_QUEUE));
        add('open-review-inbox', () => this.reveal(VIEW_TYPE_INBOX));
        withNote('delegate-about-note', (file) => this.openEnqueue({ context: [`[[${file.basename}]]`] }));
        withSelection('delegate-from-selection', (text) => this.openEnqueue({ brief: text }));
        add('delegate-about-tag', () => this.openEnqueue({ context: this.focusedTags() }));
        registerInlineEdit(plugin, {
            app: this.app,
            services: this.services,
            openChat: (chatId) => void this.chat().then((view) => view?.service.resume(chatId)),
        });
        plugin.registerEvent(
            this.app.workspace.on('editor-menu', (menu: Menu, editor: Editor) => {
                const text = editor.getSelection();
                if (text === '') return;
                menu.addItem((item) =>
                    item
                        .setTitle('Ask the agent about selection')
                        .setIcon('message-square')
                        .onClick(() => void this.addSelection(text, true)),
                );
                menu.addItem((item) =>
                    item
                        .setTitle('Delegate a job from selection')
                        .setIcon('list-checks')
                        .onClick(() => this.openEnqueue({ brief: text })),
                );
            }),
        );
        plugin.registerEvent(
            this.app.workspace.on('file-menu', (menu: Menu, file: TAbstractFile) => {
                if (!(file instanceof TFolder)) return;
                menu.addItem((item) =>
                    item
                        .setTitle('Delegate a job about this folder')
                        .setIcon('list-checks')
                        .onClick(() => this.openEnqueue({ context: [`${file.path}/`] })),
                );
            }),
        );
    }

    /** Quotes the selection into the chat input; "ask" starts a fresh chat about it. */
    private async addSelection(text: string, ask: boolean): Promise<void> {
        if (text.trim() === '') return;
        const view = await this.chat();
        if (view === null) return;
        if (ask) view.service.newChat();
        view.insertIntoInput(
            `${text
                .split('\n')
                .map((line) => `> ${line}`)
                .join('\n')}\n\n`,
        );
    }

    /** Undoes the newest undoable change at once when all of it can be restored; otherwise names what cannot. */
    private async undoLast(): Promise<void> {
        const { checkpoints } = this.services.core;
        const turnId = (await checkpoints.undoableTurns()).at(-1);
        if (turnId === undefined) {
            new Notice('No agent change to undo.');
            return;
        }
        const plan = await checkpoints.undo(turnId, { dryRun: true });
        if (plan.notRestored.length > 0) {
            // Row 5: what cannot be restored is named before anything is undone; the chat's undo asks to confirm.
            new Notice(
                `Not undone. Cannot restore: ${plan.notRestored.map((p) => p.why).join('; ')}. Use Undo in the chat to confirm the rest.`,
            );
            return;
        }
        const report = await checkpoints.undo(turnId);
        new Notice(`Undone: ${report.restored.map((a) => a.description).join('; ')}.`);
    }

    private async openInstructions(): Promise<void> {
        const s = this.services;
        const { path } = await ensureInstructionNote(s.vault, s.settingsOrDefaults().context.instructionsNote);
        await this.app.workspace.openLinkText(path, '', false);
    }

    /** The tags of the focused note, as context references (`#tag`). */
    private focusedTags(): string[] {
        const path = this.services.focus.focusedNote();
        const tags = path === null ? undefined : this.services.vault.metadata(path)?.tags;
        return tags === undefined ? [] : tags.map((tag) => (tag.startsWith('#') ? tag : `#${tag}`));
    }
}
