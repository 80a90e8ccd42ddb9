/**
 * `FocusSource` on Obsidian: the note last active in a Markdown editor. Clicking into the chat makes the chat the
 * active leaf, so "the active view" would be lost exactly when the person sends; this remembers the last Markdown
 * view instead and reads its selection and cursor at the moment it is asked.
 */
import { MarkdownView, type EventRef, type Workspace, type WorkspaceLeaf } from 'obsidian';
import type { FocusSelection, FocusSource } from '../context/focus';

/** What the tracker needs: the workspace, and where to register its event so it is removed on unload. */
export interface FocusTrackerOptions {
    /** `app.workspace`. */
    workspace: Workspace;
    /** Usually the plugin's `registerEvent`, so the subscription ends with the plugin. */
    registerEvent: (ref: EventRef) => void;
}

/** Remembers the last active Markdown view across focus changes. */
export class FocusTracker implements FocusSource {
    private view: MarkdownView | null;

    constructor(options: FocusTrackerOptions) {
        this.view = options.workspace.getActiveViewOfType(MarkdownView);
        options.registerEvent(
            options.workspace.on('active-leaf-change', (leaf: WorkspaceLeaf | null) => this.onLeafChange(leaf)),
        );
    }

    /** Path of the note in the last active Markdown view, while that view still shows a file. */
    focusedNote(): string | null {
        return this.view?.file?.path ?? null;
    }

    /** The main selection in that view, with its line range; `null` when nothing is selected. */
    selection(): FocusSelection | null {
        const view = this.liveView();
        if (view === null) return null;
        const text = view.editor.getSelection();
        if (text === '') return null;
        const from = view.editor.getCursor('from');
        const to = view.editor.getCursor('to');
        return { text, fromLine: from.line, toLine: to.line };
    }

    /** The cursor line in that view. */
    cursorLine(): number | null {
        return this.liveView()?.editor.getCursor('head').line ?? null;
    }

    private liveView(): MarkdownView | null {
        return this.view?.file ? this.view : null;
    }

    private onLeafChange(leaf: WorkspaceLeaf | null): void {
        // Any other kind of leaf (the chat, a graph, a PDF) keeps the last Markdown view as the focus.
        if (leaf?.view instanceof MarkdownView) this.view = leaf.view;
    }
}
