/**
 * The writer's flow in Obsidian: the inline-edit editor extension (registered once, for every Markdown editor), the
 * commands that open the prompt and decide regions (no default hotkeys; inside the editor Alt+Y / Alt+N and friends
 * work while a proposal is open), and the editor menu item. Each proposal talks through a chat of its own, built like
 * every chat (`PluginServices.createChat`), so "Open in chat" continues it in the sidebar.
 */
import { MarkdownView, Notice, type App, type Editor, type Plugin } from 'obsidian';
import type { EditorView } from '@codemirror/view';
import type { ApprovalGate } from '../agent/changes/approval';
import { InlineEdit } from '../chat/inline-edit';
import type { CustomCommand } from '../context/commands';
import { InlineEditController } from '../views/inline-edit/inline-controller';
import { inlineCommands } from '../views/inline-edit/inline-view';
import type { PluginServices } from './plugin-services';

/** The inline-edit commands, by id. */
export const INLINE_COMMAND_NAMES = {
    'edit-in-place': 'Edit selection in place',
    'inline-accept': 'Accept the inline change at the cursor',
    'inline-reject': 'Reject the inline change at the cursor',
    'inline-accept-all': 'Accept all inline changes',
    'inline-reject-all': 'Reject all inline changes',
    'inline-next': 'Go to the next inline change',
} as const;

/** An inline edit's chat writes nothing itself: every write is a region the person accepts in the editor. */
const NO_TOOL_WRITES: ApprovalGate = {
    request: async () => ({ kind: 'deny', reason: 'An inline edit is written only through the editor.' }),
};

/** What the wiring needs. */
export interface InlineEditWiring {
    app: App;
    services: PluginServices;
    /** Shows the chat `chatId` in the sidebar. */
    openChat(chatId: string): void;
}

/** The CodeMirror view behind an Obsidian editor (`Editor.cm`, present in every Markdown editor). */
function cmOf(editor: Editor): EditorView | null {
    return (editor as unknown as { cm?: EditorView }).cm ?? null;
}

/** Registers the extension, the commands and the editor menu item on `plugin`. */
export function registerInlineEdit(plugin: Plugin, wiring: InlineEditWiring): InlineEditController {
    const { app, services } = wiring;
    let commands: CustomCommand[] = [];
    const refreshCommands = (): void =>
        void services.core.commands
            .scan()
            .then((scan) => (commands = scan.commands))
            .catch(() => undefined);
    const controller = new InlineEditController({
        pathOf: (view) => {
            for (const leaf of app.workspace.getLeavesOfType('markdown')) {
                const md = leaf.view;
                if (md instanceof MarkdownView && cmOf(md.editor) === view) return md.file?.path ?? null;
            }
            return null;
        },
        newEdit: () =>
            new InlineEdit({
                chat: services.createChat(NO_TOOL_WRITES),
                services: () => services.sessionServices(NO_TOOL_WRITES),
                commands: () => services.core.commands,
            }),
        commands: () => commands,
        openChat: (chatId) => wiring.openChat(chatId),
    });
    plugin.registerEditorExtension(controller.extension());

    const open = (editor: Editor): void => {
        const view = cmOf(editor);
        refreshCommands();
        if (view === null || !controller.start(view))
            new Notice('Select a passage, or click into a paragraph, to edit it in place.');
    };
    plugin.addCommand({
        id: 'edit-in-place',
        name: INLINE_COMMAND_NAMES['edit-in-place'],
        editorCallback: (editor: Editor) => open(editor),
    });
    const decide = (id: keyof typeof INLINE_COMMAND_NAMES, run: (view: EditorView) => boolean): void => {
        plugin.addCommand({
            id,
            name: INLINE_COMMAND_NAMES[id],
            editorCheckCallback: (checking: boolean, editor: Editor) => {
                const view = cmOf(editor);
                if (view === null) return false;
                // Checking must not act: only whether a proposal is open is asked then.
                if (checking) return controller.isOpen(view);
                return run(view);
            },
        });
    };
    decide('inline-accept', inlineCommands.accept);
    decide('inline-reject', inlineCommands.reject);
    decide('inline-accept-all', inlineCommands.acceptAll);
    decide('inline-reject-all', inlineCommands.rejectAll);
    decide('inline-next', inlineCommands.next);
    plugin.registerEvent(
        app.workspace.on('editor-menu', (menu, editor) => {
            menu.addItem((item) =>
                item
                    .setTitle('Edit in place with the agent')
                    .setIcon('pencil')
                    .onClick(() => open(editor)),
            );
        }),
    );
    return controller;
}
