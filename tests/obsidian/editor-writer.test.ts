import { describe, expect, it } from 'vitest';
import type { App as ObsidianApp } from 'obsidian';
import { App, LeafWorkspace, MarkdownView, TFile, WorkspaceLeaf } from '../support/obsidian-stub';
import { EditorConflictError, EditorWriter, spliceBetween } from '../../src/obsidian/editor-writer';

function openNote(path: string, text: string): { writer: EditorWriter; view: MarkdownView } {
    const app = new App();
    const workspace = new LeafWorkspace();
    app.workspace = workspace;
    const leaf = new WorkspaceLeaf();
    const view = new MarkdownView(leaf);
    view.file = new TFile(app.vault, path);
    view.editor.setValue(text);
    leaf.view = view;
    workspace.setActiveLeaf(leaf);
    return { writer: new EditorWriter({ app: app as unknown as ObsidianApp }), view };
}

describe('EditorWriter', () => {
    it('changes the open note through its editor with the smallest replacement, keeping the cursor', async () => {
        const { writer, view } = openNote('a.md', 'one\ntwo\nthree\n');
        view.editor.select({ line: 2, ch: 3 });
        expect(await writer.apply('a.md', 'one\ntwo\nthree\n', 'one\nTWO\nthree\n')).toBe(true);
        expect(view.editor.getValue()).toBe('one\nTWO\nthree\n');
        expect(view.editor.replacements).toEqual([{ from: 4, to: 7, text: 'TWO' }]);
        expect(view.editor.getCursor()).toEqual({ line: 2, ch: 3 });
    });

    it('says the note is not open, so the caller writes the file', async () => {
        const { writer } = openNote('a.md', 'x');
        expect(await writer.apply('b.md', 'x', 'y')).toBe(false);
    });

    it('keeps what the person typed elsewhere in the note meanwhile (row 6)', async () => {
        const { writer, view } = openNote('a.md', 'one\ntwo\nthree\n');
        view.editor.replaceRange('zero\n', { line: 0, ch: 0 });
        view.editor.replaceRange('four\n', view.editor.offsetToPos(view.editor.getValue().length));
        expect(await writer.apply('a.md', 'one\ntwo\nthree\n', 'one\nTWO\nthree\n')).toBe(true);
        expect(view.editor.getValue()).toBe('zero\none\nTWO\nthree\nfour\n');
    });

    it('writes nothing when the person is typing in the very part the agent wanted to change', async () => {
        const { writer, view } = openNote('a.md', 'one\ntwo\nthree\n');
        view.editor.replaceRange('tWo', { line: 1, ch: 0 }, { line: 1, ch: 3 });
        await expect(writer.apply('a.md', 'one\ntwo\nthree\n', 'one\nTWO\nthree\n')).rejects.toThrow(
            EditorConflictError,
        );
        expect(view.editor.getValue()).toBe('one\ntWo\nthree\n');
    });

    it('finds the smallest single splice between two texts', () => {
        expect(spliceBetween('abcdef', 'abXYef')).toEqual({ from: 2, to: 4, text: 'XY' });
        expect(spliceBetween('same', 'same')).toEqual({ from: 4, to: 4, text: '' });
    });
});
