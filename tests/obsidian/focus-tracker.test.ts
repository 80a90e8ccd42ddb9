import type { EventRef, Workspace } from 'obsidian';
import { describe, expect, it } from 'vitest';
import { FocusTracker } from '../../src/obsidian/focus-tracker';
import { LeafWorkspace, MarkdownView, TFile, Vault, WorkspaceLeaf } from '../support/obsidian-stub';

function markdownLeaf(path: string, text: string): { leaf: WorkspaceLeaf; view: MarkdownView } {
    const leaf = new WorkspaceLeaf();
    const view = new MarkdownView(leaf);
    view.file = new TFile(new Vault(), path);
    view.editor.text = text;
    leaf.view = view;
    return { leaf, view };
}

function tracker(workspace: LeafWorkspace): { focus: FocusTracker; refs: EventRef[] } {
    const refs: EventRef[] = [];
    const focus = new FocusTracker({
        workspace: workspace as unknown as Workspace,
        registerEvent: (ref) => refs.push(ref),
    });
    return { focus, refs };
}

describe('FocusTracker', () => {
    it('keeps the last Markdown note when the person clicks into the chat', () => {
        const workspace = new LeafWorkspace();
        const { focus } = tracker(workspace);
        const { leaf } = markdownLeaf('Projects/Plan.md', 'one\ntwo');
        workspace.setActiveLeaf(leaf);
        workspace.setActiveLeaf(new WorkspaceLeaf());
        expect(focus.focusedNote()).toBe('Projects/Plan.md');
    });

    it('starts from the Markdown view already active when it is created', () => {
        const workspace = new LeafWorkspace();
        workspace.activeLeaf = markdownLeaf('Inbox.md', 'x').leaf;
        expect(tracker(workspace).focus.focusedNote()).toBe('Inbox.md');
    });

    it('follows the person to another note', () => {
        const workspace = new LeafWorkspace();
        const { focus } = tracker(workspace);
        workspace.setActiveLeaf(markdownLeaf('A.md', '').leaf);
        workspace.setActiveLeaf(markdownLeaf('B.md', '').leaf);
        expect(focus.focusedNote()).toBe('B.md');
    });

    it('reads the selection with its line range and the cursor line from that note’s editor', () => {
        const workspace = new LeafWorkspace();
        const { focus } = tracker(workspace);
        const { leaf, view } = markdownLeaf('A.md', 'first\nsecond line\nthird line\nfourth');
        workspace.setActiveLeaf(leaf);
        view.editor.select({ line: 2, ch: 5 }, { line: 1, ch: 0 });
        workspace.setActiveLeaf(new WorkspaceLeaf());
        expect(focus.selection()).toEqual({ text: 'second line\nthird', fromLine: 1, toLine: 2 });
        expect(focus.cursorLine()).toBe(1);
    });

    it('reports no selection when nothing is selected, and nothing once the note’s view is closed', () => {
        const workspace = new LeafWorkspace();
        const { focus } = tracker(workspace);
        const { leaf, view } = markdownLeaf('A.md', 'text');
        workspace.setActiveLeaf(leaf);
        expect(focus.selection()).toBeNull();
        view.file = null;
        expect(focus.focusedNote()).toBeNull();
        expect(focus.cursorLine()).toBeNull();
    });

    it('registers its workspace event so the plugin removes it on unload', () => {
        const workspace = new LeafWorkspace();
        const { refs } = tracker(workspace);
        expect(refs).toHaveLength(1);
        expect(workspace.listenerCount('active-leaf-change')).toBe(1);
    });
});
