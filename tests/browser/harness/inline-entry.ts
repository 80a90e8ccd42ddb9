/**
 * The inline-edit page (`/inline?note=<path>`): a real CodeMirror 6 editor holding a note of the example vault, with
 * the plugin's inline-edit extension, over the real engine (InlineEdit, ChatService, the session factory, the turn
 * loop, ChangeController, CheckpointStore, ContextBuilder, ExclusionGate) and the real SDK talking to the local
 * Messages-API server. Obsidian's editor brings CodeMirror's own undo history; the page adds the same (`history()`
 * and its keys from `@codemirror/commands`).
 * `window.harness` lets tests look inside and open the prompt as the command does.
 */
import { history, historyKeymap } from '@codemirror/commands';
import { EditorView, keymap } from '@codemirror/view';
import { CheckpointStore } from '../../../src/agent/changes/checkpoints';
import { Throttle } from '../../../src/agent/loop/throttle';
import { createModelClient } from '../../../src/agent/model-client';
import type { SessionServices } from '../../../src/agent/session-factory';
import { AdapterChatStore, type ChatFileAdapter } from '../../../src/chat/chat-store';
import { ChatService } from '../../../src/chat/chat-service';
import { InlineEdit } from '../../../src/chat/inline-edit';
import { ContextBuilder } from '../../../src/context/build-context';
import { CommandCatalog, type CustomCommand } from '../../../src/context/commands';
import { ExclusionGate } from '../../../src/context/exclusions';
import type { FocusSource } from '../../../src/context/focus';
import type { Settings } from '../../../src/kernel/settings';
import { ObsidianSecretStore } from '../../../src/obsidian/secret-store';
import { InlineEditController } from '../../../src/views/inline-edit/inline-controller';
import { inlineProposalField, placedRegions } from '../../../src/views/inline-edit/inline-state';
import { App, installDomHelpers } from '../../support/obsidian-stub';
import { MemoryVault } from './memory-vault';

interface HarnessConfig {
    files: Record<string, string>;
    settings: Settings;
    apiKey: string;
    configDir: string;
}

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

async function main(): Promise<void> {
    installDomHelpers();
    const config = (await (await fetch('/config.json')).json()) as HarnessConfig;
    const { settings } = config;
    const path = new URLSearchParams(location.search).get('note') ?? 'Research/Forgetting curve.md';
    const vault = new MemoryVault(config.configDir, config.files);
    const gate = new ExclusionGate({ vault, privacy: settings.privacy });
    const app = new App({ configDir: config.configDir });
    if (config.apiKey !== '') app.secretStorage.setSecret(settings.model.apiKeySecretName, config.apiKey);
    const secrets = new ObsidianSecretStore({ app: app as never });
    const checkpoints = new CheckpointStore({
        vault,
        persistence: { load: async () => null, save: async () => undefined },
    });
    const throttle = new Throttle();
    const context = new ContextBuilder({ vault, gate });
    const commands = new CommandCatalog({ vault, gate });
    let commandList: CustomCommand[] = (await commands.scan()).commands;
    const store = new AdapterChatStore({ adapter: localAdapter, folder: 'vault-agent/chats' });
    const services = async (): Promise<SessionServices> => ({
        client: await createModelClient({
            secrets,
            settings: { ...settings.model, baseUrl: `${location.origin}/model` },
        }),
        vault,
        gate: () => gate,
        approvals: { request: async () => ({ kind: 'deny', reason: 'An inline edit writes nothing itself.' }) },
        settings: () => settings,
        checkpoints,
        throttle,
        contextProvider: context,
    });
    let view: EditorView | null = null;
    const focus: FocusSource = {
        focusedNote: () => path,
        selection: () => {
            if (view === null || view.state.selection.main.empty) return null;
            const { from, to } = view.state.selection.main;
            const doc = view.state.doc;
            return {
                text: doc.sliceString(from, to),
                fromLine: doc.lineAt(from).number - 1,
                toLine: doc.lineAt(to).number - 1,
            };
        },
        cursorLine: () => null,
    };
    const chats: ChatService[] = [];
    const opened: string[] = [];
    const controller = new InlineEditController({
        pathOf: () => path,
        newEdit: () => {
            const chat = new ChatService({
                store,
                focus,
                checkpoints,
                services,
                commands: () => commands,
                defaults: () => ({ mode: 'read-only', model: settings.model.defaultModel, attachFocusedNote: true }),
            });
            chats.push(chat);
            return new InlineEdit({ chat, services, commands: () => commands });
        },
        commands: () => commandList,
        openChat: (id) => opened.push(id),
    });
    const host = document.querySelector('.main-area');
    if (!(host instanceof HTMLElement)) throw new Error('The harness page has no .main-area');
    host.classList.add('markdown-source-view', 'harness-inline');
    // The editor fills the page: the chat behind an inline edit is not shown here (its record is in `chats`).
    document.getElementById('sidebar')?.remove();
    view = new EditorView({
        doc: config.files[path] ?? '',
        extensions: [history(), keymap.of(historyKeymap), EditorView.lineWrapping, controller.extension()],
        parent: host,
    });
    const editor = view;
    Object.assign(window, {
        harness: {
            vault,
            view: editor,
            chats,
            opened,
            checkpoints,
            /** Opens the prompt at the selection or paragraph, as the command does. */
            start: () => controller.start(editor),
            /** Selects the first occurrence of `text` in the note. */
            select: (text: string) => {
                const at = editor.state.doc.toString().indexOf(text);
                if (at < 0) return false;
                editor.dispatch({ selection: { anchor: at, head: at + text.length }, scrollIntoView: true });
                editor.focus();
                return true;
            },
            /** Puts the cursor just after the first occurrence of `text`. */
            cursorAfter: (text: string) => {
                const at = editor.state.doc.toString().indexOf(text);
                if (at < 0) return false;
                editor.dispatch({ selection: { anchor: at + text.length }, scrollIntoView: true });
                editor.focus();
                return true;
            },
            text: () => editor.state.doc.toString(),
            phase: () => editor.state.field(inlineProposalField)?.phase ?? null,
            regions: () => {
                const proposal = editor.state.field(inlineProposalField);
                return proposal === null
                    ? []
                    : placedRegions(proposal).map(({ id, removed, inserted, stale }) => ({
                          id,
                          removed,
                          inserted,
                          stale,
                      }));
            },
            refreshCommands: async () => (commandList = (await commands.scan()).commands),
            ready: true,
        },
    });
}

main().catch((error: unknown) => {
    document.body.createEl('pre', {
        cls: 'harness-error',
        text: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error),
    });
});
